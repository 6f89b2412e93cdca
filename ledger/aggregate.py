"""The base of every aggregate of the ledger: events stamped by the clock in force.

The library stamps an event with ``datetime.now()`` and gives a new aggregate a ``uuid4``; here
both come from :mod:`ledger.clock`, so the demo and the tests can record a story on the dates it
happened, with ids that follow from a seed. Deriving from this class changes nothing stored:
an event's topic is its own module and class name, not its base's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.clock import new_id, now


class LedgerAggregate(Aggregate):
    """An aggregate whose events read the ledger's clock and whose ids its id source."""

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        """A new id, from the id source in force (random outside the demo and the tests)."""
        return new_id()

    class Event(Aggregate.Event):
        """An event of a ledger aggregate."""

        @staticmethod
        def create_timestamp() -> datetime:
            """The moment of the clock in force (the real UTC clock outside a story)."""
            return now()
