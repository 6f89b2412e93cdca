"""``project --follow`` stops on SIGTERM however the signal falls: the handler only raises a
flag, so it cannot wait forever for a lock the interrupted main thread holds (a plain
``threading.Event`` set from the handler hung about one follower in thirty)."""

from __future__ import annotations

import threading
import time

from api.cli.project import SignalStop


def _set_inside_the_lock(stop: threading.Event) -> threading.Thread:
    """Set ``stop`` while its own lock is held by the same thread: what a signal handler does
    when the signal arrives while the main thread is inside ``stop.wait``."""

    def interrupted() -> None:
        with stop._cond:  # type: ignore[attr-defined]  # the lock Event.wait holds a moment
            stop.set()

    thread = threading.Thread(target=interrupted, daemon=True)
    thread.start()
    thread.join(2)
    return thread


def test_a_plain_event_set_inside_its_own_lock_never_returns() -> None:
    assert _set_inside_the_lock(threading.Event()).is_alive()  # the hang this guards against


def test_the_followers_stop_is_set_inside_its_own_lock_at_once() -> None:
    stop = SignalStop()
    assert not _set_inside_the_lock(stop).is_alive()
    assert stop.is_set() and stop.wait(5)


def test_the_followers_stop_waits_its_time_or_until_it_is_set() -> None:
    stop = SignalStop()
    started = time.monotonic()
    assert stop.wait(0.2) is False
    assert time.monotonic() - started >= 0.2
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    assert stop.wait(10) is True
    assert time.monotonic() - started < 5  # woken by the set, not by the timeout
