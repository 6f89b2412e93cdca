"""A contribution payment: one payment order (SP2D) paying the iuran of named members for months."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.calendar import parse_month
from ledger.errors import (
    AlreadyReversedError,
    ContributionAmountError,
    ContributionMembersError,
    InvalidInputError,
    NotEligibleError,
)
from ledger.limits import MAX_MEMBERS, require_count, require_rupiah
from ledger.money import rupiah
from ledger.programme import Programme

CONTRIBUTION_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:contribution")


def contribution_id(programme_code: str, sp2d: str) -> UUID:
    """One payment order is recorded once per programme: its id follows from its number."""
    return uuid5(CONTRIBUTION_NAMESPACE, f"{programme_code.strip().upper()}|{sp2d.strip()}")


def read_order(sp2d: str, months: Iterable[str], enrolment_ids: Iterable[UUID | str],
               amount: int) -> tuple[list[str], list[str]]:
    """A payment order's form checked before anything is read: its months (sorted, once
    each) and its members (as text), or the named error for what is missing or wrong."""
    month_list = sorted({parse_month(m) for m in months})
    members = [str(m) for m in enrolment_ids]
    if not sp2d.strip():
        raise InvalidInputError("the payment needs its SP2D number", field="sp2d")
    if not month_list:
        raise InvalidInputError("name the month(s) the payment is for", field="months")
    if not members:
        raise ContributionMembersError("name the members the payment is for",
                                       field="enrolment_ids")
    if len(set(members)) != len(members):
        raise ContributionMembersError("a member is named twice in the payment",
                                       field="enrolment_ids")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidInputError("the amount is a whole number of rupiah above zero",
                                field="amount")
    require_rupiah(amount, "the amount of a payment order", field="amount", minimum=1)
    require_count(len(members), "the members named in one payment", field="enrolment_ids",
                  minimum=1, maximum=MAX_MEMBERS)
    return month_list, members


class Contribution(LedgerAggregate):
    """Members x rate x months, paid by one SP2D on one date; reversed only by a new event."""

    @classmethod
    def pay(cls, programme: Programme, *, sp2d: str, paid_on: date, months: list[str],
            members: list[str], amount: int, not_enrolled: Callable[[list[str]], list[str]],
            actor: str) -> Contribution:
        """A payment order of :func:`read_order`'s months and members, if the programme is
        open, covers those months, has those members (``not_enrolled`` reads the store: asked
        only once the months are right) and the amount is exactly members x rate x months
        within the budget ceiling. The programme books it once it is known to be new."""
        programme.require_open()
        outside = [m for m in months if m not in programme.coverage_months]
        if outside:
            raise NotEligibleError(
                f"month(s) {', '.join(outside)} are outside the coverage months of "
                f"programme {programme.code}", field="months")
        strangers = not_enrolled(members)
        if strangers:
            raise ContributionMembersError(
                f"{len(strangers)} of the members named are not enrolled in programme "
                f"{programme.code} (first: {strangers[0]})", field="enrolment_ids")
        expected = sum(programme.rate_for(m) for m in months) * len(members)
        if amount != expected:
            raise ContributionAmountError(
                f"the amount {rupiah(amount)} is not members x rate x months: "
                f"{len(members)} x {rupiah(programme.rate_for(months[0]))} x "
                f"{len(months)} = {rupiah(expected)}", field="amount")
        programme.require_budget_for(amount)
        return cls(
            programme_id=str(programme.id), programme_code=programme.code, sp2d=sp2d.strip(),
            paid_on=paid_on, months=months, enrolment_ids=members,
            rate=expected // (len(members) * len(months)), amount=amount, actor=actor)

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
