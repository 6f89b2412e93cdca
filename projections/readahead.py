"""Decoding a batch of the log, and reading and decoding the next one while the last is written.

:func:`decode` turns a batch's notifications into the events some projection needs (an event
no handler takes is not decoded, nor unsealed), naming the event that cannot be decoded.

A replay from the start (``project --rebuild``, a snapshot at a position) spends its time in
two places that can run at once on two cores: this process reading, decoding and unsealing
events and hashing the journal's leaves, and PostgreSQL writing the rows of the batch before
(psycopg waits for it without the GIL). :class:`ReadAhead` does the first for the next batch in
a thread of its own while the projector's transaction does the second. Only what does not
depend on the projection tables is done ahead: the batch is still applied in the projector's
transaction under the tracking lock, and only when it starts right after the position found
there (else, or when it could not be decoded, the projector reads it again itself, as without).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Notification

from ledger.application import Ledger
from ledger.journal.checkpoint import leaf_of
from projections.bounds import check_bounds
from projections.failures import EventFailed, unreachable
from projections.handlers import HANDLERS, Handler

Decoded = list[tuple[Notification, Handler | None, Any]]


def decode(mapper: Any, notifications: Sequence[Notification], dating: bool) -> Decoded:
    """The events of ``notifications`` that a handler takes (every one when ``dating``: a
    snapshot of what was covered on a day dates each event), with their handlers; raises
    :class:`~projections.failures.EventFailed` at one that cannot be decoded."""
    decoded: Decoded = []
    for notification in notifications:
        name = notification.topic.rsplit(":", 1)[-1]
        handler = HANDLERS.get(name)
        if handler is None and not dating:
            continue  # decode only what some projection needs
        try:
            event = mapper.to_domain_event(notification)
            if handler is not None:
                check_bounds(name, event)
            decoded.append((notification, handler, event))
        except Exception as error:
            if unreachable(error):
                raise
            raise EventFailed(notification.id, name, error) from error
    return decoded


@dataclass(frozen=True)
class Batch:
    """A batch read ahead: its notifications, their decoded events and journal leaves."""

    notifications: Sequence[Notification]
    decoded: Decoded
    leaves: list[bytes]


#: How many batches are kept read ahead of the one being written.
DEPTH = 2


class ReadAhead:
    """Reads and decodes the log from ``start`` (up to ``until``) in batches of ``size``, in a
    thread, a batch or two ahead of :meth:`take`; :meth:`close` ends it."""

    def __init__(self, ledger: Ledger, start: int, size: int, until: int | None) -> None:
        self.ledger = ledger
        self.size = size
        self.until = until
        self._ready: queue.Queue[Batch | None] = queue.Queue(maxsize=DEPTH)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(start,), daemon=True,
                                        name="projections-read-ahead")
        self._thread.start()

    def take(self, position: int) -> Batch | None:
        """The batch that starts right after ``position``; None when there is none (the log
        ends, the reader stopped at a batch it could not decode, or it is elsewhere): from
        then on always None (the projector reads by itself)."""
        while not self._stop.is_set():
            batch = self._ready.get()
            if batch is not None and batch.notifications[-1].id <= position:
                continue  # applied already (the projector applied a part by itself)
            if batch is not None and batch.notifications[0].id == position + 1:
                return batch
            self._stop.set()  # the end, or elsewhere: the projector reads by itself from here
        return None

    def _read(self, position: int) -> None:
        try:
            while not self._stop.is_set():
                notifications = self.ledger.recorder.select_notifications(
                    start=position + 1, limit=self.size, stop=self.until)
                if not notifications:
                    break
                decoded = decode(self.ledger.mapper, notifications, dating=False)
                leaves = [leaf_of(n.id, n.originator_id, n.originator_version, n.topic,
                                  n.state) for n in notifications]
                if not self._put(Batch(notifications, decoded, leaves)):
                    return
                position = notifications[-1].id
        except Exception:  # the projector reads the batch itself, and says what is wrong
            pass
        self._put(None)

    def _put(self, batch: Batch | None) -> bool:
        while not self._stop.is_set():
            try:
                self._ready.put(batch, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
