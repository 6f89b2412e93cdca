"""Answers kept per state of the live tables (projections/kept.py): computed once while nothing
new is projected, computed again after any event is, so no page or API read ever shows a figure
from before a write it can see. Every test runs on SQLite and on PostgreSQL (``ledger``)."""

from __future__ import annotations

from datetime import date

from ledger.application import Ledger
from ledger.enrolment import EndReason
from ledger.identity import mask_nik
from projections.findings import findings
from projections.findings.queries import FindingRows
from projections.kept import kept
from projections.queries import Reader
from projections.runner import Projector
from scenario import CLERK, FINANCE, MONTHS, RATE, TEAM, clean_year


def test_a_payment_projected_after_a_read_shows_in_the_next_read_of_budget_and_findings(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = Projector(year.ledger)
    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        before = reader.budget("TNG-2025")
        assert before is not None
        # Rp16.800 a month: March-August for three members, then the rest for the two living.
        assert before["paid"] == RATE * (6 * TEAM + (len(MONTHS) - 6) * (TEAM - 1))
        assert findings(reader, rule="paid-twice-in-a-month") == []
        assert reader.budget("TNG-2025") == before  # read again: the same, kept

        year.pay("SP2D/DOUBLE", ["2025-04"], year.members[1:2])  # April paid twice for one
        # Not projected yet: the tables, and so what is read, are as they were.
        assert reader.budget("TNG-2025") == before
        assert findings(reader, rule="paid-twice-in-a-month") == []

        projector.catch_up()
        after = reader.budget("TNG-2025")
        assert after is not None and after["paid"] == before["paid"] + RATE
        [twice] = findings(reader, rule="paid-twice-in-a-month")
        assert twice.facts["sp2d"] == ["SP2D/1", "SP2D/DOUBLE"] and twice.amount == RATE
    finally:
        projector.close()


def test_a_kept_answer_is_computed_once_per_state_and_again_after_an_event_is_projected(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = Projector(year.ledger)
    computed: list[int] = []

    def count() -> int:
        computed.append(projector.position())
        return len(computed)

    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        first = kept(reader.connection, reader.ns, ("test_kept",), count)
        assert kept(reader.connection, reader.ns, ("test_kept",), count) == first == 1
        year.pay("SP2D/3", ["2025-12"], year.members[1:])
        projector.catch_up()
        assert kept(reader.connection, reader.ns, ("test_kept",), count) == 2
        assert kept(reader.connection, reader.ns, ("test_kept",), count) == 2
        assert computed[1] > computed[0]  # the second answer is of the later state
    finally:
        projector.close()


def test_the_paid_twice_answer_follows_a_payment_a_death_and_a_reversal_projected_after_reads(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = Projector(year.ledger)
    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)

        def twice() -> list[tuple[str, ...]]:
            found = findings(reader, rule="paid-twice-in-a-month")
            return [(f.facts["nik"], *f.facts["months"], *f.facts["sp2d"]) for f in found]

        assert FindingRows(reader).paid_twice() == [] and twice() == []
        year.pay("SP2D/DOUBLE", ["2025-04"], year.members[2:3])  # April paid twice for one
        projector.catch_up()
        first = FindingRows(reader).paid_twice()
        assert [(row.month, row.sp2d, row.rate) for row in first] == [
            ("2025-04", "SP2D/1", RATE), ("2025-04", "SP2D/DOUBLE", RATE)]
        assert twice() == [(mask_nik(year.members[2].nik), "2025-04", "SP2D/1", "SP2D/DOUBLE")]

        # A death is no payment: the findings are made again (the death is new), the person
        # paid twice still found (counted as the orders were projected: projections.tallies).
        year.death(year.members[1], date(2025, 11, 2))
        projector.catch_up()
        assert FindingRows(reader).paid_twice() == first
        assert twice() == [(mask_nik(year.members[2].nik), "2025-04", "SP2D/1", "SP2D/DOUBLE")]

        year.ledger.reverse_contribution("TNG-2025", "SP2D/DOUBLE", date(2025, 4, 20),
                                         "dana dikembalikan bank", actor=FINANCE)
        projector.catch_up()
        assert FindingRows(reader).paid_twice() == [] and twice() == []
    finally:
        projector.close()


def test_the_members_paid_in_a_month_follow_a_payment_and_its_reversal_projected_after_a_read(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = Projector(year.ledger)

    def paid_in_september() -> int:
        budget = reader.budget("TNG-2025")
        assert budget is not None
        [september] = [m for m in budget["months"] if m["month"] == "2025-09"]
        return int(september["paid_members"])

    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        assert paid_in_september() == TEAM - 1  # the two living, by SP2D/2
        year.pay("SP2D/SEPT", ["2025-09"], year.members[:1])
        projector.catch_up()
        assert paid_in_september() == TEAM
        year.ledger.reverse_contribution("TNG-2025", "SP2D/SEPT", date(2025, 9, 30),
                                         "dana dikembalikan bank", actor=FINANCE)
        projector.catch_up()
        assert paid_in_september() == TEAM - 1
    finally:
        projector.close()


def test_a_move_projected_after_a_read_shows_the_months_paid_after_it_and_a_check_leaves_them(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = Projector(year.ledger)

    def paid_after() -> list[tuple[str, ...]]:
        return [(f.facts["event"], f.facts["on"], *f.facts["months"]) for f in
                findings(reader, rule="paid-after-death-or-move")]

    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        assert paid_after() == []
        year.ledger.end_coverage(year.members[1].id, date(2025, 10, 5), EndReason.MOVED,
                                 "pindah ke Kab. Bogor", actor=CLERK)
        projector.catch_up()
        assert paid_after() == [("moved", "2025-10-05", "2025-11", "2025-12")]
        rows = FindingRows(reader).paid_after_end()
        # An identity check is neither payment nor end: the months paid after the move stay.
        year.ledger.record_identity_check("TNG-2025", "Dukcapil 470/200/2025", date(2025, 12, 1),
                                          [m.id for m in year.members[1:]], {}, actor=CLERK)
        projector.catch_up()
        assert FindingRows(reader).paid_after_end() == rows
        assert paid_after() == [("moved", "2025-10-05", "2025-11", "2025-12")]
    finally:
        projector.close()
