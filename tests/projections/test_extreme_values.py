"""Every value the domain accepts, every projection can store: the application service driven
with extreme valid values (the bounds of ledger/limits.py, zero, one, and values between, drawn
by hypothesis), then the projections caught up on SQLite and on PostgreSQL; they must catch up
with no failure, and the budget, coverage, balances and findings reads must answer with the
figures recorded."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from psycopg import sql

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.calendar import FIRST_YEAR, month_range
from ledger.claim import Claimant
from ledger.handover import CeremonyDetails, Official
from ledger.incident import IncidentKind
from ledger.limits import (
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    MAX_GRACE_MONTHS,
    MAX_INCAPACITY_MONTHS,
    MAX_MEMBERS,
    MAX_PROGRAMME_MONTHS,
    MAX_RATE,
    MAX_RUPIAH,
    MAX_WAGE_BAND,
)
from ledger.programme import Rate
from ledger.reconciliation import StatementLine, record_run
from ledger.rule_sets import RULE_BOOK, RuleBook
from projections.findings import findings
from projections.queries import Reader
from projections.runner import Projector
from scenario import APPROVER, CLERK, FINANCE, factory, heir, tangerang_terms
from storage.log_index import open_ledger
from storage.settings import StoreSettings, settings_from_url
from storage.store import init_store

#: Examples per store beyond the two explicit ones (every bound at once, every minimum at once).
EXAMPLES = 8


def _edge(low: int, high: int) -> st.SearchStrategy[int]:
    """The bounds themselves, their neighbours, and anything between."""
    return st.one_of(st.sampled_from(sorted({low, min(low + 1, high), max(high - 1, low),
                                             high})),
                     st.integers(low, high))


@dataclass(frozen=True)
class Case:
    fiscal_year: int
    months: int
    grace_months: int
    wage_band: int
    jkk_rate: int
    jkm_rate: int
    planned_members: int | None
    spare: int  # rupiah of ceiling beyond what is paid (0: paid to the last rupiah)
    revised_spare: int
    incapacity_months: int
    first_payout: int  # of the incapacity claim's entitlement; the rest paid after
    statement_amount: int


@st.composite
def cases(draw: st.DrawFn) -> Case:
    return Case(
        fiscal_year=draw(_edge(FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR)),
        months=draw(_edge(1, MAX_PROGRAMME_MONTHS)),
        grace_months=draw(_edge(0, MAX_GRACE_MONTHS)),
        wage_band=draw(_edge(1, MAX_WAGE_BAND)),
        jkk_rate=draw(_edge(0, MAX_RATE)),
        jkm_rate=draw(_edge(1, MAX_RATE)),  # a payment is above zero rupiah
        planned_members=draw(st.none() | _edge(0, MAX_MEMBERS)),
        spare=draw(_edge(0, MAX_RUPIAH)),
        revised_spare=draw(_edge(0, MAX_RUPIAH)),
        incapacity_months=draw(_edge(1, MAX_INCAPACITY_MONTHS)),
        first_payout=draw(_edge(1, MAX_RUPIAH)),
        statement_amount=draw(_edge(0, MAX_RUPIAH)),
    )


ALL_MAXIMA = Case(LAST_FISCAL_YEAR, MAX_PROGRAMME_MONTHS, MAX_GRACE_MONTHS, MAX_WAGE_BAND,
                  MAX_RATE, MAX_RATE, MAX_MEMBERS, MAX_RUPIAH, MAX_RUPIAH,
                  MAX_INCAPACITY_MONTHS, MAX_RUPIAH, MAX_RUPIAH)
ALL_MINIMA = Case(FIRST_FISCAL_YEAR, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0)

#: Claims are decided under the rule set in force on the incident's day, and the real book
#: starts in December 2019: the earliest years the ledger stores are reached with the first
#: set's figures dated from the first of them (the projections, not the rules, are tested).
EVERY_YEAR_BOOK = RuleBook((replace(RULE_BOOK.sets[0], valid_from=date(FIRST_YEAR, 1, 1)),))


@dataclass
class Recorded:
    """What the case recorded, as the projections must show it."""

    code: str
    ceiling: int
    paid: int
    reversed: int
    members: list[str]
    niks: list[str]
    covered_on: date
    claims: int


def record(ledger: Ledger, case: Case) -> Recorded:
    """A programme at the case's figures, its members, payments (one reversed), a budget
    revision, an incapacity claim and a work death paid (in parts, one part reversed), the
    ceremony that hands them over, and a statement reconciled against it."""
    first = f"{case.fiscal_year}-01"
    months = month_range(first, case.months)
    start = date(case.fiscal_year, 1, 1)
    rate = case.jkk_rate + case.jkm_rate
    people = factory(seed=case.fiscal_year)
    workers = [replace(people.worker(start, birth_date=date(1981, 5, 17) + timedelta(days=n)),
                       register_snapshot=start) for n in range(2)]
    paid = 2 * rate * len(months) + rate  # both members every month, then one month again
    ceiling = min(paid + case.spare, MAX_RUPIAH)
    code = "EXTREME"
    ledger.open_programme(replace(
        tangerang_terms(), code=code, fiscal_year=case.fiscal_year, first_month=first,
        months=case.months, grace_months=case.grace_months, wage_band=case.wage_band,
        rates=(Rate("JKK", start, case.jkk_rate), Rate("JKM", start, case.jkm_rate)),
        planned_members=case.planned_members, budget_ceiling=ceiling, opened_on=start,
    ), actor="admin")
    members = [ledger.enrol(code, w, actor=CLERK) for w in workers]
    ids = [str(m.id) for m in members]
    # paid, reversed, paid again: the reversed money counts in the totals too
    ledger.pay_contribution(code, "SP2D/1", start, months, ids, 2 * rate * len(months),
                            actor=FINANCE)
    ledger.reverse_contribution(code, "SP2D/1", start, "salah rekening", actor=FINANCE)
    ledger.pay_contribution(code, "SP2D/2", start, months, ids, 2 * rate * len(months),
                            actor=FINANCE)
    ledger.pay_contribution(code, "SP2D/3", start, months[-1:], ids[:1], rate, actor=FINANCE)
    committed = 2 * rate * len(months) + rate
    revised = min(committed + case.revised_spare, MAX_RUPIAH)
    ledger.revise_budget(code, revised, "DPA-P", "APBD-P", actor="admin")

    accident = ledger.report_incident(ids[0], IncidentKind.ACCIDENT, start, "Pasar", "jatuh",
                                      True, actor=CLERK)
    self_claimant = Claimant(nik=members[0].nik, name=members[0].name, relationship="self",
                             heir_certificate="", bank="Bank BJB", account_number="0098765432",
                             account_name=members[0].name)
    incapacity = ledger.file_claim(accident.id, Benefit.JKK_TEMPORARY_INCAPACITY,
                                   self_claimant, start, actor=CLERK,
                                   incapacity_months=case.incapacity_months)
    death = ledger.report_incident(ids[1], IncidentKind.DEATH, start, "Jalan", "tertabrak",
                                   True, actor=CLERK)
    work_death = ledger.file_claim(death.id, Benefit.JKK_DEATH, heir(), start, actor=CLERK)
    for claim in (incapacity, work_death):
        ledger.approve_claim(claim.id, start, actor=APPROVER)
    part = min(case.first_payout, incapacity.entitlement)
    ledger.disburse(incapacity.id, "TRF/1", part, start, actor=FINANCE)
    if part < incapacity.entitlement:
        ledger.disburse(incapacity.id, "TRF/2", incapacity.entitlement - part, start,
                        actor=FINANCE)
    ledger.disburse(work_death.id, "TRF/3", work_death.entitlement, start, actor=FINANCE)
    ledger.reverse_disbursement(work_death.id, "TRF/3", "rekening ditutup", start,
                                actor=FINANCE)
    ledger.disburse(work_death.id, "TRF/4", work_death.entitlement, start, actor=FINANCE)
    ledger.record_handover(CeremonyDetails(
        held_on=start, venue="GOR", region="36.71", district="36.71.08", occasion="Serah terima",
        officials=(Official("Walikota", "Wali Kota"),)), [incapacity.id, work_death.id],
        actor=CLERK)
    record_run(ledger, source="bank", digest=uuid.uuid4().hex * 2, program=code, month=None,
               statement_name="rekening.xlsx",
               lines=[StatementLine(1, "SP2D/2", start, case.statement_amount),
                      StatementLine(2, "TRF/UNKNOWN", start, MAX_RUPIAH)],
               items=[], run_on=start, actor=FINANCE)
    return Recorded(code, revised, 2 * (2 * rate * len(months)) + rate, 2 * rate * len(months),
                    ids, [m.nik for m in members], start, 2)


def check_projections(ledger: Ledger, recorded: Recorded) -> None:
    projector = Projector(ledger)
    try:
        projector.catch_up()
        assert projector.position() == projector.head()
        assert projector.failed_position() is None
        reader = Reader(projector.connection, projector.live)
        budget = reader.budget(recorded.code)
        assert budget is not None
        assert budget["ceiling"] == recorded.ceiling
        assert (budget["paid"], budget["reversed"]) == (recorded.paid, recorded.reversed)
        assert budget["committed"] == recorded.paid - recorded.reversed
        assert {m["enrolment_id"] for m in reader.members(program=recorded.code)} == set(
            recorded.members)
        answer = reader.covered_on(recorded.niks[0], recorded.covered_on,
                                   str(ledger.personal.subject_of(recorded.niks[0])))
        assert answer["covered"], answer
        assert len(reader.claims(program=recorded.code)) == recorded.claims
        assert reader.balance_totals(recorded.code)
        assert reader.stats(recorded.code)
        found = findings(reader)
        assert all(f.amount is None or isinstance(f.amount, int) for f in found)
    finally:
        projector.close()


StoreMaker = Callable[[], AbstractContextManager[StoreSettings]]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreMaker:
    """A fresh, initialised store per hypothesis example (a file, or a schema of its own)."""

    @contextmanager
    def sqlite() -> Iterator[StoreSettings]:
        settings = settings_from_url(f"sqlite:///{tmp_path / uuid.uuid4().hex}.sqlite")
        init_store(settings)
        yield settings

    @contextmanager
    def postgres() -> Iterator[StoreSettings]:
        database: str = request.getfixturevalue("postgres_database")
        schema = f"x_{uuid.uuid4().hex[:12]}"
        settings = settings_from_url(f"{database}?schema={schema}")
        init_store(settings)
        try:
            yield settings
        finally:
            with psycopg.connect(database, autocommit=True) as admin:
                for name in (schema, f"{schema}_projections"):
                    admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                        sql.Identifier(name)))

    return sqlite if request.param == "sqlite" else postgres


def test_every_value_the_domain_accepts_every_projection_can_store(
    fresh_store: StoreMaker,
) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(cases())
    @example(ALL_MAXIMA)
    @example(ALL_MINIMA)
    def recorded_then_projected(case: Case) -> None:
        with fresh_store() as store:
            ledger = open_ledger(store, rule_book=EVERY_YEAR_BOOK)
            try:
                check_projections(ledger, record(ledger, case))
            finally:
                ledger.close()

    recorded_then_projected()
