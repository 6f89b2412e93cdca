"""A new member's three events sealed directly, in a tight loop: the import's path since issue 18.

:class:`~storage.sealing.SealingMapper` seals an event by taking its personal fields out of a
copy of its state, encoding them with the transcoder, looking the subject's data key up and
encrypting them with AES-GCM; for the three events of a member the ledger has never seen
(``Person.Registered``, ``Person.CoverageStarted``, ``Enrolment.Enrolled``, see
:mod:`storage.new_members`) that generic walk costs about three times the rest of an import's
work per member. This module makes the same stored events directly:

- :meth:`SealedMemberEncoder.parts`, which needs no database, no key and no subject (a worker
  process runs it): the JSON of the clear fields before and after the person id, the keyed
  pseudonym of the family card (HMAC under the index key, held in memory by every process
  forked from the import), and the two plaintexts to seal (the person's NIK; the enrolment's
  NIK, family card and name);
- :meth:`SealedMemberEncoder.stamped`, in the parent, in log order, once the batch's subjects
  and data keys were resolved in bulk (one round trip each): the timestamps, a nonce per sealed
  record drawn from the mapper's own source in the mapper's order, AES-GCM with the mapper's
  associated data, base64, and the mapper's compressor and cipher.

The bytes mean exactly what the mapper's mean: same keys in the same order, the same sealed
records (subject, field paths, nonce, ciphertext). When it starts, the encoder compares its
events with the mapper's for sample members (non-ASCII, quotes, a backslash, control
characters) under a sample key, the clear JSON without the nonces and ciphertexts and the
decrypted plaintexts; if anything differs :attr:`fast` is false and the import seals through
the mapper. A value orjson refuses (a lone surrogate) also goes through the mapper.
"""

from __future__ import annotations

import base64
import copy
from binascii import b2a_base64
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import StoredEvent

from ledger.clock import now
from ledger.personal_fields import KEYED, SEALED
from storage.bulk_append import copy_tuple_head, state_length
from storage.bulk_random import in_blocks
from storage.new_members import (
    _ENROLLED_TOPIC,
    _ENROLMENT_TOPIC,
    _PERSON_TOPIC,
    _REGISTERED_TOPIC,
    _STARTED_TOPIC,
    _UNSTAMPED,
    enrolled_state,
    new_member_events,
    orjson_transcodings,
)
from storage.sealing import SEALED_KEY, SealingMapper


def _b64(data: bytes) -> bytes:
    """Base64 as :func:`base64.b64encode` gives it, without its wrapper (4 a member)."""
    return b2a_base64(data, newline=False)


_TOPICS = tuple(t.encode() for t in (_REGISTERED_TOPIC, _STARTED_TOPIC, _ENROLLED_TOPIC))
#: The personal fields of the two sealed events, in the order the mapper takes them.
_REGISTERED_SEALED = SEALED[_REGISTERED_TOPIC][0].fields
_ENROLLED_SEALED = SEALED[_ENROLLED_TOPIC][0].fields
#: The associated data of a sealed record begins with its event's topic (then the aggregate's
#: id, its version and the subject, as :class:`SealingMapper` binds them).
_REGISTERED_AAD = f"{_REGISTERED_TOPIC}\n".encode()
_ENROLLED_AAD = f"{_ENROLLED_TOPIC}\n".encode()
#: The keyed pseudonym of an enrolment (the family card's).
_KK_SOURCES, _KK_TARGET = KEYED[_ENROLLED_TOPIC][0]

#: What :meth:`SealedMemberEncoder.parts` hands over: the Registered plaintext, the Enrolled
#: JSON before the person id and after it (up to its sealed records), the Enrolled plaintext,
#: and the programme code (for CoverageStarted).
Parts = tuple[bytes, bytes, bytes, bytes, bytes]


class SealedMemberEncoder:
    """A never-seen member's three events as :class:`SealingMapper` stores them (see the
    module). ``fast`` false: the caller seals through the mapper."""

    def __init__(self, mapper: Any) -> None:
        self.mapper = mapper
        self.fast = False
        if not isinstance(mapper, SealingMapper):
            return
        if (_REGISTERED_SEALED, _ENROLLED_SEALED, _KK_SOURCES, _KK_TARGET) != (
                ("nik",), ("nik", "kk", "name"), ("kk",), "kk_key") or len(
                SEALED[_REGISTERED_TOPIC]) != 1 or len(SEALED[_ENROLLED_TOPIC]) != 1 or (
                _STARTED_TOPIC in SEALED):
            return  # the registry changed: this encoder's layout is no longer the mapper's
        found = orjson_transcodings(mapper.transcoder)
        if found is None:
            return
        self._default, self._stamp = found
        self.personal = mapper.personal
        self.random_bytes = in_blocks(mapper.random_bytes)  # the OS's: a block at a time
        self.compressor = mapper.compressor
        self.cipher = mapper.cipher
        #: orjson writes a UTC datetime itself exactly as the transcoder's ISO text (checked
        #: here on samples), skipping ``isoformat`` and a string: a few microseconds a member.
        samples = (datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC),
                   datetime(2025, 3, 4, 5, 6, 8, tzinfo=UTC))
        self._native_stamps = all(
            orjson.dumps(moment) == orjson.dumps(self._stamp(moment)) for moment in samples)
        head = self._json({"timestamp": _UNSTAMPED})
        placeholder = orjson.dumps(self._stamp(_UNSTAMPED))
        self._head = head[:head.find(placeholder)]
        self._skip = len(self._head) + len(placeholder)
        self._registered_tail = (
            self._json({"timestamp": _UNSTAMPED, "originator_topic": _PERSON_TOPIC})
            [self._skip:-1] + b',"' + SEALED_KEY.encode() + b'":[{"s":"')
        self.fast = self._head.startswith(b'{"timestamp":') and self._agrees()

    def _json(self, state: dict[str, Any]) -> bytes:
        return orjson.dumps(state, default=self._default,
                            option=orjson.OPT_PASSTHROUGH_DATETIME
                            | orjson.OPT_PASSTHROUGH_SUBCLASS
                            | orjson.OPT_PASSTHROUGH_DATACLASS)

    # -- the work that needs no key (a worker's) ---------------------------------------------

    def parts(self, person_nik: str, fields: dict[str, Any]) -> Parts | None:
        """What :meth:`stamped` needs of a new member besides the subject, its key and the
        enrolment id: ``fields`` are the ``Enrolled`` fields
        (:meth:`~ledger.enrolment.EnrolmentRequest.enrolled_fields`; its ``person_id`` is
        ignored). None when orjson refuses a value (the caller seals through the mapper)."""
        state = enrolled_state(fields)
        clear = {"timestamp": _UNSTAMPED, "originator_topic": _ENROLMENT_TOPIC}
        after: dict[str, Any] = {}
        personal: dict[str, Any] = {}
        target = clear
        for name, value in state.items():
            if name == "person_id":
                target = after
            elif name in _ENROLLED_SEALED:
                personal[name] = value
            else:
                target[name] = value
        kk = state.get("kk")
        if isinstance(kk, str) and kk:
            after[_KK_TARGET] = self.personal.keyed(kk)[:32]
        try:
            before_json = self._json(clear)[self._skip:-1] + b',"person_id":"'
            after_json = self._json(after)[1:-1] if after else b""
            registered_plain = self._json({"nik": person_nik})
            enrolled_plain = self._json(personal)
            code = orjson.dumps(state["programme_code"])
        except TypeError:
            return None
        fields_list = orjson.dumps(list(personal))
        after_json = (b'",' + after_json if after_json else b'"') + (
            b',"' + SEALED_KEY.encode() + b'":[{"s":"')
        # the enrolled plaintext carries its field list in front (split off in stamped)
        return (registered_plain, before_json, after_json,
                fields_list + b"\n" + enrolled_plain, code)

    # -- the sealing, in log order (the parent's) --------------------------------------------

    def stamped(self, person: UUID, enrolment: UUID, key: bytes, parts: Parts,
                clock: Callable[[], datetime] = now, person_text: str | None = None,
                ) -> tuple[bytes, bytes, bytes]:
        """The three states (Registered, CoverageStarted, Enrolled), stamped now in the order
        the aggregates take their timestamps and sealed under ``key`` (the person's data key),
        the nonces drawn in the mapper's order (Registered's, then Enrolled's).
        ``person_text``: ``str(person)``, when the caller has it already."""
        registered_plain, before, after, enrolled_plain, code = parts
        fields_list, _, enrolled_plain = enrolled_plain.partition(b"\n")
        head, stamp, draw = self._head, self._stamp, self.random_bytes
        if person_text is None:
            person_text = str(person)
        person_bytes = person_text.encode()
        enrolment_bytes = str(enrolment).encode()
        cipher = AESGCM(key)
        moments = (clock(), clock(), clock())
        if self._native_stamps and all(type(m) is datetime and m.tzinfo is UTC
                                       for m in moments):  # (a subclass: the transcoder's)
            first, third, second = (head + orjson.dumps(m) for m in moments)
        else:
            first, third, second = (head + orjson.dumps(stamp(m)) for m in moments)
        nonce = draw(12)
        sealed = cipher.encrypt(nonce, registered_plain,
                                _REGISTERED_AAD + person_bytes + b"\n1\n" + person_bytes)
        registered = b"".join((
            first, self._registered_tail, person_bytes, b'","f":["nik"],"n":"',
            _b64(nonce), b'","c":"', _b64(sealed), b'"}]}'))
        started = b"".join((
            second, b'},"enrolment_id":"', enrolment_bytes, b'","programme_code":',
            code, b"}"))
        nonce = draw(12)
        sealed = cipher.encrypt(nonce, enrolled_plain,
                                _ENROLLED_AAD + enrolment_bytes + b"\n1\n" + person_bytes)
        enrolled = b"".join((
            third, before, person_bytes, after, person_bytes, b'","f":', fields_list,
            b',"n":"', _b64(nonce), b'","c":"', _b64(sealed),
            b'"}]}'))
        if self.compressor or self.cipher:
            return (self._finish(registered), self._finish(started), self._finish(enrolled))
        return registered, started, enrolled

    def _finish(self, data: bytes) -> bytes:
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return data

    def stored(self, person: UUID, enrolment: UUID, key: bytes, parts: Parts,
               clock: Callable[[], datetime] = now,
               ) -> tuple[StoredEvent, StoredEvent, StoredEvent]:
        """:meth:`stamped` as stored events."""
        registered, started, enrolled = self.stamped(person, enrolment, key, parts, clock)
        return (StoredEvent(person, 1, _REGISTERED_TOPIC, registered),
                StoredEvent(person, 2, _STARTED_TOPIC, started),
                StoredEvent(enrolment, 1, _ENROLLED_TOPIC, enrolled))

    def copy_tuples(self, person: UUID, enrolment: UUID, key: bytes, parts: Parts,
                    uuid_ids: bool, clock: Callable[[], datetime] = now,
                    person_text: str | None = None) -> bytes:
        """:meth:`stamped` as three binary ``COPY`` tuples."""
        states = self.stamped(person, enrolment, key, parts, clock, person_text)
        ids = ((person.bytes, enrolment.bytes) if uuid_ids
               else (str(person).encode(), str(enrolment).encode()))
        return b"".join((
            copy_tuple_head(ids[0], 1, _TOPICS[0], uuid_ids), state_length(len(states[0])),
            states[0],
            copy_tuple_head(ids[0], 2, _TOPICS[1], uuid_ids), state_length(len(states[1])),
            states[1],
            copy_tuple_head(ids[1], 1, _TOPICS[2], uuid_ids), state_length(len(states[2])),
            states[2]))

    # -- the self-check ----------------------------------------------------------------------

    def _agrees(self) -> bool:
        """This path and the mapper's give the same meaning for sample members: the same
        clear JSON once each sealed record's nonce and ciphertext are left out, and the same
        plaintexts once opened (under a sample key that is never stored)."""
        sample_key = bytes(range(32))
        checking = copy.copy(self.mapper)
        checking.personal = _SampleKeys(self.personal, sample_key)
        samples = ("Nur'aini Siti \u1e24asanah", 'Ñ "O\'Brien" \\ \t\x01\u2028 ☃ 😀', "A")
        for name in samples:
            stamps = [datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC),
                      datetime(2025, 3, 4, 5, 6, 8, tzinfo=UTC),
                      datetime(2025, 3, 4, 5, 6, 9, 5, tzinfo=UTC)]
            person, enrolment = UUID(int=7), UUID(int=9)
            fields: dict[str, Any] = dict(
                programme_id="p-1", programme_code="KAB-2025", person_id=str(person),
                nik="3603014101900001", kk="3603010101010001", name=name, region="36.03",
                district="36.03.01", village="36.03.01.1001", occupation="petani", decile=2,
                register="DTSEN", register_snapshot=date(2025, 1, 2), branch="Tigaraksa",
                enrolled_on=date(2025, 1, 3), wage_band=1_000_000, actor="clerk")
            library = [checking.to_stored_event(e) for e in new_member_events(
                person=person, person_nik="3603014101900001", enrolment=enrolment,
                clock=iter(stamps).__next__, **fields)]
            parts = self.parts("3603014101900001", fields)
            if parts is None:
                return False
            fast = self.stored(person, enrolment, sample_key, parts, iter(stamps).__next__)
            for a, b in zip(library, fast, strict=True):
                if (a.originator_id, a.originator_version, a.topic) != (
                        b.originator_id, b.originator_version, b.topic):
                    return False
                if self._opened(a, sample_key) != self._opened(b, sample_key):
                    return False
        return True

    def _opened(self, stored: StoredEvent, key: bytes) -> tuple[bytes, list[Any]]:
        """The stored state's clear JSON without nonces and ciphertexts, its sealed records'
        plaintexts, each with its subject and fields."""
        data = stored.state
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        state = orjson.loads(data)
        opened = []
        for record in state.get(SEALED_KEY, []):
            plain = AESGCM(key).decrypt(
                base64.b64decode(record.pop("n")), base64.b64decode(record.pop("c")),
                f"{stored.topic}\n{stored.originator_id}\n{stored.originator_version}\n"
                f"{record['s']}".encode())
            opened.append((record["s"], record["f"], plain))
        without = data
        for record in orjson.loads(data).get(SEALED_KEY, []):
            without = without.replace(record["n"].encode(), b"").replace(
                record["c"].encode(), b"")
        return without, opened


class _SampleKeys:
    """The store's personal data with one sample key for every subject, for the self-check
    (nothing is read or written: the sample subjects never reach the store)."""

    def __init__(self, personal: Any, key: bytes) -> None:
        self._personal = personal
        self._key = key

    def keyed(self, text: str) -> str:
        return str(self._personal.keyed(text))

    def keys_for(self, subjects: Iterable[UUID], *, create: bool) -> dict[UUID, bytes | None]:
        return dict.fromkeys(subjects, self._key)
