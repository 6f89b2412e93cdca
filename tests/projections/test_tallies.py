"""What the payments add up to, counted as they are projected (projections/tallies.py): the
persons paid twice in a month, the members paid each month, and the reads over the members who
died or moved give what the old computation over every paid member-month gave, on the demo and
on the edge cases (a reversal, two programmes paying one person the same month, a death after
the payment); a rebuild makes the same tables, and a store projected before the tables existed
is rebuilt once. Every test runs on SQLite and on PostgreSQL (``ledger``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from projection_digest import digest

from ledger.application import Ledger
from ledger.calendar import month_range
from ledger.enrolment import EndReason
from projections import db
from projections.findings import findings
from projections.findings.queries import FindingRows
from projections.kept import forget
from projections.queries import Reader
from projections.runner import Projector
from projections.tallies import TABLE_NAMES
from scenario import CLERK, FINANCE, OCCUPATIONS, RATE, clean_year, tangerang_terms
from seed.demo import build_demo
from seed.synthetic import WorkerFactory

#: The old computations, over every paid member-month (what the tallies stand for).
OLD_PAID_TWICE = (
    "SELECT m.person_id, m.enrolment_id, m.programme, p.month, c.sp2d, c.rate, c.position"
    " FROM {paid} p JOIN {members} m ON m.enrolment_id = p.enrolment_id"
    " JOIN {contributions} c ON c.contribution_id = p.contribution_id"
    " JOIN (SELECT m2.nik, p2.month FROM {paid} p2 JOIN {members} m2"
    "       ON m2.enrolment_id = p2.enrolment_id GROUP BY m2.nik, p2.month"
    "       HAVING count(*) > 1) twice ON twice.nik = m.nik AND twice.month = p.month")
OLD_PAID_AFTER_END = (
    "SELECT m.enrolment_id, p.month, c.sp2d, c.position"
    " FROM {paid} p JOIN {members} m ON m.enrolment_id = p.enrolment_id"
    " JOIN {contributions} c ON c.contribution_id = p.contribution_id"
    " WHERE (m.end_reason IN ('died', 'moved') AND p.month > substr(m.ended_on, 1, 7))"
    " OR (m.died_on IS NOT NULL AND p.month > substr(m.died_on, 1, 7))")
OLD_PAID_BY_MONTH = (
    "SELECT m.programme, p.month, count(DISTINCT p.enrolment_id) AS n FROM {paid} p"
    " JOIN {members} m ON m.enrolment_id = p.enrolment_id GROUP BY m.programme, p.month")
OLD_PERSON_MONTHS = (
    "SELECT m.person_id, p.month, count(*) AS n FROM {paid} p"
    " JOIN {members} m ON m.enrolment_id = p.enrolment_id GROUP BY m.person_id, p.month")


def _rows(reader: Reader, sql: str) -> list[dict[str, Any]]:
    return reader.connection.query(reader.ns.sql(sql))


def assert_as_the_old_computation(reader: Reader) -> None:
    """The tallies, and every read made from them, equal what the old queries compute."""
    tallied = {(r["programme"], r["month"]): int(r["members"]) for r in _rows(
        reader, "SELECT * FROM {programme_months} WHERE members <> 0")}
    assert tallied == {(r["programme"], r["month"]): int(r["n"])
                       for r in _rows(reader, OLD_PAID_BY_MONTH)}
    persons = {(r["person_id"], r["month"]): int(r["payments"]) for r in _rows(
        reader, "SELECT * FROM {person_months} WHERE payments <> 0")}
    assert persons == {(r["person_id"], r["month"]): int(r["n"])
                       for r in _rows(reader, OLD_PERSON_MONTHS)}
    twice = FindingRows(reader).paid_twice()
    assert sorted((r.person_id, r.enrolment_id, r.programme, r.month, r.sp2d, int(r.rate),
                   int(r.position)) for r in twice) == sorted(
        (r["person_id"], r["enrolment_id"], r["programme"], r["month"], r["sp2d"],
         int(r["rate"]), int(r["position"])) for r in _rows(reader, OLD_PAID_TWICE))
    after = FindingRows(reader).paid_after_end()
    assert sorted((r.enrolment_id, r.month, r.sp2d, int(r.position)) for r in after) == sorted(
        (r["enrolment_id"], r["month"], r["sp2d"], int(r["position"]))
        for r in _rows(reader, OLD_PAID_AFTER_END))
    for programme in {r["programme"] for r in _rows(reader, "SELECT programme FROM {programmes}")}:
        budget = reader.budget(programme)
        assert budget is not None
        old = {r["month"]: int(r["n"]) for r in _rows(reader, OLD_PAID_BY_MONTH)
               if r["programme"] == programme}
        assert {m["month"]: m["paid_members"] for m in budget["months"]} == {
            m["month"]: old.get(m["month"], 0) for m in budget["months"]}


def assert_a_rebuild_gives_the_same_tables(projector: Projector) -> None:
    """A rebuild leaves the tallies out while it replays and counts them at the end: the same
    rows as counted event by event (a count a reversal brought to 0 deleted)."""
    tables = digest(projector.connection, projector.live)
    projector.rebuild()
    forget()
    assert digest(projector.connection, projector.live) == tables


def _projected(ledger: Ledger, batch_size: int = 2000) -> Projector:
    projector = Projector(ledger, batch_size=batch_size)
    projector.catch_up()
    return projector


def test_the_demo_counts_as_the_old_computation_and_its_figures_stay(ledger: Ledger) -> None:
    build_demo(ledger)
    projector = _projected(ledger)
    try:
        reader = Reader(projector.connection, projector.live)
        assert_as_the_old_computation(reader)
        budget = reader.budget("TNG-2025")
        assert budget is not None and budget["committed"] == 999_936_000
        assert [m["paid_members"] for m in budget["months"]][:1] == [5_952]
        found = findings(reader)
        # Members paid for after their death or move (red flag 1), as before the tallies.
        assert len([f for f in found if f.rule == "paid-after-death-or-move"]) == 7
        assert_a_rebuild_gives_the_same_tables(projector)
        assert findings(reader) == found
    finally:
        projector.close()


def test_a_reversal_takes_its_payments_out_of_the_counts_and_a_second_order_keeps_the_month(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    twice = year.members[1]
    year.pay("SP2D/DOUBLE", ["2025-04", "2025-05"], [twice])
    projector = _projected(ledger)
    try:
        reader = Reader(projector.connection, projector.live)
        assert_as_the_old_computation(reader)
        [finding] = findings(reader, rule="paid-twice-in-a-month")
        assert finding.facts["months"] == ["2025-04", "2025-05"]
        assert finding.facts["sp2d"] == ["SP2D/1", "SP2D/DOUBLE"] and finding.amount == 2 * RATE
        # The first order reversed: April and May stay paid once (by the second), the rest of
        # SP2D/1's months are paid by nobody for the two others.
        ledger.reverse_contribution("TNG-2025", "SP2D/1", date(2025, 9, 1), "salah bayar",
                                    actor=FINANCE)
        projector.catch_up()
        assert_as_the_old_computation(reader)
        assert findings(reader, rule="paid-twice-in-a-month") == []
        budget = reader.budget("TNG-2025")
        assert budget is not None
        paid = {m["month"]: m["paid_members"] for m in budget["months"]}
        assert paid["2025-03"] == 0 and paid["2025-04"] == paid["2025-05"] == 1
        assert paid["2025-09"] == 2
        assert_a_rebuild_gives_the_same_tables(projector)
    finally:
        projector.close()


def test_two_programmes_paying_one_person_the_same_month_count_for_the_person_and_each_programme(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    mover = year.members[2]
    ledger.end_coverage(mover.id, date(2025, 6, 10), EndReason.MOVED, "pindah", actor=CLERK)
    ledger.open_programme(tangerang_terms(
        code="KABTNG-2025", funder_region="36.03", funder_name="Pemerintah Kabupaten Tangerang",
        budget_ceiling=RATE * 7, planned_members=1), actor="admin")
    regency = WorkerFactory(9, "36.03", OCCUPATIONS, (1, 4), ("Cimone",))
    again = ledger.enrol("KABTNG-2025", replace(
        regency.worker(date(2025, 6, 16)), nik=mover.nik, kk=mover.kk, name=mover.name),
        actor=CLERK)
    # One event at a time, so the order and the enrolment it names are in separate batches.
    projector = _projected(ledger, batch_size=1)
    try:
        year.pay("SP2D-KAB/06", month_range("2025-06", 7), [again], code="KABTNG-2025")
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        assert_as_the_old_computation(reader)
        [finding] = findings(reader, rule="paid-twice-in-a-month")
        assert finding.key == str(ledger.personal.subject_of(mover.nik))
        assert finding.programmes == ("KABTNG-2025", "TNG-2025")
        assert finding.facts["months"] == month_range("2025-06", 7)
        assert finding.amount == 7 * RATE
        regency_budget = reader.budget("KABTNG-2025")
        assert regency_budget is not None
        assert {m["month"]: m["paid_members"] for m in regency_budget["months"]
                if m["paid_members"]} == dict.fromkeys(month_range("2025-06", 7), 1)
        city = reader.budget("TNG-2025")
        assert city is not None
        assert [m["paid_members"] for m in city["months"]][3:] == [3, 3, 3, 2, 2, 2, 2]
        ledger.reverse_contribution("KABTNG-2025", "SP2D-KAB/06", date(2025, 12, 1), "ganda",
                                    actor=FINANCE)
        projector.catch_up()
        assert_as_the_old_computation(reader)
        assert findings(reader, rule="paid-twice-in-a-month") == []
        assert_a_rebuild_gives_the_same_tables(projector)
    finally:
        projector.close()


def test_a_death_recorded_after_the_payment_shows_the_months_paid_after_it(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = _projected(ledger)
    try:
        reader = Reader(projector.connection, projector.live)
        assert [f.members for f in findings(reader, rule="paid-after-death-or-move")] == []
        dying = year.members[1]
        year.death(dying, date(2025, 10, 5))  # SP2D/2 paid September-December before
        projector.catch_up()
        assert_as_the_old_computation(reader)
        [finding] = findings(reader, rule="paid-after-death-or-move")
        assert finding.members == (str(dying.id),) and finding.facts["event"] == "died"
        assert finding.facts["months"] == ["2025-11", "2025-12"]
        assert finding.amount == 2 * RATE
    finally:
        projector.close()


def test_a_store_projected_before_the_tallies_existed_is_rebuilt_once_with_them(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    year.pay("SP2D/DOUBLE", ["2025-04"], year.members[1:2])
    projector = _projected(ledger)
    try:
        tables = digest(projector.connection, projector.live)
        with projector.connection.transaction() as cursor:  # as an older release left it
            for name in TABLE_NAMES:
                cursor.execute(f"DROP TABLE {projector.live.table(name)}")
    finally:
        projector.close()
    again = Projector(ledger)  # a command's projector makes sure of the tables
    try:
        assert again.positions()["budget"] == 0 < again.head()
        again.catch_up()
        forget()
        assert digest(again.connection, again.live) == tables
        reader = Reader(again.connection, again.live)
        assert_as_the_old_computation(reader)
        assert len(findings(reader, rule="paid-twice-in-a-month")) == 1
    finally:
        again.close()


def test_a_catch_up_of_many_events_leaves_the_planner_statistics_of_the_tables(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db, "ANALYZE_AFTER", 20)
    clean_year(ledger)
    projector = _projected(ledger)
    try:
        if not projector.live.postgres:
            return  # SQLite plans from its indexes: nothing to analyze
        analyzed = {r["relname"] for r in projector.connection.query(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = %s"
            " AND last_analyze IS NOT NULL", (projector.live.schema,))}
        assert {"members", "paid", "person_months", "programme_months", "claims"} <= analyzed
    finally:
        projector.close()


def test_a_snapshot_at_a_position_counts_the_payments_up_to_it_once_at_the_end(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = _projected(ledger)
    before = projector.position()
    year.pay("SP2D/DOUBLE", ["2025-04"], year.members[1:2])
    projector.catch_up()
    at = projector.snapshot(before)
    try:
        then = Reader(projector.connection, at)
        assert_as_the_old_computation(then)
        assert FindingRows(then).paid_twice() == []
        now = Reader(projector.connection, projector.live)
        assert [r.sp2d for r in FindingRows(now).paid_twice()] == ["SP2D/1", "SP2D/DOUBLE"]
    finally:
        projector.drop(at)
        projector.close()
