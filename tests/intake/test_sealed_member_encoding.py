"""A new member's events sealed directly (the import's path, storage.sealed_members) mean exactly
what the sealing mapper's mean, on SQLite and PostgreSQL: the same clear JSON once the nonces and
ciphertexts are left out, the same events when read back through the mapper, under the
subject's own data key from the store; and nothing personal in clear."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import orjson

from ledger.application import Ledger
from storage.new_members import new_member_events
from storage.sealed_members import SealedMemberEncoder

LETTERS = ("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'-.,\"\\/"
           "ÑñḤḥÀÉÍÓÚäöüß\u2028\u2029\t\n\x01\x1f\x7f☃😀中文ا")


def _members(count: int, seed: int) -> Iterator[tuple[str, dict[str, Any]]]:
    draw = random.Random(seed)
    for number in range(count):
        nik = f"3603{draw.randrange(10**11, 10**12)}"
        name = "".join(draw.choice(LETTERS) for _ in range(draw.randrange(1, 30)))
        day = date(2024, 1, 1) + timedelta(days=draw.randrange(700))
        yield nik, dict(
            programme_id=f"p-{number}", programme_code="KABTNG-2025", person_id="",
            nik=nik, kk=f"3603{draw.randrange(10**11, 10**12)}", name=name, region="36.03",
            district="36.03.01",
            village=draw.choice(["36.03.01.1001", "Kelurahan Ñusa", "Desa \"Baru\""]),
            occupation=draw.choice(["petani", "nelayan", "pemulung"]),
            decile=draw.randrange(1, 11), register=draw.choice(["DTSEN", "DTKS"]),
            register_snapshot=day, branch="Tigaraksa", enrolled_on=day + timedelta(days=3),
            wage_band=draw.choice([1_000_000, 2_500_000]), actor=draw.choice(["clerk", "Ḥana"]))


def _stamps(seed: int) -> list[datetime]:
    start = datetime(2025, 1, 2, 3, 4, 5, seed % 1_000_000, tzinfo=UTC)
    return [start, start + timedelta(microseconds=1), start + timedelta(microseconds=7)]


def _clear(state: bytes) -> Any:
    """The stored JSON with each sealed record's nonce and ciphertext left out."""
    loaded = orjson.loads(state)
    for record in loaded.get("_sealed", []):
        assert len(base64.b64decode(record.pop("n"))) == 12
        record.pop("c")
    return loaded


def _one_member(ledger: Ledger, seed: int) -> tuple[SealedMemberEncoder, str, dict[str, Any],
                                                    UUID, bytes, Any]:
    """An encoder, a generated member (NIK and fields), its subject, key and sealing parts."""
    encoder = SealedMemberEncoder(ledger.mapper)
    nik, fields = next(_members(1, seed))
    person = ledger.personal.subjects_for([nik])[nik]
    key = ledger.personal.keys_for(  # type: ignore[attr-defined]
        [person], create=True)[person]
    assert key is not None
    parts = encoder.parts(nik, fields)
    assert parts is not None
    return encoder, nik, fields, person, key, parts


def test_two_hundred_generated_members_sealed_directly_mean_what_the_mapper_seals(
        ledger: Ledger) -> None:
    encoder = SealedMemberEncoder(ledger.mapper)
    assert encoder.fast
    members = list(_members(200, 5))
    subjects = ledger.personal.subjects_for([nik for nik, _ in members])
    keys = ledger.personal.keys_for(  # type: ignore[attr-defined]
        list(subjects.values()), create=True)
    for seed, (nik, fields) in enumerate(members):
        person = subjects[nik]
        key = keys[person]
        assert key is not None
        enrolment = UUID(int=seed + 1)
        library = [ledger.mapper.to_stored_event(e) for e in new_member_events(
            person=person, person_nik=nik, enrolment=enrolment,
            clock=iter(_stamps(seed)).__next__, **(fields | {"person_id": str(person)}))]
        parts = encoder.parts(nik, fields)
        assert parts is not None
        fast = encoder.stored(person, enrolment, key, parts, iter(_stamps(seed)).__next__)
        for ours, theirs in zip(fast, library, strict=True):
            assert (ours.originator_id, ours.originator_version, ours.topic) == (
                theirs.originator_id, theirs.originator_version, theirs.topic)
            assert _clear(ours.state) == _clear(theirs.state)
            assert orjson.loads(ours.state).keys() == orjson.loads(theirs.state).keys()
            assert vars(ledger.mapper.to_domain_event(ours)) == vars(
                ledger.mapper.to_domain_event(theirs))
            for personal in (nik, fields["kk"], fields["name"]):
                if len(personal) >= 8:  # a short name's letters may be in any JSON
                    assert orjson.dumps(personal)[1:-1] not in ours.state


def test_copy_tuples_sealed_directly_hold_the_stored_events_of_the_same_call(
        ledger: Ledger) -> None:
    encoder, _, _, person, key, parts = _one_member(ledger, 9)
    nonces = iter([bytes([n]) * 12 for n in range(2)] * 2)
    encoder.random_bytes = lambda size: next(nonces)
    tuples = encoder.copy_tuples(person, UUID(int=3), key, parts, True,
                                 iter(_stamps(1)).__next__)
    stored = encoder.stored(person, UUID(int=3), key, parts, iter(_stamps(1)).__next__)
    for event in stored:
        assert event.state in tuples
    assert orjson.loads(stored[0].state)["_sealed"][0]["n"] == base64.b64encode(
        b"\x00" * 12).decode()


def test_a_value_orjson_refuses_leaves_the_member_to_the_mapper(ledger: Ledger) -> None:
    encoder = SealedMemberEncoder(ledger.mapper)
    nik, fields = next(_members(1, 3))
    assert encoder.parts(nik, fields | {"name": "lone \ud800 surrogate"}) is None


class _Stamp(datetime):
    """A datetime of another class, as a frozen test clock gives (orjson writes none)."""


def test_stamps_in_another_zone_or_of_another_class_are_written_by_the_transcoder(
        ledger: Ledger) -> None:
    """orjson writes a UTC datetime itself; any other stamp goes through the transcoder's own
    ISO text, as the mapper writes it."""
    encoder, nik, fields, person, key, parts = _one_member(ledger, 11)
    west_java = timezone(timedelta(hours=7))
    stamps = [datetime(2025, 1, 2, 10, 4, 5, n, tzinfo=west_java) for n in (0, 1, 7)]
    library = [ledger.mapper.to_stored_event(e) for e in new_member_events(
        person=person, person_nik=nik, enrolment=UUID(int=5), clock=iter(stamps).__next__,
        **(fields | {"person_id": str(person)}))]
    fast = encoder.stored(person, UUID(int=5), key, parts, iter(stamps).__next__)
    assert [_clear(e.state) for e in fast] == [_clear(e.state) for e in library]
    other = [_Stamp(2025, 1, 2, 3, 4, 5, n, tzinfo=UTC) for n in (0, 1, 7)]
    written = encoder.stored(person, UUID(int=6), key, parts, iter(other).__next__)
    assert [orjson.loads(e.state)["timestamp"]["_data_"] for e in written] == [
        other[0].isoformat(), other[2].isoformat(), other[1].isoformat()]
