"""Erasure of a person's personal data (UU 27/2022): when it is refused, and what it reports.

A person may ask for their data to be deleted once its purpose and its retention period have
ended. The ledger refuses while the data is still needed, naming every reason that holds at
once (each is a named error of its own): the person is still covered, a claim about them is
filed and not decided, an approved benefit is not fully paid, a scholarship still runs for them
or their children, or a programme's retention period has not ended (``retention_years`` after
the coverage ends, 10 by default, as for regional financial records). Otherwise the command
(:mod:`ledger.commands.erasure`) records ``Person.Erased`` (PersonErased: no personal data in
it) and then has storage destroy the person's data key and NIK index row.

The basis and the reason are free text a clerk types, kept in the log for ever: they are
required, and a NIK (or any 16-digit number) inside them is refused, so that the record of an
erasure never holds what it erased.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.errors import InvalidInputError, RuleViolationError
from ledger.money import rupiah
from ledger.names import require_visible
from ledger.personal_fields import ERASED as ERASED  # what an erased text field reads
from ledger.personal_fields import OWN_ID, SealedGroup

#: A NIK or any 16-digit number, written with spaces, dots or dashes between its digits or not.
_SIXTEEN_DIGITS = re.compile(r"(?<!\d)(?:\d[ .\-]?){15}\d(?!\d)")

#: The longest basis or reason accepted (a sentence or two; the documents are cited by number).
MAX_TEXT = 500


# -- refusals ----------------------------------------------------------------------------------


class ErasureRefusedError(RuleViolationError):
    """The person's data is still needed: every reason that holds is in ``reasons`` (each a
    named error below); raised as that error itself when only one holds."""

    rule = "erasure-refused"

    def __init__(self, message: str, *, reasons: tuple[ErasureRefusedError, ...] = ()) -> None:
        super().__init__(message)
        self.reasons: tuple[ErasureRefusedError, ...] = reasons or (self,)


class StillCoveredError(ErasureRefusedError):
    rule = "erasure-still-covered"


class OpenClaimError(ErasureRefusedError):
    rule = "erasure-open-claim"


class UnpaidBenefitError(ErasureRefusedError):
    rule = "erasure-unpaid-benefit"


class ScholarshipRunningError(ErasureRefusedError):
    rule = "erasure-scholarship-running"


class RetentionPeriodError(ErasureRefusedError):
    rule = "erasure-retention-period"


class AlreadyErasedError(RuleViolationError):
    """The person's data was erased already (the key is destroyed): nothing is left to do."""

    rule = "already-erased"


# -- what the ledger holds about the person ------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    """One record a programme keeps about the person, and the day its retention starts."""

    programme_code: str
    retention_years: int
    since: date
    #: What happened on ``since``, in words ("the coverage ended", "claim jkm_death 1a2b3c4d
    #: was approved"), so a refusal says what the period runs from.
    since_what: str = "the coverage ended"

    @property
    def kept_until(self) -> date:
        """The first day the record may be erased: ``retention_years`` after ``since``."""
        try:
            return self.since.replace(year=self.since.year + self.retention_years)
        except ValueError:  # 29 February in a year that has none
            return date(self.since.year + self.retention_years, 3, 1)


@dataclass(frozen=True)
class Holding:
    """What the ledger holds about one person that may keep their data needed."""

    covered_by: str | None = None  # the programme code of an active coverage
    open_claims: tuple[tuple[str, str], ...] = ()  # (claim id, benefit), filed, not decided
    unpaid: tuple[tuple[str, str, int], ...] = ()  # (claim id, benefit, rupiah still owed)
    scholarships: tuple[tuple[str, int], ...] = ()  # (scholarship id, years still payable)
    kept: tuple[Kept, ...] = field(default=())


def refusals(holding: Holding, today: date) -> list[ErasureRefusedError]:
    """Every reason the person's data is still needed on ``today`` (none: it may be erased)."""
    found: list[ErasureRefusedError] = []
    if holding.covered_by is not None:
        found.append(StillCoveredError(
            f"the person is still covered by programme {holding.covered_by}: their coverage has "
            "not ended, so its retention period has not begun"))
    if holding.open_claims:
        found.append(OpenClaimError(
            f"{_count(len(holding.open_claims), 'claim')} about the person "
            f"{'is' if len(holding.open_claims) == 1 else 'are'} filed and not decided ("
            + ", ".join(f"{benefit} {claim_id[:8]}" for claim_id, benefit
                        in holding.open_claims) + ")"))
    if holding.unpaid:
        owed = sum(amount for _, _, amount in holding.unpaid)
        found.append(UnpaidBenefitError(
            f"{_count(len(holding.unpaid), 'approved benefit')} about the person "
            f"{'is' if len(holding.unpaid) == 1 else 'are'} not fully paid ({rupiah(owed)} still "
            "owed: " + ", ".join(f"{benefit} {claim_id[:8]}" for claim_id, benefit, _
                                 in holding.unpaid) + ")"))
    if holding.scholarships:
        found.append(ScholarshipRunningError(
            "a scholarship still runs for the person or their children ("
            + ", ".join(f"{scholarship_id[:8]}: {_count(years, 'school year')} still payable"
                        for scholarship_id, years in holding.scholarships) + ")"))
    inside = sorted((kept for kept in holding.kept if today < kept.kept_until),
                    key=lambda kept: kept.kept_until)
    if inside:
        last = max(inside, key=lambda kept: kept.kept_until)  # the first of a tie
        others = sorted({kept.programme_code for kept in inside} - {last.programme_code})
        found.append(RetentionPeriodError(
            f"programme {last.programme_code} keeps the person's records until "
            f"{last.kept_until.isoformat()} ({_count(last.retention_years, 'year')} after "
            f"{last.since_what} on {last.since.isoformat()}); erasure is possible from that day"
            + (f" (programme {', '.join(others)} until earlier)" if others else "")))
    return found


def require_erasable(holding: Holding, today: date) -> None:
    """Refuse the erasure when the data is still needed: the one named error, or (several
    reasons) :class:`ErasureRefusedError` listing each."""
    found = refusals(holding, today)
    if len(found) == 1:
        raise found[0]
    if found:
        raise ErasureRefusedError(
            f"the person's data is still needed for {len(found)} reasons: "
            + "; ".join(f"({number}) {reason}" for number, reason in enumerate(found, 1)),
            reasons=tuple(found))


def require_plain_words(text: str, what: str, field_name: str) -> str:
    """The basis or reason of an erasure, stripped: required, visible, short, and never holding
    a NIK or any 16-digit number (the log keeps it for ever)."""
    words = text.strip()
    if not words:
        raise InvalidInputError(f"say {what} of the erasure", field=field_name)
    if len(words) > MAX_TEXT:
        raise InvalidInputError(f"{what} is longer than {MAX_TEXT} characters; cite the "
                                "documents by their numbers", field=field_name)
    require_visible(words, what, field_name)
    if _SIXTEEN_DIGITS.search(words):
        raise InvalidInputError(
            f"{what} holds a 16-digit number (a NIK?): the record of an erasure is kept for "
            "ever and must not hold the personal data it erases; name the person by nothing "
            "more than the request's reference", field=field_name)
    return words


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def subjects_named(event: Any, groups: Iterable[SealedGroup]) -> set[str]:
    """The data subjects whose sealed fields a decoded event holds (their ids, in clear)."""
    found: set[str] = set()
    for group in groups:
        if group.subject == OWN_ID:
            found.add(str(event.originator_id))
            continue
        items = getattr(event, group.each, None) if group.each else [event]
        for item in items if isinstance(items, list) else []:
            value = _at(item, group.subject)
            if value:
                found.add(str(value))
    return found


def _at(holder: Any, path: str) -> Any:
    """The value at a dotted path of an event (attributes) or an item of it (keys)."""
    value = holder
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if value is None:
            return None
    return value


# -- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure did: the person (by id and masked NIK), what storage destroyed, the
    events whose sealed fields can no longer be read (counted by kind) and where PersonErased
    is in the log."""

    person_id: str
    masked_nik: str
    erased_on: date
    basis: str
    position: int | None
    data_key_destroyed: bool
    index_rows_removed: int
    unreadable: dict[str, int]
    completed_earlier_erasure: bool = False
