"""The keyed NIK index and the data subjects' keys (``Ledger.personal``), on SQLite and PostgreSQL:
subjects drawn from the ledger's ids and found again by NIK, one subject for a NIK however many
ask at once, keys made once and destroyed by an erasure, and a store refused at start when its
master key is missing or not its own."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from ledger.application import Ledger
from ledger.clock import SeededIds
from ledger.errors import ConfigurationError
from storage.log_index import open_ledger
from storage.master_key import load_master_key
from storage.personal import INDEX_TABLE, KEYS_TABLE, SqlPersonalData
from storage.settings import StoreSettings, key_file_of

NIK = "3671011507900001"
OTHER = "3671015208850002"


def _personal(ledger: Ledger) -> SqlPersonalData:
    personal = ledger.personal
    assert isinstance(personal, SqlPersonalData)
    return personal


def _rows(ledger: Ledger, table: str) -> list[tuple[object, ...]]:
    personal = _personal(ledger)
    with personal.datastore.transaction(commit=False) as cursor:
        name = personal._index if table == INDEX_TABLE else personal._keys
        cursor.execute(f"SELECT * FROM {name}")
        return [tuple(row.values()) if isinstance(row, dict) else tuple(row)
                for row in cursor.fetchall()]


def test_a_new_nik_gets_a_subject_from_the_ledgers_ids_and_keeps_it(
        store_settings: StoreSettings) -> None:
    ledger = open_ledger(store_settings, ids=SeededIds("index"))
    try:
        expected = SeededIds("index")()
        assert ledger.personal.subject_of(NIK) is None
        subject = ledger.personal.subject_for(NIK)
        assert subject == expected
        assert ledger.personal.subject_for(f" {NIK[:6]} {NIK[6:]} ") == subject
        assert ledger.personal.subject_of(NIK) == subject
        both = ledger.personal.subjects_for([OTHER, NIK, OTHER])
        assert both[NIK] == subject and both[OTHER] not in (subject, None)
        # The index holds no NIK, only its HMAC under the index key.
        rows = _rows(ledger, INDEX_TABLE)
        assert len(rows) == 2
        assert all(NIK not in str(row) and OTHER not in str(row) for row in rows)
        master = load_master_key(store_settings)
        assert master is not None
        assert {row[0] for row in rows} == {
            hmac.new(master.index_key, n.encode(), hashlib.sha256).hexdigest()
            for n in (NIK, OTHER)}
    finally:
        ledger.close()


def _race(ask: Any, ledgers: list[Ledger], racers: int = 20) -> None:
    """``ask`` run by ``racers`` threads at once, spread over the ledgers."""
    threads = [threading.Thread(target=ask, args=(ledgers[i % len(ledgers)],))
               for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_twenty_racers_asking_for_a_new_nik_all_get_one_subject(
        store_settings: StoreSettings) -> None:
    ledgers = [open_ledger(store_settings) for _ in range(4)]
    try:
        found: list[UUID] = []
        start = threading.Barrier(20)

        def ask(ledger: Ledger) -> None:
            start.wait()
            found.append(ledger.personal.subject_for(NIK))

        _race(ask, ledgers)
        assert len(found) == 20 and len(set(found)) == 1
        assert len(_rows(ledgers[0], INDEX_TABLE)) == 1
    finally:
        for ledger in ledgers:
            ledger.close()


def test_a_data_key_is_made_once_wrapped_and_destroyed_by_an_erasure(
        store_settings: StoreSettings) -> None:
    ledger = open_ledger(store_settings)
    try:
        personal = _personal(ledger)
        subject = personal.subject_for(NIK)
        key = personal.keys_for([subject], create=True)[subject]
        assert key is not None and len(key) == 32
        assert personal.keys_for([subject], create=True)[subject] == key
        stored = _rows(ledger, KEYS_TABLE)
        assert len(stored) == 1 and base64.b64encode(key).decode() not in str(stored)
        assert not personal.is_erased(subject)

        erased = personal.erase(subject, NIK)

        assert (erased.data_key, erased.index_rows) == (True, 1)
        assert personal.is_erased(subject)
        assert personal.keys_for([subject], create=True)[subject] is None
        assert personal.subject_of(NIK) is None
        again = personal.erase(subject, NIK)
        assert (again.data_key, again.index_rows) == (False, 0)
    finally:
        ledger.close()


def test_another_ledger_reads_the_same_key_and_sees_it_destroyed(
        store_settings: StoreSettings) -> None:
    first, second = open_ledger(store_settings), open_ledger(store_settings)
    try:
        subject = first.personal.subject_for(NIK)
        key = _personal(first).keys_for([subject], create=True)[subject]
        assert _personal(second).keys_for([subject], create=False)[subject] == key
        _personal(first).erase(subject, NIK)
        assert _personal(second).keys_for([subject], create=False)[subject] is None
    finally:
        first.close()
        second.close()


def test_a_store_opened_without_its_master_key_is_refused_in_plain_words(
        store_settings: StoreSettings, tmp_path: Path) -> None:
    missing = replace(store_settings, key_file=str(tmp_path / "nowhere.key"))
    with pytest.raises(ConfigurationError, match=r"master key .* is missing.*nothing was changed"):
        open_ledger(missing, ready=True)
    assert not (tmp_path / "nowhere.key").exists()


def test_a_store_opened_with_another_master_key_is_refused_and_nothing_is_written(
        store_settings: StoreSettings) -> None:
    wrong = replace(store_settings, master_key=base64.b64encode(os.urandom(32)).decode())
    ledger = open_ledger(store_settings)
    try:
        before = (_rows(ledger, INDEX_TABLE), _rows(ledger, KEYS_TABLE))
    finally:
        ledger.close()
    with pytest.raises(ConfigurationError, match=r"not the key of .*nothing was changed"):
        open_ledger(wrong, ready=True)
    other = open_ledger(wrong)
    try:
        with pytest.raises(ConfigurationError, match="not the key of"):
            other.personal.subject_for(NIK)
        assert (_rows(other, INDEX_TABLE), _rows(other, KEYS_TABLE)) == before
    finally:
        other.close()


def test_db_init_makes_the_key_file_beside_the_sqlite_file_readable_by_its_owner_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.settings import settings_from_url
    from storage.store import init_store

    monkeypatch.delenv("LEDGER_KEY_FILE", raising=False)
    monkeypatch.delenv("LEDGER_CIPHER_KEY", raising=False)
    settings = settings_from_url(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    init_store(settings)
    path = key_file_of(settings)
    assert path == tmp_path / "ledger.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(base64.b64decode(path.read_text())) == 32
    init_store(settings)  # again: the same key, nothing changed
    open_ledger(settings, ready=True).close()


def test_an_imports_batch_gets_its_subjects_and_their_keys_in_one_go_the_known_ones_kept(
        ledger: Ledger) -> None:
    personal = _personal(ledger)
    known = personal.subjects_for(["3603010101900001"])["3603010101900001"]
    known_key = personal.keys_for([known], create=True)[known]
    niks = ["3603010101900001", "3603010101900002", "36.03.01 0101900003"]
    subjects, keys, claimed = personal.subjects_with_keys(niks)
    assert subjects["3603010101900001"] == known and keys[known] == known_key
    if ledger.settings.is_postgres:  # the new ones, claimed by this call (none read back)
        assert claimed == {subjects["3603010101900002"], subjects["3603010101900003"]}
    else:
        assert claimed == set()
    assert set(subjects) == {"3603010101900001", "3603010101900002", "3603010101900003"}
    assert subjects == personal.subjects_for(niks)
    assert personal._read_keys(list(subjects.values())) == keys  # the store's rows, unwrapped
    assert all(isinstance(key, bytes) and len(key) == 32 for key in keys.values())
    assert len(_rows(ledger, KEYS_TABLE)) == len(_rows(ledger, INDEX_TABLE)) == 3


def test_an_imports_batch_may_bring_its_niks_already_keyed_and_gets_the_same_subjects(
        ledger: Ledger) -> None:
    personal = _personal(ledger)
    niks = ["3603010101900004", "3603010101900005"]
    hmacs = [personal.keyed(n) for n in niks]
    subjects, keys, _ = personal.subjects_with_keys(niks, hmacs)
    assert subjects == personal.subjects_for(niks)
    again, keys_again, claimed_again = personal.subjects_with_keys(niks, hmacs)
    assert (again, keys_again, claimed_again) == (subjects, keys, set())
    assert len(_rows(ledger, KEYS_TABLE)) == len(_rows(ledger, INDEX_TABLE)) == 2


def test_one_new_nik_asked_with_its_key_twice_keeps_its_subject_and_key(ledger: Ledger) -> None:
    """An enrolment asks for one NIK: on PostgreSQL it is claimed at once (most enrolments bring
    a new NIK; a known one is read back after the claim finds it taken)."""
    personal = _personal(ledger)
    nik = "3603010101900004"
    subjects, keys, claimed = personal.subjects_with_keys([nik])
    subject = subjects[nik]
    assert claimed == ({subject} if ledger.settings.is_postgres else set())
    again = personal.subjects_with_keys([nik])
    assert again == (subjects, keys, set())
    assert len(_rows(ledger, KEYS_TABLE)) == len(_rows(ledger, INDEX_TABLE)) == 1


def test_twenty_racing_enrolments_of_a_new_nik_get_one_subject_and_one_key(
        store_settings: StoreSettings) -> None:
    ledgers = [open_ledger(store_settings) for _ in range(4)]
    try:
        found: list[tuple[UUID, bytes | None]] = []
        start = threading.Barrier(20)

        def ask(ledger: Ledger) -> None:
            start.wait()
            subjects, keys, _ = ledger.personal.subjects_with_keys([NIK])
            found.append((subjects[NIK], keys[subjects[NIK]]))

        _race(ask, ledgers)
        assert len(found) == 20 and len(set(found)) == 1
        assert len(_rows(ledgers[0], INDEX_TABLE)) == len(_rows(ledgers[0], KEYS_TABLE)) == 1
    finally:
        for ledger in ledgers:
            ledger.close()


@pytest.mark.postgres
@pytest.mark.parametrize("store_settings", ["postgres"], indirect=True)
def test_a_claim_offering_a_subject_that_already_has_a_key_fails_whole_and_shares_nothing(
        ledger: Ledger) -> None:
    """Subjects are fresh random ids; an id source that repeats itself must not let a second
    NIK's index row point at the first person's subject and key."""
    personal = _personal(ledger)
    personal.ids = lambda: UUID(int=5)  # a source that gives the same id every time
    subjects, _, _ = personal.subjects_with_keys([NIK])
    assert subjects[NIK] == UUID(int=5)
    with pytest.raises(IntegrityError, match="ledger_subject_keys"):
        personal.subjects_with_keys([OTHER])
    assert personal.subject_of(OTHER) is None  # no index row was left for the second NIK
    assert len(_rows(ledger, KEYS_TABLE)) == len(_rows(ledger, INDEX_TABLE)) == 1
