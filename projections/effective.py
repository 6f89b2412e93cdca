"""The day each event took effect, for read models of what was covered on a day.

An event that carries its own business date (paid, happened, decided, enrolled: see
:data:`ledger.history.EFFECTIVE_FIELDS`) took effect on it. An event without one that names
another record (a programme booking a contribution or a payout names that contribution or
claim) is that record's consequence, saved with it: it took effect when the record's nearest
dated event did, so a budget covered on a day counts exactly the payments paid by then.
Anything else (a person registered) took effect the day it was recorded (WIB).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ledger.history import EFFECTIVE_FIELDS, effective_day


def own_day(event: Any) -> date | None:
    """The business date an event carries itself (None if it carries none)."""
    for name in EFFECTIVE_FIELDS:
        value = getattr(event, name, None)
        if isinstance(value, date):
            return value
    return None


class EffectiveDays:
    """The effective days of a log read batch by batch, in order (one per snapshot)."""

    def __init__(self) -> None:
        #: The latest dated day of each record seen in earlier batches, by its id.
        self._latest: dict[str, date] = {}

    def of(self, batch: Sequence[tuple[int, str, Any]]) -> dict[int, date]:
        """The day each event of a batch of (position, record id, decoded event) took effect,
        by position."""
        dated: dict[str, list[tuple[int, date]]] = {}
        for position, record, event in batch:
            day = own_day(event)
            if day is not None:
                dated.setdefault(record, []).append((position, day))
        days: dict[int, date] = {}
        for position, _record, event in batch:
            days[position] = own_day(event) or self._named(event, position, dated) \
                or effective_day(event)
        for record, found in dated.items():
            self._latest[record] = found[-1][1]
        return days

    def _named(self, event: Any, position: int,
               dated: dict[str, list[tuple[int, date]]]) -> date | None:
        """The day of the dated event nearest ``position`` of a record the event names."""
        for value in vars(event).values():
            name = str(value) if isinstance(value, str) else None
            if name is None or name == "":
                continue
            nearby = dated.get(name)
            if nearby:
                return min(nearby, key=lambda found: abs(found[0] - position))[1]
            if name in self._latest:
                return self._latest[name]
        return None
