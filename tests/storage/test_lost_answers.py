"""A save whose COMMIT reached the database but whose answer was lost (a restart between the
two) counts as saved, once: the library sends the same rows again, the unique key refuses
them, and the ledger recognises them as its own instead of running the command again (which
found the NIK covered and answered 409). Rows another writer put at those keys are still a
conflict: optimistic concurrency is unchanged."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import pytest
from http_bodies import enrolment, programme
from tcp_proxy import CommitDropper

from api.app import create_app
from ledger.application import Ledger
from ledger.enrolment import Enrolment
from ledger.programme import programme_id
from scenario import CLERK, tangerang_terms, worker
from storage.log_index import open_ledger
from storage.settings import StoreSettings, settings_from_url

ENROLLED = "ledger.enrolment:Enrolment.Enrolled"


@pytest.fixture
def proxy() -> Iterator[CommitDropper]:
    server = urlsplit(os.environ.get("LEDGER_TEST_POSTGRES_URL",
                                     "postgresql://postgres@127.0.0.1:5432/postgres"))
    with CommitDropper(server.port or 5432, server.hostname or "127.0.0.1") as dropper:
        yield dropper


@pytest.fixture
def proxied(postgres_settings: StoreSettings, proxy: CommitDropper) -> StoreSettings:
    """The test's database and schema, reached through the proxy."""
    parts = urlsplit(postgres_settings.url)
    netloc = f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"
    return settings_from_url(urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")))


def _enrolments(ledger: Ledger) -> list[str]:
    return ledger.enrolment_ids("TNG-2025")


def _subject_and_key_made(ledger: Ledger, nik: str) -> None:
    """The NIK's data subject and key made before the proxy is armed: the commit whose answer
    is lost is then the save of the events (the index and the keys commit on their own, and
    are idempotent)."""
    subject = ledger.personal.subject_for(nik)
    ledger.mapper.prepare_keys([subject])  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_an_enrolment_whose_commit_answer_was_lost_is_answered_as_enrolled_once(
        proxied: StoreSettings, proxy: CommitDropper) -> None:
    ledger = open_ledger(proxied)
    try:
        ledger.open_programme(tangerang_terms(), actor="admin")
        _subject_and_key_made(ledger, worker().nik)
        proxy.arm()
        member = ledger.enrol("TNG-2025", worker(), CLERK)
        position = ledger.last_position()
    finally:
        ledger.close()

    assert proxy.dropped == 1  # the answer was lost: the library sent the rows again
    reader = open_ledger(proxied)
    try:
        assert _enrolments(reader) == [str(member.id)]
        stored = reader.enrolment(member.id)
        assert stored.nik == member.nik and stored.version == member.version
        assert position == reader.recorder.max_notification_id()  # its real log position
    finally:
        reader.close()


@pytest.mark.postgres
def test_the_api_answers_201_with_the_new_member_when_the_commit_answer_was_lost(
        proxied: StoreSettings, proxy: CommitDropper) -> None:
    app = create_app(proxied)
    ledger: Ledger = app.extensions["claims_ledger"]
    try:
        admin, _ = ledger.issue_token("admin.one", "admin", actor="test")
        clerk, _ = ledger.issue_token("clerk.one", "clerk", actor="test")
        client = app.test_client()
        opened = client.post("/api/v1/programs", json=programme(),
                             headers={"Authorization": f"Bearer {admin}"})
        assert opened.status_code == 201
        _subject_and_key_made(ledger, enrolment()["nik"])
        proxy.arm()
        response = client.post("/api/v1/members", json=enrolment(),
                               headers={"Authorization": f"Bearer {clerk}"})

        assert proxy.dropped == 1
        assert response.status_code == 201, response.json
        assert _enrolments(ledger) == [response.json["id"]]
        assert response.headers["X-Ledger-Position"] == str(
            ledger.recorder.max_notification_id())
    finally:
        ledger.close()


def test_the_rows_of_a_save_are_recognised_in_the_log_only_byte_for_byte(
        ledger: Ledger) -> None:
    opened = ledger.open_programme(tangerang_terms(), actor="admin")
    subject = ledger.personal.subject_for("3671084312900001")
    member = Enrolment(programme_id=str(opened.id), programme_code="TNG-2025",
                       person_id=str(subject), nik="3671084312900001", kk="3671081203120005",
                       name="Siti",
                       region="36.71", district="36.71.08", village="36.71.08.1001",
                       occupation="ojek", decile=1, register="DTKS",
                       register_snapshot=date(2025, 2, 1), branch="Cimone",
                       enrolled_on=date(2025, 3, 24), wage_band=1_000_000, actor=CLERK)
    stored = [ledger.mapper.to_stored_event(e) for e in member.collect_events()]
    ledger.recorder.insert_events(stored)
    head = ledger.recorder.max_notification_id()

    assert ledger.recorded_already(stored) == [head]
    changed = replace(stored[0], state=stored[0].state + b" ")
    assert ledger.recorded_already([changed]) is None  # another writer's row: a conflict
    unknown = replace(stored[0], originator_version=2)
    assert ledger.recorded_already([unknown]) is None  # nothing there: not saved


def test_a_save_on_a_stale_copy_is_still_refused_by_the_store(ledger: Ledger) -> None:
    ledger.open_programme(tangerang_terms(), actor="admin")
    ours = ledger.programme("TNG-2025")
    theirs = ledger.repository.get(programme_id("TNG-2025"))
    theirs.revise_budget(1_000_000_000, "DPA-2", "revision by another officer", "admin.two")
    ledger.save(theirs)
    ours.revise_budget(999_000_000, "DPA-3", "revision on what was read before", "admin.one")

    from eventsourcing.persistence import IntegrityError

    with pytest.raises(IntegrityError):
        ledger.save(ours)
    assert ledger.programme("TNG-2025").budget_ceiling == 1_000_000_000
