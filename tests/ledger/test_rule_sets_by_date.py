"""Claims decided under the rule set in force on the incident's day, on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from ledger.application import Ledger
from ledger.benefits import CURRENT_RULES_VERSION, Benefit
from ledger.incident import IncidentKind
from ledger.rule_sets import TEST_RULE_SET, rule_book_with_test_set
from scenario import APPROVER, CLERK, covered_in_2026, heir
from storage.log_index import open_ledger
from storage.settings import StoreSettings


@pytest.fixture
def test_book_ledger(store_settings: StoreSettings) -> Iterator[Ledger]:
    app = open_ledger(store_settings, rule_book=rule_book_with_test_set())
    yield app
    app.close()


def _jkm_death_claim(ledger: Ledger, died_on: date, seed: int) -> str:
    member = covered_in_2026(ledger, seed=seed)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, died_on, "Periuk", "sakit",
                                      work_related=False, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKM_DEATH, heir(nik_serial=seed),
                              date(2026, 7, 6), actor=CLERK)
    ledger.approve_claim(claim.id, date(2026, 7, 7), actor=APPROVER)
    return str(claim.id)


def test_deaths_on_30_june_and_1_july_2026_are_decided_under_the_sets_in_force_on_each_day(
    test_book_ledger: Ledger,
) -> None:
    june = test_book_ledger.claim(_jkm_death_claim(test_book_ledger, date(2026, 6, 30), 11))
    july = test_book_ledger.claim(_jkm_death_claim(test_book_ledger, date(2026, 7, 1), 12))
    assert (june.rule_version, june.entitlement) == (CURRENT_RULES_VERSION, 42_000_000)
    assert (july.rule_version, july.entitlement) == (TEST_RULE_SET.version, 47_000_000)
    approved = [list(test_book_ledger.events.get(c.id))[-1] for c in (june, july)]
    assert [e.rule_version for e in approved] == [CURRENT_RULES_VERSION, TEST_RULE_SET.version]


def test_the_real_book_decides_a_death_on_1_july_2026_under_the_set_it_has(
    ledger: Ledger,
) -> None:
    claim = ledger.claim(_jkm_death_claim(ledger, date(2026, 7, 1), 13))
    assert (claim.rule_version, claim.entitlement) == (CURRENT_RULES_VERSION, 42_000_000)
