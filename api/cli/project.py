"""``claims-ledger project``: run or rebuild the projections, once or following the log."""

from __future__ import annotations

import signal
import sys
import threading
import time

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli.common import console, refusal
from documents.formatting import number_id
from ledger.application import Ledger
from ledger.errors import LedgerError, ProjectionStoppedError, StoreUnavailableError
from projections.runner import Projector
from projections.witness_schedule import WitnessSchedule, schedule_from_environment
from storage.log_index import open_ledger as open_store_ledger
from storage.log_index import unavailable
from storage.settings import StoreSettings, settings_from_environment

_refusal = refusal


class SignalStop(threading.Event):
    """The follower's stop: an event that a signal handler may set.

    A plain ``Event.set`` takes the event's lock. A SIGTERM handler runs in the main thread,
    between two of its steps; when those steps were inside ``Event.wait``, which holds the same
    lock for a moment, the handler waited for it forever (about one follower in thirty hung on
    SIGTERM). Here ``set`` only raises a flag, and ``wait`` sleeps in steps of :data:`STEP`
    until the flag is up or its time is over."""

    STEP = 0.05

    def __init__(self) -> None:
        super().__init__()
        self._raised = False

    def set(self) -> None:
        self._raised = True

    def is_set(self) -> bool:
        return self._raised

    def clear(self) -> None:
        self._raised = False

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._raised:
            left = self.STEP if deadline is None else min(self.STEP, deadline - time.monotonic())
            if left <= 0:
                break
            time.sleep(left)
        return self._raised


@click.command()
@click.option("--follow", is_flag=True, help="Keep the projections live until stopped.")
@click.option("--rebuild", is_flag=True,
              help="Rebuild from position 0 into fresh tables, swapped in when complete.")
@click.option("--batch", default=2000, show_default=True, type=click.IntRange(1, 100_000),
              help="Events per transaction.")
def project(follow: bool, rebuild: bool, batch: int) -> None:
    """Catch the projections up with the log (and exit, unless --follow).

    With --follow nothing but Ctrl-C or SIGTERM ends it: a database that cannot be reached is
    waited for (with backoff), an event that cannot be applied is reported and tried again.
    """
    stop = SignalStop()
    if follow:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())  # a flag: no lock (SignalStop)
    try:
        # The witnesses the follower asks on a schedule and at each period close (checked
        # before any work: a bad LEDGER_WITNESSES is said at once).
        schedule = schedule_from_environment() if follow else None
        opened = _open_projector(settings_from_environment(), batch, stop if follow else None)
        if opened is None:
            return  # stopped while waiting for the database
        ledger, projector = opened
        try:
            _project(projector, follow, rebuild, stop, schedule)
        finally:
            projector.close()
            ledger.close()
    except LedgerError as error:
        raise _refusal(error) from None


def _open_projector(settings: StoreSettings, batch: int,
                    stop: threading.Event | None) -> tuple[Ledger, Projector] | None:
    """The ledger and its projector, once the database answers: at once, or (following,
    ``stop`` given) after waiting for it with backoff; None if stopped while waiting. Not
    :func:`~api.cli.common.ledger_session`: a follower waits for the database, not refuses."""
    import logging

    from projections.runner import BACKOFF_CAP_SECONDS, unreachable

    log = logging.getLogger("claims_ledger.projections")
    delay, said = 0.5, ""
    while True:
        ledger: Ledger | None = None
        try:
            try:
                # One direct attempt first: it fails at once when the server is down, where
                # the library's pool waits for it.
                ledger = open_store_ledger(settings, ready=True)
            except Exception as error:
                if not unreachable(error):
                    raise
                raise unavailable(settings, error) from error
            return ledger, Projector(ledger, batch_size=batch)
        except StoreUnavailableError as error:
            if ledger is not None:
                ledger.close()
            if stop is None:
                raise
            reason = str(error).splitlines()[0]
            if reason != said:  # once per reason, not once per try
                said = reason
                log.warning("projector: %s; trying again in %.1f s, then backing off up to "
                            "%.0f s", reason, delay, BACKOFF_CAP_SECONDS)
            stop.wait(delay)
            if stop.is_set():
                return None
            delay = min(delay * 2, BACKOFF_CAP_SECONDS)
        except BaseException:
            if ledger is not None:
                ledger.close()
            raise


def _project(projector: Projector, follow: bool, rebuild: bool, stop: threading.Event,
             schedule: WitnessSchedule | None = None) -> None:
    started = time.perf_counter()
    try:
        applied = catch_up(projector, rebuild=rebuild)
        position = projector.position()
    except (ProjectionStoppedError, StoreUnavailableError) as error:
        if not follow:
            raise
        console.print(f"Error: {error} [{error.rule}]")  # the follower goes on trying
    else:
        took = time.perf_counter() - started
        console.print(f"{'rebuilt' if rebuild else 'applied'} {number_id(applied)} events in "
                      f"{took:.1f} s; projections at position {number_id(position)}")
    if follow:
        console.print("following the log (Ctrl-C or SIGTERM to stop)")
        sys.stdout.flush()  # a service's log shows it now, not when the buffer fills
        try:
            projector.follow(stop, after_catch_up=schedule)
        except KeyboardInterrupt:
            stop.set()


def catch_up(projector: Projector, rebuild: bool = False) -> int:
    """Catch the projections up (or rebuild them) behind a progress bar; the events applied."""
    with Progress(TextColumn("{task.description:<40}"), BarColumn(),
                  TextColumn("{task.completed:>9}/{task.total}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("rebuilding projections" if rebuild else "projecting",
                                 total=projector.head(), completed=projector.position())

        def advance(position: int, head: int) -> None:
            progress.update(task, completed=position, total=head)

        return projector.rebuild(advance) if rebuild else projector.catch_up(progress=advance)
