"""The store's master key at work: the stored rows hold no personal number in clear (they are
sealed per data subject, under keys the master key wraps), and the ledger, its projections,
verify and export/restore work as they did; an export restores under the same master key only."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.asof import AsOf
from ledger.errors import ConfigurationError
from projections.journal import Journal
from projections.queries import Reader
from projections.records import Records
from projections.runner import Projector
from storage.archive import export_log, restore_log
from storage.log_index import open_ledger
from storage.settings import StoreSettings, settings_from_environment, with_master_key
from storage.store import init_store
from tests.scenario import heir


def _stored_states(ledger: Ledger) -> list[bytes]:
    datastore: Any = ledger.recorder.datastore
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT state FROM {ledger.qualified_events_table}")
        return [bytes(row["state"]) for row in cursor.fetchall()]


def test_stored_rows_hold_no_personal_number_in_clear_and_everything_works(
        store_settings: StoreSettings, story: Callable[[Ledger], str]) -> None:
    ledger = open_ledger(store_settings)
    try:
        nik = story(ledger)  # enrolments, contributions, a death, a claim approved and paid
        states = _stored_states(ledger)
        for personal in (nik, heir().nik, heir().account_number, heir().name):
            assert not [s for s in states if personal.encode() in s], personal
        assert any(b"TNG-2025" in s for s in states)  # what the figures need stays clear
        projector = Projector(ledger)
        try:
            projector.catch_up()
            reader = Reader(projector.connection, projector.live)
            covered = reader.members(program="TNG-2025", after=0, limit=10,
                                     person=str(ledger.personal.subject_of(nik)))
            assert [m["status"] for m in covered] == ["deceased"]
            [claim] = reader.claims(program="TNG-2025", limit=10)
            assert claim["disbursed"] == 42_000_000
            assert Journal(ledger, projector.connection, projector.live).verify().ok
            enrolment_id = covered[0]["enrolment_id"]
        finally:
            projector.close()
        assert ledger.enrolment(enrolment_id).nik == nik  # through the repository
        position = int(ledger.recorder.max_notification_id() or 0)
        assert AsOf(ledger).get(enrolment_id, position) is not None  # reads past the repository
        assert ledger.first_events([ledger.enrolment(enrolment_id).id])
        # A member's timeline: found by the stored bytes in clear, by decoding them encrypted;
        # each event once, in log order, the payment orders naming the member among them.
        timeline = Records(ledger).timeline("member", enrolment_id)
        positions = [event.position for event in timeline]
        assert positions == sorted(set(positions)) and positions[-1] <= position
        kinds = {event.type for event in timeline}
        assert {"Enrolment.Enrolled", "Contribution.Paid", "Person.DeathRecorded"} <= kinds
    finally:
        ledger.close()


def test_an_export_restores_under_the_same_master_key_only(
        store_settings: StoreSettings, empty_store: StoreSettings,
        story: Callable[[Ledger], str], tmp_path: Path) -> None:
    exported = tmp_path / "sealed.jsonl"
    ledger = open_ledger(store_settings)
    try:
        nik = story(ledger)
        manifest = export_log(ledger, exported)
    finally:
        ledger.close()
    assert manifest.encrypted and manifest.keys >= 2 and manifest.index >= 2
    assert nik not in exported.read_text()

    # Another store, under another master key (another machine's): nothing is kept.
    other_key = base64.b64encode(os.urandom(32)).decode()
    elsewhere = with_master_key(replace(empty_store, url=empty_store.url + "#other"), other_key)
    if elsewhere.is_postgres:
        elsewhere = replace(elsewhere, env={**elsewhere.env,
                                            "POSTGRES_SCHEMA": elsewhere.env["POSTGRES_SCHEMA"]
                                            + "_k"})
    else:
        elsewhere = replace(elsewhere, env={**elsewhere.env, "SQLITE_DBNAME": str(
            tmp_path / "elsewhere.sqlite")})
    init_store(elsewhere)
    other = open_ledger(elsewhere)
    try:
        with exported.open() as lines, pytest.raises(ConfigurationError, match="does not open"):
            restore_log(other, lines)
        assert int(other.recorder.max_notification_id() or 0) == 0
    finally:
        other.close()

    restored = open_ledger(empty_store)
    try:
        with exported.open() as lines:
            restore_log(restored, lines)
        projector = Projector(restored)
        try:
            projector.catch_up()
            journal = Journal(restored, projector.connection, projector.live)
            assert journal.head().root.hex() == manifest.root
            assert journal.verify().ok
            members = Reader(projector.connection, projector.live).members(
                program="TNG-2025", after=0, limit=10,
                person=str(restored.personal.subject_of(nik)))
            assert [m["status"] for m in members] == ["deceased"]  # the sealed fields read
        finally:
            projector.close()
    finally:
        restored.close()


def test_a_master_key_that_is_not_a_key_is_refused_in_plain_words(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_CIPHER_KEY", "my-secret-password")
    with pytest.raises(ConfigurationError, match="claims-ledger db keygen"):
        settings_from_environment()


def test_db_keygen_prints_a_key_the_ledger_accepts(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "api", "db", "keygen"], capture_output=True,
                          text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    name, _, key = done.stdout.strip().partition("=")
    assert name == "LEDGER_CIPHER_KEY"
    settings = with_master_key(StoreSettings("sqlite:///x", "sqlite", {}), key)
    assert settings.master_key == key and len(base64.b64decode(key)) == 32
