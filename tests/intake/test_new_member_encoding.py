"""New members' events made directly as stored events are, byte for byte, what the library's
mapper makes of the event objects: the same JSON (keys, order, separators, non-ASCII text,
escapes), the same date and datetime transcodings, then the mapper's compressor and cipher.

The application's own mapper seals personal fields per data subject (storage.sealing), and the
encoder stands aside for it (tests/storage/test_sealing.py, and the import tests, cover that
path); these tests hold the encoder to the library's mapper on the ledger's transcoder."""

from __future__ import annotations

import base64
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Mapper
from eventsourcing.utils import Environment

from ledger.application import Ledger
from storage.bulk_append import copy_tuples
from storage.log_index import open_ledger
from storage.new_members import NewMemberEncoder, new_member_events
from storage.settings import StoreSettings


@dataclass
class Plain:
    """What the encoder is held to: the library's mapper on the ledger's transcoder."""

    mapper: Mapper[UUID]


def _plain(ledger: Ledger, cipher: Any = None, compressor: Any = None) -> Plain:
    return Plain(Mapper(ledger.mapper.transcoder, compressor=compressor, cipher=cipher))

LETTERS = ("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'-.,\"\\/"
           "ÑñḤḥÀÉÍÓÚäöüß\u2028\u2029\t\n\x01\x1f\x7f☃😀中文ا")


def _members(count: int, seed: int) -> Iterator[dict[str, Any]]:
    draw = random.Random(seed)
    for number in range(count):
        nik = f"3603{draw.randrange(10**11, 10**12)}"
        name = "".join(draw.choice(LETTERS) for _ in range(draw.randrange(1, 30)))
        day = date(2024, 1, 1) + timedelta(days=draw.randrange(700))
        yield dict(
            person=UUID(int=draw.getrandbits(128)), person_nik=nik,
            person_id=str(UUID(int=draw.getrandbits(128))), nik=nik, programme_id=f"p-{number}",
            programme_code="KABTNG-2025", kk=f"3603{draw.randrange(10**11, 10**12)}",
            name=name, region="36.03", district="36.03.01",
            village=draw.choice(["36.03.01.1001", "Kelurahan Ñusa", "Desa \"Baru\""]),
            occupation=draw.choice(["petani", "nelayan", "pemulung"]),
            decile=draw.randrange(1, 11), register=draw.choice(["DTSEN", "DTKS"]),
            register_snapshot=day, branch="Tigaraksa", enrolled_on=day + timedelta(days=3),
            wage_band=draw.choice([1_000_000, 2_500_000]), actor=draw.choice(["clerk", "Ḥana"]),
            enrolment=UUID(int=draw.getrandbits(128)))


def _stamps(seed: int) -> list[datetime]:
    start = datetime(2025, 1, 2, 3, 4, 5, seed % 1_000_000, tzinfo=UTC)
    return [start, start + timedelta(microseconds=1), start + timedelta(microseconds=7)]


def _both(ledger: Plain, member: dict[str, Any], seed: int) -> tuple[list[Any], list[Any]]:
    encoder = NewMemberEncoder(ledger.mapper)
    assert encoder.fast
    library = [ledger.mapper.to_stored_event(e)
               for e in new_member_events(**member, clock=iter(_stamps(seed)).__next__)]
    fast = list(encoder.stored(**member, clock=iter(_stamps(seed)).__next__))
    return library, fast


@pytest.fixture
def plain(sqlite_settings: StoreSettings) -> Iterator[Plain]:
    ledger = open_ledger(sqlite_settings)
    yield _plain(ledger)
    ledger.close()


def test_two_thousand_generated_members_are_encoded_byte_for_byte_as_the_mapper_would(
        plain: Plain) -> None:
    encoder = NewMemberEncoder(plain.mapper)
    assert encoder.fast
    for seed, member in enumerate(_members(2000, 11)):
        library = [plain.mapper.to_stored_event(e)
                   for e in new_member_events(**member, clock=iter(_stamps(seed)).__next__)]
        fast = list(encoder.stored(**member, clock=iter(_stamps(seed)).__next__))
        assert fast == library


def test_names_with_indonesian_and_other_non_ascii_letters_are_stored_unescaped_as_the_mapper_does(
        plain: Plain) -> None:
    for seed, name in enumerate(["Nur'aini Siti Ḥasanah", "Ñ", "O\"Brien \\ Ñ\t😀"]):
        member = next(_members(1, seed)) | {"name": name}
        library, fast = _both(plain, member, seed)
        assert fast == library
        assert name.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").encode() in (
            fast[2].state)


def test_a_name_orjson_refuses_goes_through_the_mapper_and_fails_as_the_mapper_does(
        plain: Plain) -> None:
    member = next(_members(1, 3)) | {"name": "Siti \ud800 Aminah"}
    with pytest.raises(UnicodeEncodeError):
        _both(plain, member, 3)
    with pytest.raises(UnicodeEncodeError):
        NewMemberEncoder(plain.mapper).stored(**member)


def test_with_a_compressor_the_stored_bytes_are_still_the_mappers(
        sqlite_settings: StoreSettings) -> None:
    opened = open_ledger(sqlite_settings)
    try:
        ledger = _plain(opened, compressor=ZlibCompressor())
        for seed, member in enumerate(_members(200, 5)):
            library, fast = _both(ledger, member, seed)
            assert fast == library
    finally:
        opened.close()


def test_with_a_cipher_the_rows_are_encrypted_by_the_mapper_cipher_and_decrypt_to_the_same_bytes(
        sqlite_settings: StoreSettings) -> None:
    opened = open_ledger(sqlite_settings)
    key = base64.b64encode(os.urandom(32)).decode()
    ledger = _plain(opened, cipher=AESCipher(Environment(env={"CIPHER_KEY": key})))
    try:
        cipher = ledger.mapper.cipher
        assert cipher is not None
        for seed, member in enumerate(_members(200, 7)):
            library, fast = _both(ledger, member, seed)
            for mine, theirs in zip(fast, library, strict=True):
                assert mine.state != theirs.state  # a fresh nonce each: really encrypted
                assert member["nik"].encode() not in mine.state
                assert cipher.decrypt(mine.state) == cipher.decrypt(theirs.state)
                assert (vars(ledger.mapper.to_domain_event(mine))
                        == vars(ledger.mapper.to_domain_event(theirs)))
    finally:
        opened.close()


def test_events_encoded_in_a_worker_and_stamped_later_are_the_mappers_bytes(
        plain: Plain) -> None:
    encoder = NewMemberEncoder(plain.mapper)
    for seed, member in enumerate(_members(2000, 13)):
        library = [plain.mapper.to_stored_event(e)
                   for e in new_member_events(**member, clock=iter(_stamps(seed)).__next__)]
        unstamped = encoder.unstamped(**member)
        assert unstamped is not None
        assert list(encoder.stamped_events(unstamped, clock=iter(_stamps(seed)).__next__)) == (
            library)


def test_copy_tuples_stamped_in_the_parent_are_the_tuples_of_the_mappers_rows(
        plain: Plain) -> None:
    encoder = NewMemberEncoder(plain.mapper)
    for uuid_ids in (True, False):
        for seed, member in enumerate(_members(50, 17)):
            library = [plain.mapper.to_stored_event(e)
                       for e in new_member_events(**member, clock=iter(_stamps(seed)).__next__)]
            parts = encoder.unstamped_parts(uuid_ids, **member)
            assert parts is not None
            assert encoder.stamped_tuples(parts, clock=iter(_stamps(seed)).__next__) == (
                copy_tuples(library, uuid_ids))


def test_copy_tuples_stamped_in_the_parent_are_compressed_as_the_mapper_compresses(
        sqlite_settings: StoreSettings) -> None:
    opened = open_ledger(sqlite_settings)
    ledger = _plain(opened, compressor=ZlibCompressor())
    try:
        encoder = NewMemberEncoder(ledger.mapper)
        assert encoder.fast and ledger.mapper.compressor is not None
        for seed, member in enumerate(_members(50, 19)):
            library = [ledger.mapper.to_stored_event(e)
                       for e in new_member_events(**member, clock=iter(_stamps(seed)).__next__)]
            parts = encoder.unstamped_parts(True, **member)
            assert parts is not None
            assert encoder.stamped_tuples(parts, clock=iter(_stamps(seed)).__next__) == (
                copy_tuples(library))
    finally:
        opened.close()
