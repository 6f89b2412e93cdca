"""A contribution payment: one payment order (SP2D) paying the iuran of named members for months."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.errors import AlreadyReversedError, InvalidInputError

CONTRIBUTION_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:contribution")


def contribution_id(programme_code: str, sp2d: str) -> UUID:
    """One payment order is recorded once per programme: its id follows from its number."""
    return uuid5(CONTRIBUTION_NAMESPACE, f"{programme_code.strip().upper()}|{sp2d.strip()}")


class Contribution(LedgerAggregate):
    """Members x rate x months, paid by one SP2D on one date; reversed only by a new event."""

    @staticmethod
    def create_id(programme_code: str, sp2d: str, **_: Any) -> UUID:
        return contribution_id(programme_code, sp2d)

    @event("Paid")
    def __init__(
        self,
        programme_id: str,
        programme_code: str,
        sp2d: str,
        paid_on: date,
        months: list[str],
        enrolment_ids: list[str],
        rate: int,
        amount: int,
        actor: str,
    ) -> None:
        self.programme_id = programme_id
        self.programme_code = programme_code
        self.sp2d = sp2d
        self.paid_on = paid_on
        self.months = list(months)
        self.enrolment_ids = tuple(enrolment_ids)
        self.rate = rate
        self.amount = amount
        self.paid_by = actor
        self.reversed_on: date | None = None
        self.reversal_reason: str | None = None
        self._members: frozenset[str] | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> Contribution:
        # The member list of a payment never changes after it is recorded: copies of the
        # aggregate (the repository cache hands out copies) share it instead of copying
        # thousands of ids on every read.
        shared = {"enrolment_ids", "_members"}
        clone = object.__new__(type(self))
        for key, value in self.__dict__.items():
            clone.__dict__[key] = value if key in shared else copy.deepcopy(value, memo)
        return clone

    @property
    def is_reversed(self) -> bool:
        return self.reversed_on is not None

    def pays_for(self, enrolment_id: str, month: str) -> bool:
        """Whether this (unreversed) payment covers this member for this month."""
        if self.is_reversed or month not in self.months:
            return False
        if self._members is None:
            self._members = frozenset(self.enrolment_ids)
        return enrolment_id in self._members

    def reverse(self, reversed_on: date, reason: str, actor: str) -> None:
        if self.reversed_on is not None:
            raise AlreadyReversedError(
                f"payment order {self.sp2d} was already reversed on "
                f"{self.reversed_on.isoformat()}"
            )
        if not reason.strip():
            raise InvalidInputError("a reversal needs a reason", field="reason")
        if reversed_on < self.paid_on:
            raise InvalidInputError(
                "a payment cannot be reversed before the date it was paid", field="reversed_on"
            )
        self._reversed(reversed_on, reason, actor)

    @event("Reversed")
    def _reversed(self, reversed_on: date, reason: str, actor: str) -> None:
        self.reversed_on = reversed_on
        self.reversal_reason = reason
