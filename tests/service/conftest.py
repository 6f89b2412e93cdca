"""Service tests: a second, empty store beside the test's own, and a recorded story."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.incident import IncidentKind
from ledger.journal.checkpoint import new_private_key
from projections.journal import Journal
from projections.runner import Projector
from scenario import APPROVER, CLERK, FINANCE, covered_member, factory, heir
from storage.settings import StoreSettings, settings_from_url
from storage.store import init_store


@pytest.fixture
def empty_store(store_settings: StoreSettings, tmp_path: Path,
                request: pytest.FixtureRequest) -> Iterator[StoreSettings]:
    """Another initialised, empty store on the same backend as ``store_settings``."""
    if not store_settings.is_postgres:
        settings = settings_from_url(f"sqlite:///{tmp_path / 'restored.sqlite'}")
        init_store(settings)
        yield settings
        return
    database: str = request.getfixturevalue("postgres_database")
    schema = f"r_{uuid.uuid4().hex[:12]}"
    settings = settings_from_url(f"{database}?schema={schema}")
    init_store(settings)
    yield settings
    with psycopg.connect(database, autocommit=True) as connection:
        for name in (schema, f"{schema}_projections", f"{schema}_projections_rebuild"):
            connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(name)))


def record_story(ledger: Ledger) -> str:
    """Enrolments, contributions, a death, a JKM claim approved and paid, a signed checkpoint.
    Returns the NIK of the member who died."""
    member = covered_member(ledger)
    people = factory(seed=31)
    others = ledger.enrol_batch(
        "TNG-2025", [people.worker(date(2025, 3, 24)) for _ in range(4)], CLERK)
    ledger.pay_contribution("TNG-2025", "SP2D/B", date(2025, 4, 10), ["2025-04", "2025-05"],
                            [o.id for o in others], 4 * 2 * 16_800, FINANCE)
    death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                   "", False, actor=CLERK)
    claim = ledger.file_claim(death.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10), CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 11), APPROVER)
    ledger.disburse(claim.id, "TRF-1", 42_000_000, date(2025, 9, 12), FINANCE)
    projector = Projector(ledger)
    try:
        projector.catch_up()
        Journal(ledger, projector.connection, projector.live).checkpoint(new_private_key())
    finally:
        projector.close()
    return str(member.nik)


@pytest.fixture
def story() -> Callable[[Ledger], str]:
    return record_story
