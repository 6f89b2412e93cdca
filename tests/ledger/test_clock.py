"""The clock the ledger records with: given to it, and never allowed to go backwards."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from eventsourcing.utils import get_topic

from ledger.application import Ledger
from ledger.claim import Claim
from ledger.clock import CONCURRENT_WRITERS, WIB, ScriptedClock, SeededIds, recording
from ledger.errors import ClockBackwardsError
from ledger.person import Person
from scenario import grant_terms, tangerang_terms
from storage.log_index import open_ledger
from storage.settings import StoreSettings


def _log(ledger: Ledger) -> list[tuple[str, datetime]]:
    rows = ledger.recorder.select_notifications(start=1, limit=10_000)
    return [(n.topic, ledger.mapper.to_domain_event(n).timestamp) for n in rows]


def test_events_are_recorded_at_the_time_of_the_clock_the_ledger_is_given(
    store_settings: StoreSettings,
) -> None:
    clock = ScriptedClock(datetime(2025, 3, 24, 9, tzinfo=WIB))
    ledger = open_ledger(store_settings, clock=clock, ids=SeededIds(1))
    try:
        with recording(ledger.clock, ledger.ids):
            ledger.open_programme(tangerang_terms(), actor="admin")
        [(topic, stamp)] = _log(ledger)
        assert topic == "ledger.programme:Programme.Opened"
        assert stamp == datetime(2025, 3, 24, 2, tzinfo=UTC)  # 09:00 WIB
    finally:
        ledger.close()


def test_a_clock_that_goes_backwards_is_refused_and_records_nothing(
    store_settings: StoreSettings,
) -> None:
    clock = ScriptedClock(datetime(2025, 6, 10, 9, tzinfo=WIB))
    ledger = open_ledger(store_settings, clock=clock)
    try:
        with recording(ledger.clock):
            ledger.open_programme(tangerang_terms(), actor="admin")
            before = _log(ledger)
            clock.current = datetime(2025, 6, 9, 9, tzinfo=WIB)  # someone sets it back a day
            with pytest.raises(ClockBackwardsError, match="earlier than the last event"):
                ledger.open_programme(grant_terms(), actor="admin")
        assert _log(ledger) == before
    finally:
        ledger.close()


def test_the_real_clock_is_in_force_outside_a_recording_block(ledger: Ledger) -> None:
    started = datetime.now(UTC)
    ledger.open_programme(tangerang_terms(), actor="admin")
    [(_, stamp)] = _log(ledger)
    assert started <= stamp <= datetime.now(UTC)


def test_a_scripted_story_may_not_step_back_in_time() -> None:
    clock = ScriptedClock(datetime(2025, 7, 1, 9, tzinfo=WIB))
    clock.office(date(2025, 7, 1), 10)
    with pytest.raises(ClockBackwardsError, match="goes back in time"):
        clock.office(date(2025, 6, 30))
    assert clock() == datetime(2025, 7, 1, 3, tzinfo=UTC)
    assert clock() - datetime(2025, 7, 1, 3, tzinfo=UTC) == timedelta(milliseconds=1)


def test_seeded_ids_are_the_same_for_the_same_seed_and_differ_for_another() -> None:
    one, again, other = SeededIds(2025), SeededIds(2025), SeededIds(2026)
    first = [one() for _ in range(3)]
    assert first == [again() for _ in range(3)]
    assert first != [other() for _ in range(3)]
    assert {u.version for u in first} == {4}


def test_deriving_from_the_ledger_base_keeps_every_stored_topic() -> None:
    # Topics are stored in the log: moving the aggregates onto a new base must not rename them.
    assert get_topic(Claim.Filed) == "ledger.claim:Claim.Filed"  # type: ignore[attr-defined]
    assert get_topic(Person.Registered) == "ledger.person:Person.Registered"  # type: ignore[attr-defined]
    assert get_topic(Person) == "ledger.person:Person"


class _SkewedClock(ScriptedClock):
    """A clock with the real clock's tolerance (a machine whose time someone sets)."""

    tolerance = CONCURRENT_WRITERS


@pytest.mark.postgres
def test_a_second_ledger_writing_later_refuses_this_ones_next_save_behind_it(
    postgres_settings: StoreSettings,
) -> None:
    this_clock = ScriptedClock(datetime(2025, 6, 10, 9, tzinfo=WIB))
    other_clock = ScriptedClock(datetime(2025, 6, 10, 11, tzinfo=WIB))
    this = open_ledger(postgres_settings, clock=this_clock)
    other = open_ledger(postgres_settings, clock=other_clock)
    try:
        with recording(this.clock):
            this.open_programme(tangerang_terms(), actor="admin")
        with recording(other.clock):
            other.open_programme(grant_terms(), actor="admin")
        before = _log(this)
        this_clock.set(datetime(2025, 6, 10, 10, tzinfo=WIB))  # after its own, before the other's
        with recording(this.clock), pytest.raises(ClockBackwardsError,
                                                  match="earlier than the last event"):
            this.open_programme(tangerang_terms(code="TNG-2026"), actor="admin")
        assert _log(this) == before
    finally:
        other.close()
        this.close()


@pytest.mark.postgres
def test_a_real_clock_ledger_notices_a_later_writer_before_its_first_save(
    postgres_settings: StoreSettings,
) -> None:
    ahead = open_ledger(postgres_settings,
                        clock=ScriptedClock(datetime.now(UTC) + timedelta(hours=1)))
    this = open_ledger(postgres_settings)  # the real clock, opened before the other writes
    try:
        with recording(ahead.clock):
            ahead.open_programme(tangerang_terms(), actor="admin")
        with pytest.raises(ClockBackwardsError, match="check the clock of this machine"):
            this.open_programme(grant_terms(), actor="admin")
        assert len(_log(this)) == 1
    finally:
        this.close()
        ahead.close()


def test_on_the_real_clock_the_log_is_read_once_and_a_clock_set_back_is_still_refused(
    store_settings: StoreSettings,
) -> None:
    clock = _SkewedClock(datetime(2025, 6, 10, 9, tzinfo=WIB))
    ledger = open_ledger(store_settings, clock=clock)
    times = ledger.events.times  # type: ignore[attr-defined]
    reads: list[datetime | None] = []
    read_log = times.last_time
    times.last_time = lambda: reads.append(read_log()) or reads[-1]
    try:
        with recording(ledger.clock):
            ledger.open_programme(tangerang_terms(), actor="admin")
            ledger.open_programme(grant_terms(), actor="admin")
            assert len(reads) == 1  # on the first save; the second trusted what it knew
            clock.current -= timedelta(seconds=1)  # within the tolerance: two writers' race
            ledger.open_programme(tangerang_terms(code="TNG-2026"), actor="admin")
            before = _log(ledger)
            clock.current -= timedelta(minutes=5)  # someone sets the machine's clock back
            with pytest.raises(ClockBackwardsError, match="earlier than the last event"):
                ledger.open_programme(grant_terms(code="HIBAH-2026"), actor="admin")
        assert _log(ledger) == before
        assert len(reads) == 2  # behind what it knew: the log was read again to say so
    finally:
        ledger.close()
