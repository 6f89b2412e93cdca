"""A store of the earlier release (plain JSON states, Person ids the uuid5 of the NIK, possibly
under the whole-store cipher) migrates into a new store of the sealed form, on SQLite and on
PostgreSQL: every event again at its position with its id, version, topic and time (a person's
id new), no NIK or name in clear, every figure the same, the old root linked to the new by a
signed statement; a second run, a store holding records, a store of the new form and an old
store altered since it was signed are refused, and leave the target as it was."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher
from migration_figures import canonical, figures
from psycopg import sql

from ledger.journal.checkpoint import leaf_of, new_private_key, private_key, public_key_text
from ledger.journal.merkle import Frontier
from ledger.journal.migration_link import MigrationLink
from storage.bulk import stored_pages
from storage.log_index import open_ledger
from storage.migration import MigrationReport, migrate, subjects_of
from storage.migration_source import OldStore
from storage.migration_tables import (
    MigrationRefusedError,
    checkpoints_before_migration,
    migration_record,
)
from storage.migration_upgrade import BY_NIK, PERSON, old_person_id
from storage.personal import INDEX_TABLE, KEYS_TABLE
from storage.settings import StoreSettings, settings_from_url
from storage.store import init_store, postgres_connect_args, qualified
from tests.storage.migration_stores import (
    OLDER_LOG,
    RELEASE_LOG,
    release_rows,
    write_old_store,
)

SIGNING_KEY = new_private_key()
MANIFEST = json.loads((RELEASE_LOG / "log.jsonl").open(encoding="utf-8").readline())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fresh(kind: str, request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    """Makes more initialised, empty stores of the test's kind (dropped at the end)."""
    schemas: list[str] = []

    def make(name: str) -> StoreSettings:
        if kind == "sqlite":
            settings = settings_from_url(f"sqlite:///{tmp_path / f'{name}.sqlite'}")
        else:
            database = request.getfixturevalue("postgres_database")
            schemas.append(f"m_{name}_{uuid.uuid4().hex[:10]}")
            settings = settings_from_url(f"{database}?schema={schemas[-1]}")
        init_store(settings)
        return settings

    yield make
    if schemas:
        database = request.getfixturevalue("postgres_database")
        with psycopg.connect(database, autocommit=True) as connection:
            for schema in schemas:
                connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)))


def _migrate(old: StoreSettings, new: StoreSettings, cipher_key: str | None = None
             ) -> MigrationReport:
    ledger = open_ledger(new)
    try:
        return migrate(ledger, OldStore(old, cipher_key), subjects_of(ledger), SIGNING_KEY)
    finally:
        ledger.close()


def _rows(settings: StoreSettings) -> list[tuple[int, str, int, str, bytes]]:
    ledger = open_ledger(settings)
    try:
        pages = stored_pages(
            ledger.recorder.datastore, ledger.qualified_events_table,  # type: ignore[attr-defined]
            settings.is_postgres, connect=lambda: psycopg.connect(
                **postgres_connect_args(settings)))
        return [(p, str(UUID(o.decode())), v, t.decode(), s)
                for page in pages for p, o, v, t, s in page]
    finally:
        ledger.close()


def _count(settings: StoreSettings, table: str) -> int:
    ledger = open_ledger(settings)
    try:
        with ledger.recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
            cursor.execute(f"SELECT count(*) AS n FROM {qualified(settings, table)}")
            return int(cursor.fetchone()["n"])
    finally:
        ledger.close()


def _untouched(settings: StoreSettings) -> None:
    """The store holds no event, no data subject and no migration."""
    assert _rows(settings) == []
    assert _count(settings, INDEX_TABLE) == _count(settings, KEYS_TABLE) == 0
    ledger = open_ledger(settings)
    try:
        assert migration_record(ledger) is None
    finally:
        ledger.close()


def _old_events() -> list[tuple[int, Any]]:
    """The earlier release's events, decoded as it decoded them."""
    store = OldStore(settings_from_url("sqlite:///unused"))
    from storage.migration_source import OldRow

    return [(p, store.decode(OldRow(p, UUID(o), v, t, s))) for p, o, v, t, s in release_rows()[0]]


def test_every_event_is_recorded_again_at_its_position_with_its_id_version_topic_and_time(
        fresh: Any) -> None:
    old, new = fresh("old"), fresh("new")
    write_old_store(old)
    report = _migrate(old, new)
    ledger = open_ledger(new)
    try:
        migrated = {n.id: ledger.mapper.to_domain_event(n)
                    for n in ledger.recorder.select_notifications(start=1, limit=1000)}
        persons: dict[UUID, UUID] = {}
        for position, before in _old_events():
            after: Any = migrated[position]
            assert (type(after), after.originator_version, after.timestamp) == (
                type(before), before.originator_version, before.timestamp)
            if type(before).__qualname__.startswith("Person."):
                assert after.originator_id != before.originator_id
                persons.setdefault(before.originator_id, after.originator_id)
                assert persons[before.originator_id] == after.originator_id
            else:
                assert after.originator_id == before.originator_id
        assert report.people == len(persons) == 8
        # A member is found by NIK through the new store's index, under a random id.
        enrolled = next(e for e in migrated.values()
                        if type(e).__qualname__ == "Enrolment.Enrolled")
        person = ledger.person(enrolled.nik)
        assert person is not None and str(person.id) == enrolled.person_id
        assert person.id != old_person_id(enrolled.nik)
    finally:
        ledger.close()


def _personal_values(state: Any, key: str = "") -> Iterator[str]:
    """Every NIK-like number in an old event, and the names and accounts of people."""
    if isinstance(state, dict):
        for inner, value in state.items():
            yield from _personal_values(value, inner)
    elif isinstance(state, list):
        for value in state:
            yield from _personal_values(value, key)
    elif isinstance(state, str) and state and (re.fullmatch(r"\d{16}", state) or key in (
            "account_number", "account_name", "heir_certificate", "child_name", "kpj")):
        yield state


def test_the_new_events_table_holds_no_nik_kk_name_or_account_in_clear(fresh: Any) -> None:
    old, new = fresh("old"), fresh("new")
    write_old_store(old)
    _migrate(old, new)
    personal = {value for _, event in _old_events() for value in _personal_values(vars(event))}
    personal |= {vars(e)["name"] for _, e in _old_events()
                 if type(e).__qualname__ == "Enrolment.Enrolled"}
    assert len(personal) > 20
    stored = b"\n".join(state for *_, state in _rows(new))
    assert [value for value in personal if value.encode() in stored] == []
    assert b"TNG-2025" in stored  # what a figure needs stays in clear


def test_every_figure_is_the_same_after_the_migration(fresh: Any) -> None:
    old, new = fresh("old"), fresh("new")
    write_old_store(old)
    _migrate(old, new)
    ledger = open_ledger(new)
    try:
        found = figures(ledger)
    finally:
        ledger.close()
    assert canonical(found) == canonical(json.loads((RELEASE_LOG / "figures.json").read_text()))


def test_a_signed_statement_links_the_old_root_to_the_new_and_the_old_checkpoints_are_kept(
        fresh: Any) -> None:
    old, new = fresh("old"), fresh("new")
    write_old_store(old)
    report = _migrate(old, new)
    frontier = Frontier()
    for row in _rows(new):
        frontier.append(leaf_of(*row))
    ledger = open_ledger(new)
    try:
        record = migration_record(ledger)
        history = checkpoints_before_migration(ledger)
    finally:
        ledger.close()
    assert record is not None and record.source == old.describe()
    link = MigrationLink.from_text(record.statement)
    assert link == report.link
    assert link.verifies_with(public_key_text(private_key(SIGNING_KEY)))
    assert (link.old_size, link.old_root.hex()) == (113, MANIFEST["root"])
    assert (link.new_size, link.new_root) == (113, frontier.root())
    assert link.new_root != link.old_root  # a new log
    assert [(c.size, c.witness) for c in history] == [(13, ""), (113, "")]
    assert history[-1].root == MANIFEST["root"]
    assert (report.checkpoint.size, report.checkpoint.root) == (113, frontier.root())


def test_a_second_migration_is_refused_saying_when_the_first_ran_and_changes_nothing(
        fresh: Any) -> None:
    old, new = fresh("old"), fresh("new")
    write_old_store(old)
    first = _migrate(old, new)
    rows, subjects = _rows(new), _count(new, INDEX_TABLE)
    with pytest.raises(MigrationRefusedError, match=f"migrated already, on "
                       f"{re.escape(first.record.ran_at)}.*runs once. Nothing was changed"):
        _migrate(old, new)
    assert _rows(new) == rows
    assert _count(new, INDEX_TABLE) == subjects > first.people  # and heirs, children


def test_a_target_holding_records_is_refused(fresh: Any) -> None:
    old, new = fresh("old"), fresh("new")
    write_old_store(old)
    write_old_store(new)
    with pytest.raises(MigrationRefusedError, match="already holds 113 event"):
        _migrate(old, new)


def test_a_run_killed_before_it_wrote_the_log_can_simply_be_run_again(fresh: Any) -> None:
    old, new = fresh("old"), fresh("new")
    write_old_store(old)
    enrolled = next(vars(e) for _, e in _old_events()
                    if type(e).__qualname__ == "Enrolment.Enrolled")
    ledger = open_ledger(new)
    try:  # what a killed run leaves: the index asked, keys made, no event
        subject = ledger.personal.subject_for(enrolled["nik"])
        ledger.personal.keys_for([subject], create=True)  # type: ignore[attr-defined]
    finally:
        ledger.close()
    _migrate(old, new)
    ledger = open_ledger(new)
    try:
        person = ledger.person(enrolled["nik"])
        assert person is not None and person.id == subject
    finally:
        ledger.close()


def test_a_store_of_the_new_form_is_refused_as_the_old_store_and_the_target_is_left_empty(
        fresh: Any) -> None:
    old, new, third = fresh("old"), fresh("new"), fresh("third")
    write_old_store(old)
    _migrate(old, new)
    with pytest.raises(MigrationRefusedError, match="of the new form already"):
        _migrate(new, third)
    _untouched(third)


def test_an_old_store_altered_since_it_was_signed_is_refused_and_the_target_left_as_it_was(
        fresh: Any) -> None:
    old, new = fresh("old"), fresh("new")
    position, *_, state = next(row for row in release_rows()[0] if b"TNG-2025" in row[4])
    assert position <= 13
    write_old_store(old, edit={position: state.replace(b"TNG-2025", b"TNG-2024")})
    with pytest.raises(MigrationRefusedError, match="no longer has the root of its checkpoint "
                       "of 13 events"):
        _migrate(old, new)
    _untouched(new)  # the subjects the index was asked for are gone again


def test_an_old_store_under_the_whole_store_cipher_migrates_with_its_key_only(
        fresh: Any) -> None:
    old, new = fresh("old"), fresh("new")
    key = AESCipher.create_key(num_bytes=32)
    write_old_store(old, cipher_key=key)
    with pytest.raises(MigrationRefusedError, match="give the earlier release's "
                       "LEDGER_CIPHER_KEY with --old-cipher-key"):
        _migrate(old, new)
    with pytest.raises(MigrationRefusedError, match="another key than --old-cipher-key"):
        _migrate(old, new, AESCipher.create_key(num_bytes=32))
    _untouched(new)
    report = _migrate(old, new, key)
    assert report.link.old_size == 113 and report.history == 0


def test_the_subject_fields_the_migration_fills_are_those_the_new_store_seals_by() -> None:
    from ledger.personal_fields import OWN_ID, SEALED

    sealed = {(topic, g.subject, g.each) for topic, groups in SEALED.items() for g in groups
              if g.subject != OWN_ID}
    filled = {(topic, subject, each) for topic, rules in BY_NIK.items()
              for subject, _, each in rules}
    # Filled from another event: a KPJ's member by the enrolment, a handover's recipient and
    # child by their claim.
    from_elsewhere = {
        ("ledger.enrolment:Enrolment.KpjRecorded", "person_id", None),
        ("ledger.handover:Handover.Held", "recipient_subject_id", "items"),
        ("ledger.handover:Handover.Held", "scholarship.child_subject_id", "items")}
    assert sealed == filled | from_elsewhere
    assert all(topic.startswith(PERSON) is False for topic, *_ in filled)


def test_the_command_migrates_once_with_progress_on_stderr_and_verify_shows_the_link(
        fresh: Any, tmp_path: Any) -> None:
    from cli_run import run_cli

    old, new = fresh("old"), fresh("new")
    write_old_store(old)
    signing = {"LEDGER_SIGNING_KEY": SIGNING_KEY}
    without = run_cli("migrate", "--from", old.url, url=new.url, cwd=tmp_path)
    assert without.returncode == 2 and "set LEDGER_SIGNING_KEY first" in without.stderr
    done = run_cli("migrate", "--from", old.url, url=new.url, cwd=tmp_path, extra_env=signing)
    assert done.returncode == 0, done.stderr
    assert "migrated 113 of 113 events" in done.stderr
    assert f"old journal root {MANIFEST['root']} (2 checkpoint(s) kept as history)" \
        in done.stdout
    verified = run_cli("verify", url=new.url, cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert "OK: 113 events" in verified.stdout and "1 checkpoint(s) match" in verified.stdout
    assert "OK: migrated on " in verified.stdout and MANIFEST["root"] in verified.stdout
    again = run_cli("migrate", "--from", old.url, url=new.url, cwd=tmp_path, extra_env=signing)
    assert again.returncode == 2
    assert "this store was migrated already, on " in again.stderr
    assert "Traceback" not in again.stderr + done.stderr


def test_an_old_log_co_signed_under_the_configured_origin_is_kept_and_the_command_says_to_move(
        fresh: Any, tmp_path: Any) -> None:
    from cli_run import run_cli

    old, new = fresh("old"), fresh("new")
    origin = "jamsos.tangerangkota.go.id/ledger"
    write_old_store(old, origin=origin)
    done = run_cli("migrate", "--from", old.url, url=new.url, cwd=tmp_path,
                   extra_env={"LEDGER_SIGNING_KEY": SIGNING_KEY, "LEDGER_ORIGIN": origin})
    assert done.returncode == 0, done.stderr
    assert "(3 checkpoint(s) kept as history)" in done.stdout
    assert f"witnesses co-signed the old log as {origin}" in done.stdout
    assert "Set LEDGER_ORIGIN to a new origin" in " ".join(done.stdout.split())
    ledger = open_ledger(new)
    try:
        history = checkpoints_before_migration(ledger)
    finally:
        ledger.close()
    assert [(c.size, c.witness) for c in history] == [(13, ""), (113, ""), (113, "bpk")]
    verified = run_cli("verify", url=new.url, cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert "3 checkpoint(s) of the old log kept as history" in verified.stdout


def test_a_log_of_the_release_before_migrates_too_and_keeps_its_figures(fresh: Any) -> None:
    old, new = fresh("old"), fresh("new")
    write_old_store(old, folder=OLDER_LOG)
    report = _migrate(old, new)
    assert (report.link.old_size, report.people, report.history) == (43, 4, 1)
    assert report.link.old_root.hex() == (OLDER_LOG / "checkpoint.txt").read_text().split(
        "root ")[1].split()[0]
    ledger = open_ledger(new)
    try:
        found = figures(ledger)
    finally:
        ledger.close()
    assert found["claims"] == 3 and found["position"] == 43
    assert found["TNG-2025"]["budget"]["members"] == 3
    stored = b"\n".join(state for *_, state in _rows(new))
    assert re.findall(rb'"\d{16}"', stored) == []


def test_an_export_of_a_migrated_store_restores_with_its_migration(fresh: Any,
                                                                    tmp_path: Any) -> None:
    from storage.archive import export_log, restore_log

    old, new, restored = fresh("old"), fresh("new"), fresh("restored")
    write_old_store(old)
    report = _migrate(old, new)
    ledger = open_ledger(new)
    try:
        manifest = export_log(ledger, tmp_path / "migrated.jsonl")
    finally:
        ledger.close()
    assert (manifest.migration, manifest.checkpoints) == (1 + 2, 1)
    ledger = open_ledger(restored)
    try:
        with (tmp_path / "migrated.jsonl").open(encoding="utf-8") as lines:
            restore_log(ledger, lines)
        assert migration_record(ledger) == report.record
        assert [c.size for c in checkpoints_before_migration(ledger)] == [13, 113]
    finally:
        ledger.close()
    assert _rows(restored) == _rows(new)
