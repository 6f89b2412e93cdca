"""What each kind of finding found, as facts: one frozen dataclass per rule, with the ids, dates
and amounts involved and nothing told in words (:mod:`documents.finding_text` tells them, in
English or Indonesian).

``public()`` is the part published as a finding's ``facts`` (the JSON routes, ``audit --json``);
fields named in ``TOLD_ONLY`` are what a sentence needs beside them (a count of heirs, the grace
months) and stay out of it, so the published facts keep their shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Facts:
    """The facts of one finding; NIKs and account numbers are kept masked."""

    TOLD_ONLY: ClassVar[tuple[str, ...]] = ()

    def public(self) -> dict[str, Any]:
        """The facts as published (tuples as lists), without the told-only ones."""
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in asdict(self).items() if key not in self.TOLD_ONLY}


@dataclass(frozen=True)
class PaidAfterEnd(Facts):
    """1: months paid for a member after the member's recorded death or move."""

    nik: str
    event: str  # "died" or "moved"
    on: str
    months: tuple[str, ...]
    sp2d: tuple[str, ...]


@dataclass(frozen=True)
class IdentityNotMatched(Facts):
    """2: the population register's answer on a member: never checked, or not matched."""

    nik: str
    answer: str  # "never_checked" or "not_matched"
    reason: str | None


@dataclass(frozen=True)
class PaidTwice(Facts):
    """3: months one NIK was paid for more than once (two programmes or funders)."""

    nik: str
    months: tuple[str, ...]
    sp2d: tuple[str, ...]


@dataclass(frozen=True)
class EarlyDeath(Facts):
    """4: a death within the rule's months of enrolment, and the death benefit claimed."""

    nik: str
    enrolled_on: str
    died_on: str
    days: int
    benefit: str


@dataclass(frozen=True)
class OutsideCoverage(Facts):
    """5: a claim's incident before enrolment, or in a month neither paid nor in grace."""

    TOLD_ONLY: ClassVar[tuple[str, ...]] = ("grace_months",)

    nik: str
    occurred_on: str
    enrolled_on: str
    benefit: str
    grace_months: int


@dataclass(frozen=True)
class TwoBenefits(Facts):
    """6: more than one death benefit claimed for one death."""

    nik: str
    benefits: tuple[str, ...]


@dataclass(frozen=True)
class SharedAccount(Facts):
    """7: one bank account paid for the deaths of several families."""

    TOLD_ONLY: ClassVar[tuple[str, ...]] = ("heirs",)

    account: str
    families: int
    heirs: int


@dataclass(frozen=True)
class HandoverUnpaid(Facts):
    """8: a claim handed over at a ceremony without an approval or a payout behind it."""

    TOLD_ONLY: ClassVar[tuple[str, ...]] = ("nik", "unpaid")

    venue: str
    held_on: str
    paid_on: str | None
    status: str
    nik: str
    unpaid: int


@dataclass(frozen=True)
class BeyondCeiling(Facts):
    """9: a programme's payments beyond its DPA ceiling."""

    TOLD_ONLY: ClassVar[tuple[str, ...]] = ("programme", "dpa_reference")

    committed: int
    ceiling: int
    programme: str
    dpa_reference: str


@dataclass(frozen=True)
class BudgetOffRate(Facts):
    """9: a budget line not equal to planned headcount x official rate x months."""

    TOLD_ONLY: ClassVar[tuple[str, ...]] = ("programme",)

    ceiling: int
    headcount: int
    official_rate: int
    months: int
    expected: int
    programme_rates: tuple[tuple[str, int], ...]
    programme: str


@dataclass(frozen=True)
class AboveApproval(Facts):
    """10: a claim paid beyond its approved amount (or after its approval was revoked)."""

    TOLD_ONLY: ClassVar[tuple[str, ...]] = ("benefit", "nik", "disbursed", "approved")

    status: str
    to_recover: int
    benefit: str
    nik: str
    disbursed: int
    approved: int


@dataclass(frozen=True)
class SelfApproved(Facts):
    """10: a claim approved by the officer who filed it (with the waiver's reason, if any)."""

    TOLD_ONLY: ClassVar[tuple[str, ...]] = ("benefit", "nik")

    officer: str
    reason: str | None
    benefit: str
    nik: str
