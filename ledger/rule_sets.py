"""Benefit rule sets by date: which one decides a claim, and how a new one is added.

Every benefit is decided under the rule set in force on the day of the incident (the accident,
the death), and the claim records that set's version. :data:`RULE_BOOK` holds the real sets in
date order; :func:`rules_in_force` picks the one in force on a day and refuses, in words, a day
before the first set or in a gap between two.

**The sets shipped.** ``"PP82-2019/PP44-2015 v1"`` is the version every claim recorded so far
carries, and it keeps its figures: JKK and JKM as PP 44/2015 amended by PP 82/2019, in force from
2 December 2019 (PP 82/2019's promulgation), open-ended. Its scholarship part starts later, on
1 April 2021 (Permenaker 5/2021): :func:`ledger.scholarship.grant_scholarship` refuses earlier
deaths. Before 2 December 2019 the older figures of PP 44/2015 applied (JKM Rp24.000.000); the
ledger ships no set for them, so an incident before that day is refused with the date the first
set starts: a programme of this ledger (from 2021, Inpres 2/2021) never meets one.

**Adding a rule set** is reference data, not a migration: stored claims keep the version string
that decided them, and every set stays in the book so an old claim can be recomputed as it was.
Write the new :class:`~ledger.benefits.BenefitRules` (a new ``version``, its ``regulation``,
``valid_from``, its figures) into :data:`ledger.benefits.RULE_SETS`, and give the set it
replaces ``valid_until`` = the day before. :class:`RuleBook` refuses overlapping periods, a
version twice, and a set for tests among the real ones. :meth:`RuleBook.succeeded_by` does the
closing for a book built at run time (tests, the demo).

**The test set.** :data:`TEST_RULE_SET` (``for_tests=True``) has different figures from
1 July 2026, to prove the switch by date and the drift of claims decided under the older set. It
is in no real book: only :func:`rule_book_with_test_set` holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise

from ledger.benefits import CURRENT_RULES_VERSION, RULE_SETS, BenefitRules
from ledger.errors import InvalidInputError, InvalidRuleBookError, NoRuleSetInForceError
from ledger.schooling import LevelRule, SchoolLevel


def _period(rule_set: BenefitRules) -> str:
    until = rule_set.valid_until.isoformat() if rule_set.valid_until else "open"
    return f"'{rule_set.version}' ({rule_set.valid_from.isoformat()} to {until})"


@dataclass(frozen=True)
class RuleBook:
    """Rule sets in date order, with no two in force on the same day."""

    sets: tuple[BenefitRules, ...]
    for_tests: bool = False

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.sets, key=lambda rule_set: rule_set.valid_from))
        object.__setattr__(self, "sets", ordered)
        if not ordered:
            raise InvalidRuleBookError("a rule book needs at least one rule set")
        versions = [rule_set.version for rule_set in ordered]
        for version in versions:
            if versions.count(version) > 1:
                raise InvalidRuleBookError(f"the rule set version '{version}' is listed twice")
        for rule_set in ordered:
            if rule_set.valid_until is not None and rule_set.valid_until < rule_set.valid_from:
                raise InvalidRuleBookError(
                    f"the rule set {_period(rule_set)} ends before it starts")
            if rule_set.for_tests and not self.for_tests:
                raise InvalidRuleBookError(
                    f"the rule set '{rule_set.version}' is for tests and cannot decide real "
                    "claims: build a test book (rule_book_with_test_set) to use it")
        for earlier, later in pairwise(ordered):
            if earlier.valid_until is None or earlier.valid_until >= later.valid_from:
                close_on = (later.valid_from - timedelta(days=1)).isoformat()
                raise InvalidRuleBookError(
                    f"the rule sets {_period(earlier)} and {_period(later)} overlap: give "
                    f"'{earlier.version}' valid_until={close_on}")

    def in_force(self, on: date) -> BenefitRules:
        """The rule set in force on a day, or a refusal saying which sets are nearest."""
        first = self.sets[0]
        if on < first.valid_from:
            raise NoRuleSetInForceError(
                f"no benefit rule set is in force on {on.isoformat()}: the first, "
                f"'{first.version}' ({first.regulation}), starts on "
                f"{first.valid_from.isoformat()}", field="on")
        for earlier, later in zip(self.sets, (*self.sets[1:], None), strict=True):
            if earlier.valid_until is None or on <= earlier.valid_until:
                return earlier
            if later is not None and on < later.valid_from:
                raise NoRuleSetInForceError(
                    f"no benefit rule set is in force on {on.isoformat()}: '{earlier.version}' "
                    f"ended on {earlier.valid_until.isoformat()} and '{later.version}' starts on "
                    f"{later.valid_from.isoformat()}", field="on")
        last = self.sets[-1]
        assert last.valid_until is not None  # the loop returns for an open last set
        raise NoRuleSetInForceError(
            f"no benefit rule set is in force on {on.isoformat()}: the last, '{last.version}', "
            f"ended on {last.valid_until.isoformat()}", field="on")

    def version(self, version: str) -> BenefitRules:
        """The rule set of a version (the one a claim recorded), in force or not."""
        for rule_set in self.sets:
            if rule_set.version == version:
                return rule_set
        raise InvalidInputError(f"unknown benefit rule version '{version}'",
                                field="rule_version")

    def succeeded_by(self, *new_sets: BenefitRules) -> RuleBook:
        """This book with later sets added, each closing the open set before it on the day
        before it starts (what editing ``valid_until`` in ``RULE_SETS`` does for real sets)."""
        sets = list(self.sets)
        for new in new_sets:
            last = sets[-1]
            if last.valid_until is None and new.valid_from > last.valid_from:
                sets[-1] = replace(last, valid_until=new.valid_from - timedelta(days=1))
            sets.append(new)
        return RuleBook(tuple(sets), for_tests=self.for_tests or any(s.for_tests for s in sets))


#: The real rule sets: every set a claim may have been decided under.
RULE_BOOK = RuleBook(tuple(RULE_SETS.values()))


def rules_in_force(on: date, book: RuleBook = RULE_BOOK) -> BenefitRules:
    """The rule set in force on a day (the incident's), from the real book by default."""
    return book.in_force(on)


_V1 = RULE_SETS[CURRENT_RULES_VERSION]

#: A fixture, not a regulation: other figures from 1 July 2026 (JKM lump sum Rp25.000.000, so
#: JKM Rp47.000.000; JKK funeral Rp12.000.000, so JKK death Rp72.000.000 at the lowest band;
#: STMB 60% after month 12; transport by land up to Rp6.000.000; TK-SD Rp2.000.000 a year;
#: 2% a day late). Only :func:`rule_book_with_test_set` holds it.
TEST_RULE_SET = replace(
    _V1, version="TEST-2026-07 (fixture, not a regulation)",
    regulation="test fixture: no regulation; proves the switch by date and drift",
    valid_from=date(2026, 7, 1), valid_until=None, for_tests=True,
    jkm_lump_sum=25_000_000, jkk_funeral=12_000_000, stmb_later_percent=60,
    transport_land_ceiling=6_000_000, jkm_late_interest_percent_per_day=2,
    scholarship=replace(_V1.scholarship, levels=(
        LevelRule(SchoolLevel.TK_SD, 2_000_000, 8), *_V1.scholarship.levels[1:])),
)


def rule_book_with_test_set() -> RuleBook:
    """The real book followed by :data:`TEST_RULE_SET` (v1 then closes on 30 June 2026)."""
    return RULE_BOOK.succeeded_by(TEST_RULE_SET)


def rule_set_of(version: str) -> BenefitRules:
    """The rule set a decision recorded, by its version, whichever book decided it (the real
    sets, or the test set a test book adds: its version says it is a fixture). A read model
    projecting what a case owes next reads its figures here, from the version the case
    recorded, without knowing the book the ledger runs with."""
    return rule_book_with_test_set().version(version)
