"""The time and the ids the ledger records events with: given to it, never read by it.

Every event carries the moment it was recorded (its ``timestamp``) and every new aggregate an
id. Production records on the real UTC clock with random ids (:class:`UtcClock`,
:func:`random_ids`); the demo and the tests replay a story on the dates it happened
(:class:`ScriptedClock`) with ids that follow from a seed (:class:`SeededIds`), so the same
story gives the same log, byte for byte.

The aggregates read the clock and the id source in force (:func:`now`, :func:`new_id`) through
a :class:`contextvars.ContextVar`, so a block of work says which ones it records with
(:func:`recording`) and nothing in the domain takes them as an argument. Outside such a block
the real clock and random ids are in force, as they always were.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Protocol
from uuid import UUID, uuid4

from ledger.errors import ClockBackwardsError

__all__ = [
    "CONCURRENT_WRITERS",
    "WIB",
    "Clock",
    "IdSource",
    "RandomBytes",
    "ScriptedClock",
    "SeededBytes",
    "SeededIds",
    "UtcClock",
    "new_id",
    "now",
    "random_bytes",
    "random_ids",
    "random_ids_in_force",
    "recording",
    "require_not_before",
]

#: Western Indonesia Time (UTC+7), the time of the offices the demo's stories happen in.
WIB = timezone(timedelta(hours=7), "WIB")


class Clock(Protocol):
    """What says when an event is recorded: one reading per event, timezone-aware."""

    def __call__(self) -> datetime:
        """The moment to record the next event at."""
        ...


#: What gives a new aggregate its id.
IdSource = Callable[[], UUID]


#: How far apart two writers at the same moment may stamp and commit on the real clock.
CONCURRENT_WRITERS = timedelta(seconds=2)


class UtcClock:
    """The real clock, in UTC (what production records with)."""

    #: Concurrent writers stamp, then commit: the later stamp may be committed first.
    tolerance = CONCURRENT_WRITERS

    def __call__(self) -> datetime:
        """The current moment, in UTC."""
        return datetime.now(UTC)


def random_ids() -> UUID:
    """A random id (uuid4): production's id source."""
    return uuid4()


@dataclass
class ScriptedClock:
    """A clock that reads the story's time: set to a moment, it ticks forward by ``tick`` on
    each reading, so the events of one step are ordered and none share a timestamp."""

    current: datetime
    tick: timedelta = timedelta(milliseconds=1)

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            raise ValueError("a scripted clock needs a timezone-aware moment")

    def __call__(self) -> datetime:
        """The current story moment (in UTC, as the log keeps it); then tick."""
        reading = self.current.astimezone(UTC)
        self.current += self.tick
        return reading

    def set(self, moment: datetime) -> None:
        """Move to ``moment``, which may not be earlier than the clock already is: a story
        that goes back in time would record its log out of order."""
        if moment < self.current:
            raise ClockBackwardsError(
                f"the story goes back in time: it is already {self.current.isoformat()} and a "
                f"step wants {moment.isoformat()}; record the steps in the order of their dates")
        self.current = moment

    def office(self, day: date, hour: int = 9) -> None:
        """Move to ``day`` at ``hour`` o'clock WIB, or stay where the clock is if that day's
        work already went past that hour (several steps on one day follow each other)."""
        moment = datetime.combine(day, time(hour), WIB)
        if moment < self.current and self.current.astimezone(WIB).date() == day:
            return
        self.set(moment)


class SeededIds:
    """Ids that follow from a seed and the order they are asked for: the same story gives the
    same ids. They read as random (uuid4's version and variant bits)."""

    def __init__(self, seed: int | str) -> None:
        self._random = random.Random(f"claims-ledger ids {seed}")

    def __call__(self) -> UUID:
        """The next id of the sequence."""
        return UUID(int=self._random.getrandbits(128), version=4)


#: What gives the bytes of new secrets (a data subject's key, a nonce): ``n`` -> ``n`` bytes.
RandomBytes = Callable[[int], bytes]


def random_bytes(size: int) -> bytes:
    """``size`` bytes of the operating system's randomness: production's source of keys and
    nonces."""
    return os.urandom(size)


class SeededBytes:
    """Bytes that follow from a seed and the order they are asked for, for the demo's keys and
    nonces: the same story seals the same bytes, so its log (and journal root) is the same run
    to run. Never for real data: anyone with the seed has the keys."""

    def __init__(self, seed: int | str) -> None:
        self._random = random.Random(f"claims-ledger bytes {seed}")

    def __call__(self, size: int) -> bytes:
        """The next ``size`` bytes of the sequence."""
        return self._random.randbytes(size)


#: The real clock and random ids are in force outside a :func:`recording` block (None).
_clock: ContextVar[Clock | None] = ContextVar("ledger_clock", default=None)
_ids: ContextVar[IdSource | None] = ContextVar("ledger_ids", default=None)


def now() -> datetime:
    """The moment to record an event at, from the clock in force."""
    clock = _clock.get()
    return datetime.now(UTC) if clock is None else clock()


def new_id() -> UUID:
    """A new aggregate id, from the id source in force."""
    ids = _ids.get()
    return uuid4() if ids is None else ids()


def random_ids_in_force() -> bool:
    """Whether :func:`new_id` gives random ids (no ``recording(ids=...)`` block is in force), so
    that ids may be drawn many at once without changing a seeded story's order."""
    return _ids.get() is None


@contextmanager
def recording(clock: Clock | None = None, ids: IdSource | None = None) -> Iterator[None]:
    """Record the events made in this block at the times of ``clock`` and with the ids of
    ``ids`` (each left as it is when not given)."""
    clock_token = _clock.set(clock) if clock is not None else None
    ids_token = _ids.set(ids) if ids is not None else None
    try:
        yield
    finally:
        if ids_token is not None:
            _ids.reset(ids_token)
        if clock_token is not None:
            _clock.reset(clock_token)


def require_not_before(last: datetime | None, stamps: list[datetime],
                       tolerance: timedelta = timedelta(0)) -> None:
    """Refuse to record events stamped earlier than the log's last event: the log's recorded
    times never go backwards. ``tolerance`` is how far a reading may lag behind it: writers
    stamp their events before they commit, so of two writers at the same moment the one that
    stamped first may commit second (the real clock allows :data:`CONCURRENT_WRITERS`; a
    scripted clock nothing). The events of one save are one transaction and are compared with
    the log, not with each other (a save writes aggregate by aggregate)."""
    if last is None:
        return
    for stamp in stamps:
        if stamp < last - tolerance:
            raise ClockBackwardsError(
                f"the clock says {stamp.isoformat()}, earlier than the last event the ledger "
                f"recorded ({last.isoformat()}); recorded times never go backwards, so "
                "nothing was recorded: check the clock of this machine")
