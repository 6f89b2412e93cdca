"""The projector asks the witnesses: every ``LEDGER_WITNESS_EVERY`` seconds, and whenever it has
applied a programme's close (``Programme.Closed``: the end of a programme's period, after which
its figures are reported), it signs the journal's head as a C2SP checkpoint and asks each
witness of ``LEDGER_WITNESSES`` to co-sign it (:class:`projections.witnessing.Witnessing`),
keeping the cosignatures with the log.

Asking never stops the projections: a witness that cannot be reached, or refuses, is said in one
log line and asked again at the next turn; a journal that no longer extends a checkpoint the
ledger signed (a fork) is said in one line too, and nothing is signed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ledger.errors import LedgerError
from projections.journal import Journal
from projections.runner import Projector
from projections.witnessing import Ask, Witnessing, WitnessOutcome, http_ask
from storage.settings import OFFLINE, ConfiguredWitness

log = logging.getLogger("claims_ledger.witnessing")

#: The event that closes a programme's period: the projector asks the witnesses after it.
PERIOD_CLOSED = "ledger.programme:Programme.Closed"


@dataclass
class WitnessSchedule:
    """When and how the projector asks; call it after each catch-up (:meth:`Projector.follow`).

    ``every`` is None for "only at a period close"; ``clock`` is a monotonic clock in seconds.
    """

    origin: str
    signing_key: str
    witnesses: Sequence[ConfiguredWitness]
    every: float | None
    clock: Callable[[], float] = time.monotonic
    transport: Ask = http_ask
    #: The log position up to which period closes were looked for.
    seen: int = 0
    #: When the witnesses were last asked (by ``clock``), and the size they all co-signed.
    asked_at: float | None = None
    cosigned_size: int = field(default=-1)

    def due(self, projector: Projector) -> str | None:
        """Why the witnesses are to be asked now (None: not yet)."""
        position = projector.position()
        closed = self._period_closed(projector, position)
        self.seen = position
        if closed:
            return "a programme's period was closed"
        if self.every is not None and (self.asked_at is None
                                       or self.clock() - self.asked_at >= self.every):
            return f"every {self.every:g} s"
        return None

    def _period_closed(self, projector: Projector, position: int) -> bool:
        if position <= self.seen:
            return False
        return bool(projector.ledger.recorder.select_notifications(
            self.seen + 1, 1, stop=position, topics=(PERIOD_CLOSED,)))

    def __call__(self, projector: Projector) -> list[WitnessOutcome]:
        """Ask the witnesses if it is time; each witness that did not co-sign is logged."""
        why = self.due(projector)
        if why is None:
            return []
        self.asked_at = self.clock()
        try:
            service = Witnessing(Journal(projector.ledger, projector.connection, projector.live),
                                 self.origin)
            if service.journal.head().size == self.cosigned_size:
                return []  # every witness co-signed this very head already
            checkpoint = service.checkpoint(self.signing_key)
            outcomes = service.ask(self.witnesses, checkpoint, self.transport)
        except LedgerError as error:
            log.error("witnesses not asked (%s): %s", why, error)
            return []
        except Exception as error:  # the database went away: the follower says so itself
            log.warning("witnesses not asked (%s): %s", why, error)
            return []
        for outcome in outcomes:
            if outcome.ok:
                log.info("%s (%s)", outcome.message, why)
            else:
                log.warning("%s%s", "FORK: " if outcome.fork else "", outcome.message)
        if all(outcome.ok for outcome in outcomes):
            self.cosigned_size = checkpoint.body.size
        return outcomes


def schedule_from_environment() -> WitnessSchedule | None:
    """The schedule of ``LEDGER_WITNESS_EVERY`` over ``LEDGER_WITNESSES``; None when no witness
    is configured, or no ``LEDGER_SIGNING_KEY`` to sign checkpoints with (said in one line)."""
    from storage.settings import (
        origin_from_environment,
        signing_key_from_environment,
        witness_every_from_environment,
        witnesses_from_environment,
    )

    witnesses = [w for w in witnesses_from_environment() if w.url != OFFLINE]
    if not witnesses:
        return None  # none, or only witnesses that take files (asked by hand)
    key = signing_key_from_environment()
    if key is None:
        log.warning("LEDGER_WITNESSES names witnesses but LEDGER_SIGNING_KEY is not set: the "
                    "projector does not ask them")
        return None
    return WitnessSchedule(origin_from_environment(), key, witnesses,
                           witness_every_from_environment())
