"""The three events that enrol a person the ledger has never seen, built without aggregates.

Enrolling a new NIK records exactly: ``Person.Registered`` (version 1), ``Enrolment.Enrolled``
(version 1) and ``Person.CoverageStarted`` (version 2), saved in the order person, enrolment.
Going through the aggregates (``Person(nik=...)``, ``Enrolment(...)``, ``start_coverage``) costs
the library's generic machinery (signature coercion, ``mutate``, pending lists) on every row;
for a roster of 200,000 members that is most of the Python time of an import. This module makes
the same event objects with the same classes and the same field values, so the mapper stores
them byte for byte as it would the aggregates' (``tests/intake`` compares both).

No rule is skipped: a person that is not in the store yet has no coverage, no death and no
BPJS exclusion, so ``Person.require_enrollable`` cannot refuse them, and the event bodies only
assign fields. A person who *is* in the store still goes through the aggregate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from eventsourcing.utils import get_topic

from ledger.clock import new_id, now
from ledger.enrolment import Enrolment
from ledger.person import Person
from storage.bulk_append import copy_tuple_head, state_length

_PERSON_TOPIC = get_topic(Person)
_ENROLMENT_TOPIC = get_topic(Enrolment)
_REGISTERED: Any = Person.Registered  # type: ignore[attr-defined]
_COVERAGE_STARTED: Any = Person.CoverageStarted  # type: ignore[attr-defined]
_ENROLLED: Any = Enrolment.Enrolled  # type: ignore[attr-defined]
_REGISTERED_TOPIC = get_topic(_REGISTERED)
_STARTED_TOPIC = get_topic(_COVERAGE_STARTED)
_ENROLLED_TOPIC = get_topic(_ENROLLED)
_TOPICS = tuple(t.encode() for t in (_REGISTERED_TOPIC, _STARTED_TOPIC, _ENROLLED_TOPIC))
#: The timestamp a state is encoded with before its real one is put in (first key of all three).
_UNSTAMPED = datetime(1, 1, 1, tzinfo=UTC)
#: The fields of ``Enrolment.Enrolled`` after its header, in the order the event holds them (and
#: so the mapper writes them): read from the event class, never written out again here.
ENROLLED_FIELDS = tuple(f.name for f in dataclasses.fields(_ENROLLED))[4:]


def enrolled_state(fields: dict[str, Any]) -> dict[str, Any]:
    """The ``Enrolled`` fields of a new member (as
    :meth:`~ledger.enrolment.EnrolmentRequest.enrolled_fields` makes them) in the event's
    order; a field missing or unknown is refused as a call with a wrong keyword would be."""
    if tuple(fields) == ENROLLED_FIELDS:
        return fields
    if set(fields) != set(ENROLLED_FIELDS):
        raise TypeError(f"an enrolment has the fields {', '.join(ENROLLED_FIELDS)}; got "
                        f"{', '.join(fields)}")
    return {name: fields[name] for name in ENROLLED_FIELDS}


def new_member_events(
    *, person: UUID, person_nik: str, enrolment: UUID | None = None,
    clock: Callable[[], datetime] = now, **enrolled: Any,
) -> tuple[Any, Any, Any]:
    """(Registered, CoverageStarted, Enrolled) of a new person enrolled in a programme: what
    ``Person(nik)`` and ``Enrolment.start(...)`` would trigger, with the timestamps taken in
    that order. ``person_nik`` is the NIK the person is registered under
    (``Person(nik=...)``); ``enrolled`` the ``Enrolled`` event's fields
    (:meth:`~ledger.enrolment.EnrolmentRequest.enrolled_fields`)."""
    enrolment_id = enrolment or new_id()  # as LedgerAggregate.create_id
    state = enrolled_state(enrolled)
    registered = _REGISTERED(originator_id=person, originator_version=1, timestamp=clock(),
                             originator_topic=_PERSON_TOPIC, nik=person_nik)
    created = _ENROLLED(originator_id=enrolment_id, originator_version=1, timestamp=clock(),
                        originator_topic=_ENROLMENT_TOPIC, **state)
    started = _COVERAGE_STARTED(originator_id=person, originator_version=2, timestamp=clock(),
                                enrolment_id=str(enrolment_id),
                                programme_code=state["programme_code"])
    return registered, started, created


def orjson_transcodings(transcoder: Any) -> tuple[Callable[[Any], dict[str, Any]],
                                                  Callable[[datetime], str]] | None:
    """orjson's ``default`` for the library's JSON transcoder (its date and datetime
    transcodings, as the transcoder writes them) and its datetime encoding, or None when the
    transcoder is not the library's JSON one or lacks those transcodings: then an encoder
    cannot match the mapper's bytes and goes through the mapper."""
    if not isinstance(transcoder, JSONTranscoder) or type(transcoder).encode is not (
            JSONTranscoder.encode):
        return None
    transcodings = transcoder.types
    if date not in transcodings or datetime not in transcodings:
        return None
    by_date, by_datetime = transcodings[date], transcodings[datetime]

    def default(value: Any) -> dict[str, Any]:
        kind = type(value)
        if kind is datetime:
            return {"_type_": by_datetime.name, "_data_": by_datetime.encode(value)}
        if kind is date:
            return {"_type_": by_date.name, "_data_": by_date.encode(value)}
        raise TypeError(kind)

    return default, by_datetime.encode


class NewMemberEncoder:
    """The three events of :func:`new_member_events`, made directly as the stored events the
    application's mapper would make of them, byte for byte, without the event objects.

    The mapper stores an event as ``transcoder.encode(vars(event) minus id and version)``, then
    compresses and encrypts it. Here the same dictionaries (same keys, same order) are encoded
    with orjson, which writes compact UTF-8 JSON exactly like the library's ``JSONEncoder``
    (``separators=(",", ":")``, ``ensure_ascii=False``, the same escapes); dates and datetimes
    are handed back to the transcoder's own registered transcodings, so they come out as the
    same ``{"_type_": ..., "_data_": ...}`` objects. The mapper's compressor and cipher are
    applied afterwards, as the mapper applies them.

    On construction the encoder compares its output with the mapper's for sample members (a
    name with non-ASCII letters, quotes, a backslash and a control character); if anything
    differs, or the transcoder is not the library's JSON one, :attr:`fast` is false and every
    call goes through the event objects and the mapper. A value orjson refuses (text with a
    lone surrogate) also goes through the mapper."""

    def __init__(self, mapper: Any) -> None:
        self.mapper = mapper
        self.compressor = mapper.compressor
        self.cipher = mapper.cipher
        transcoder = mapper.transcoder
        self.fast = False
        if getattr(mapper, "seals", False):
            # Personal fields are sealed per subject (storage.sealing): the mapper encodes
            # every new member (its data keys made in bulk first, see prepare_keys).
            return
        found = orjson_transcodings(transcoder)
        if found is None:
            return
        self._default, self._stamp = found
        head = self._json({"timestamp": _UNSTAMPED})
        self._placeholder = orjson.dumps(self._stamp(_UNSTAMPED))
        self._head = head[:head.find(self._placeholder)]
        self.fast = self._head.startswith(b'{"timestamp":') and self._agrees()

    def _json(self, state: dict[str, Any]) -> bytes:
        return orjson.dumps(state, default=self._default,
                            option=orjson.OPT_PASSTHROUGH_DATETIME
                            | orjson.OPT_PASSTHROUGH_SUBCLASS
                            | orjson.OPT_PASSTHROUGH_DATACLASS)

    def _encode(self, state: dict[str, Any]) -> bytes:
        return self._finish(self._json(state))

    def _finish(self, data: bytes) -> bytes:
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return data

    def _agrees(self) -> bool:
        """The fast path and the mapper give the same bytes for sample members (the cipher's
        nonce makes ciphertexts differ, so with a cipher the plaintexts are compared)."""
        samples = ("Nur'aini Siti \u1e24asanah", 'Ñ "O\'Brien" \\ \t\x01\u2028 ☃ 😀', "A")
        for name in samples:
            stamps = [datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC),
                      datetime(2025, 3, 4, 5, 6, 8, tzinfo=UTC),
                      datetime(2025, 3, 4, 5, 6, 9, 5, tzinfo=UTC)]
            fields: dict[str, Any] = dict(
                person=UUID(int=7), person_nik="3603014101900001",
                person_id=str(UUID(int=7)), nik="3603014101900001",
                programme_id="p-1", programme_code="KAB-2025", kk="3603010101010001",
                name=name, region="36.03", district="36.03.01", village="36.03.01.1001",
                occupation="petani", decile=2, register="DTSEN",
                register_snapshot=date(2025, 1, 2), branch="Tigaraksa",
                enrolled_on=date(2025, 1, 3), wage_band=1_000_000, actor="clerk",
                enrolment=UUID(int=9))
            library = [self.mapper.to_stored_event(e)
                       for e in new_member_events(**fields, clock=iter(stamps).__next__)]
            fast = self.stored(**fields, clock=iter(stamps).__next__)
            unstamped = self.unstamped(**fields)
            if unstamped is None:
                return False
            later = self.stamped_events(unstamped, clock=iter(stamps).__next__)
            for a, b in zip(library * 2, [*fast, *later], strict=True):
                if (a.originator_id, a.originator_version, a.topic) != (
                        b.originator_id, b.originator_version, b.topic):
                    return False
                if self._plain(a.state) != self._plain(b.state):
                    return False
        return True

    def _plain(self, state: bytes) -> bytes:
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        return state

    def stored(
        self, *, person: UUID, person_nik: str, enrolment: UUID | None = None,
        clock: Callable[[], datetime] = now, **fields: Any,
    ) -> tuple[StoredEvent, StoredEvent, StoredEvent]:
        """(Registered, CoverageStarted, Enrolled) as stored events: what the mapper makes of
        :func:`new_member_events` called with the same arguments."""
        enrolment_id = enrolment or new_id()
        state = enrolled_state(fields)
        registered = {"timestamp": clock(), "originator_topic": _PERSON_TOPIC,
                      "nik": person_nik}
        enrolled = {"timestamp": clock(), "originator_topic": _ENROLMENT_TOPIC, **state}
        started = {"timestamp": clock(), "enrolment_id": str(enrolment_id),
                   "programme_code": state["programme_code"]}
        if not self.fast:
            return self._through_mapper(person, enrolment_id, registered, started, enrolled)
        try:
            return (StoredEvent(person, 1, _REGISTERED_TOPIC, self._encode(registered)),
                    StoredEvent(person, 2, _STARTED_TOPIC, self._encode(started)),
                    StoredEvent(enrolment_id, 1, _ENROLLED_TOPIC, self._encode(enrolled)))
        except TypeError:  # orjson refuses what json would write (a lone surrogate)
            return self._through_mapper(person, enrolment_id, registered, started, enrolled)

    def unstamped(
        self, *, person: UUID, person_nik: str, enrolment: UUID | None = None, **fields: Any,
    ) -> tuple[UUID, UUID, bytes, bytes, bytes] | None:
        """The work of :meth:`stored` that needs no clock, for a worker process: (person id,
        enrolment id, and each event's JSON after its timestamp, the first key). The
        timestamps are put in by :meth:`stamped_tuples` (or :meth:`stamped_events`) where the
        rows are taken in log order, so they still rise with the log as the aggregates' do.
        None if orjson refuses a value (the caller then uses :meth:`stored`)."""
        enrolment_id = enrolment or new_id()
        enrolled = enrolled_state(fields)
        try:
            tails = [self._json(state) for state in (
                {"timestamp": _UNSTAMPED, "originator_topic": _PERSON_TOPIC, "nik": person_nik},
                {"timestamp": _UNSTAMPED, "enrolment_id": str(enrolment_id),
                 "programme_code": enrolled["programme_code"]},
                {"timestamp": _UNSTAMPED, "originator_topic": _ENROLMENT_TOPIC, **enrolled})]
        except TypeError:
            return None
        skip = len(self._head) + len(self._placeholder)
        return person, enrolment_id, tails[0][skip:], tails[1][skip:], tails[2][skip:]

    def stamped_events(self, unstamped: tuple[UUID, UUID, bytes, bytes, bytes],
                       clock: Callable[[], datetime] = now,
                       ) -> tuple[StoredEvent, StoredEvent, StoredEvent]:
        """:meth:`unstamped`'s events stamped now (in the order :meth:`stored` takes them)."""
        person, enrolment_id, registered, started, enrolled = unstamped
        head, stamp, finish = self._head, self._stamp, self._finish
        first = finish(head + orjson.dumps(stamp(clock())) + registered)
        third = finish(head + orjson.dumps(stamp(clock())) + enrolled)
        second = finish(head + orjson.dumps(stamp(clock())) + started)
        return (StoredEvent(person, 1, _REGISTERED_TOPIC, first),
                StoredEvent(person, 2, _STARTED_TOPIC, second),
                StoredEvent(enrolment_id, 1, _ENROLLED_TOPIC, third))

    def unstamped_parts(self, uuid_ids: bool = True, **fields: Any) -> tuple[bytes, ...] | None:
        """:meth:`unstamped` as a worker hands it over: each row's ``COPY`` tuple head (up to
        its state) and its state after the timestamp, three times (registered, coverage
        started, enrolled): all :meth:`stamped_tuples` needs. None as :meth:`unstamped`."""
        done = self.unstamped(**fields)
        if done is None:
            return None
        person, enrolment, registered, started, enrolled = done
        keys = ((person.bytes, enrolment.bytes) if uuid_ids
                else (str(person).encode(), str(enrolment).encode()))
        return (copy_tuple_head(keys[0], 1, _TOPICS[0], uuid_ids), registered,
                copy_tuple_head(keys[0], 2, _TOPICS[1], uuid_ids), started,
                copy_tuple_head(keys[1], 1, _TOPICS[2], uuid_ids), enrolled)

    def stamped_tuples(self, parts: tuple[bytes, ...],
                       clock: Callable[[], datetime] = now) -> bytes:
        """The three rows of :meth:`unstamped_parts` stamped now (in the order
        :meth:`stored` takes the stamps) as binary ``COPY`` tuples."""
        head, stamp = self._head, self._stamp
        first_head, registered, second_head, started, third_head, enrolled = parts
        first = head + orjson.dumps(stamp(clock()))
        third = head + orjson.dumps(stamp(clock()))
        second = head + orjson.dumps(stamp(clock()))
        if not self.compressor and not self.cipher:
            return b"".join((
                first_head, state_length(len(first) + len(registered)), first, registered,
                second_head, state_length(len(second) + len(started)), second, started,
                third_head, state_length(len(third) + len(enrolled)), third, enrolled))
        finish = self._finish
        states = (finish(first + registered), finish(second + started),
                  finish(third + enrolled))
        return b"".join((first_head, state_length(len(states[0])), states[0],
                         second_head, state_length(len(states[1])), states[1],
                         third_head, state_length(len(states[2])), states[2]))

    def _through_mapper(self, person: UUID, enrolment_id: UUID, registered: dict[str, Any],
                        started: dict[str, Any], enrolled: dict[str, Any],
                        ) -> tuple[StoredEvent, StoredEvent, StoredEvent]:
        encode = self.mapper.to_stored_event
        return (encode(_REGISTERED(originator_id=person, originator_version=1, **registered)),
                encode(_COVERAGE_STARTED(originator_id=person, originator_version=2,
                                         **started)),
                encode(_ENROLLED(originator_id=enrolment_id, originator_version=1,
                                 **enrolled)))
