"""The findings compare families, payee accounts and people by keyed pseudonyms and subject ids,
never by the numbers an erasure turns into "[dihapus]": every finding's count, rupiah figure,
members, claims and proof are the same before an erasure, after it, and after a rebuild
following it, on SQLite and on PostgreSQL (the ``ledger`` fixture)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from ledger.application import Ledger
from ledger.claim import Claimant, Deceased
from projections.findings import Finding, findings, summary
from projections.queries import Reader
from projections.runner import Projector
from scenario import APPROVER, CLERK, FINANCE, OCCUPATIONS, a_nik, clean_year, grant_terms, heir
from seed.synthetic import WorkerFactory

BASIS = "UU 27/2022 pasal 8; permohonan no. PDP/2026/021"


def _figures(found: list[Finding]) -> list[tuple[Any, ...]]:
    """What a finding says in numbers and ids (its masked NIKs and account may read
    "[dihapus]" after an erasure; nothing else may change)."""
    return [(f.id, f.severity, f.amount, f.programmes, f.members, f.claims, f.positions,
             {k: v for k, v in f.facts.items() if not isinstance(v, str)}) for f in found]


def _grant(ledger: Ledger, dead: Deceased, died_on: date, claimant: Claimant,
           reference: str) -> str:
    claim = ledger.file_grant_claim("TNG-SANTUNAN-2025", dead, died_on, "illness", claimant,
                                    date(2025, 9, 15), actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 16), actor=APPROVER)
    ledger.disburse(claim.id, reference, 3_000_000, date(2025, 9, 17), actor=FINANCE)
    return str(claim.id)


def test_every_finding_figure_is_the_same_before_and_after_an_erasure_and_a_rebuild(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger, retention_years=1)
    ledger.open_programme(grant_terms(retention_years=1), actor="admin")
    dead_member = year.members[0]
    year.pay("SP2D/STALE", ["2025-09", "2025-10"], [dead_member])  # paid after death
    # The city grant beside JKM for the member's death (two benefits for one death) ...
    _grant(ledger, Deceased(dead_member.nik, dead_member.name, dead_member.kk,
                            dead_member.region, dead_member.district, dead_member.decile,
                            "DTKS", date(2025, 1, 15)),
           date(2025, 8, 20), heir(), "BTT/M")
    # ... and three families' grants paid into one broker's account (a shared payee account).
    people = WorkerFactory(31, "36.71", OCCUPATIONS, (1, 4), ("Cimone",), serial_base=500)
    broker = replace(heir(), bank="Bank BRI", account_number="3300112233",
                     account_name="Rahmat")
    deceased, claimants = [], []
    for serial, died_on in enumerate((date(2025, 9, 1), date(2025, 9, 3), date(2025, 9, 8))):
        worker = people.worker(died_on)
        dead = Deceased(worker.nik, worker.name, worker.kk, worker.region, worker.district,
                        worker.decile, "DTKS", date(2025, 1, 15))
        who = replace(broker, nik=a_nik(600 + serial, born=date(1980, 1, 2)))
        _grant(ledger, dead, died_on, who, f"BTT/{serial}")
        deceased.append(dead)
        claimants.append(who)
    projector = Projector(ledger)
    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        before = findings(reader)
        rules = {f.rule for f in before}
        assert {"paid-after-death-or-move", "two-benefits-for-one-death",
                "shared-payee-account"} <= rules
        [shared] = [f for f in before if f.rule == "shared-payee-account"]
        assert shared.facts == {"account": "Bank BRI ****2233", "families": 3}
        assert "3300112233" not in shared.id

        # The member who died, the heir, two of the broker's names and two deceased: their
        # NIKs, family cards and the account now read "[dihapus]".
        for nik in (dead_member.nik, heir().nik, claimants[0].nik, claimants[1].nik,
                    deceased[0].nik, deceased[1].nik):
            ledger.erase_person(nik, BASIS, "asked in writing", actor="admin.ayu")
        projector.catch_up()
        after = findings(reader)
        accounts = {row["account"] for row in projector.connection.query(
            projector.live.sql("SELECT account FROM {claims}"))}
        assert "[dihapus]" in accounts  # the numbers compared before are gone ...
        assert _figures(after) == _figures(before)  # ... and no figure moved
        assert summary(after) == summary(before)
        [shared_after] = [f for f in after if f.rule == "shared-payee-account"]
        assert shared_after.facts["account"] == "Bank BRI ****2233"  # one name is not erased

        projector.rebuild()
        rebuilt = findings(Reader(projector.connection, projector.live))
        assert _figures(rebuilt) == _figures(before)
        assert summary(rebuilt) == summary(before)
    finally:
        projector.close()


def test_an_account_whose_every_payee_is_erased_is_still_found_and_shown_erased(
    ledger: Ledger,
) -> None:
    clean_year(ledger, retention_years=1)
    ledger.open_programme(grant_terms(retention_years=1), actor="admin")
    people = WorkerFactory(41, "36.71", OCCUPATIONS, (1, 4), ("Cimone",), serial_base=700)
    broker = replace(heir(), bank="Bank BRI", account_number="3300998877",
                     account_name="Rahmat")
    claimants = []
    for serial, died_on in enumerate((date(2025, 9, 1), date(2025, 9, 3), date(2025, 9, 8))):
        worker = people.worker(died_on)
        who = replace(broker, nik=a_nik(650 + serial, born=date(1980, 1, 2)))
        _grant(ledger, Deceased(worker.nik, worker.name, worker.kk, worker.region,
                                worker.district, worker.decile, "DTKS", date(2025, 1, 15)),
               died_on, who, f"BTT/{serial}")
        claimants.append(who)
    projector = Projector(ledger)
    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        [before] = findings(reader, rule="shared-payee-account")
        for who in claimants:
            ledger.erase_person(who.nik, BASIS, "asked in writing", actor="admin.ayu")
        projector.catch_up()
        [after] = findings(reader, rule="shared-payee-account")
        assert after.facts == {"account": "[dihapus]", "families": 3}
        assert (after.id, after.amount, after.claims) == (before.id, before.amount,
                                                          before.claims)
    finally:
        projector.close()
