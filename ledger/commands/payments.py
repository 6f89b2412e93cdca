"""Money in and registry answers: payment orders (SP2D) of a programme's contributions and
their reversal, and the population register's answers on members' NIKs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.commands.base import Commands
from ledger.contribution import Contribution, read_order
from ledger.enrolment import Enrolment
from ledger.errors import (
    ContributionMembersError,
    DuplicateIdentityCheckError,
    DuplicatePaymentOrderError,
    IdentityCheckMembersError,
    LedgerError,
)
from ledger.identity_check import IdentityCheck, read_answer
from ledger.programme import Programme


class PaymentCommands(Commands):
    """Contributions paid and reversed; identity checks recorded."""

    def pay_contribution(self, code: str, sp2d: str, paid_on: date, months: Iterable[str],
                         enrolment_ids: Iterable[UUID | str], amount: int,
                         actor: str) -> Contribution:
        """Record one payment order: members x rate x months exactly, within the ceiling."""
        month_list, members = read_order(sp2d, months, enrolment_ids, amount)

        def build() -> tuple[Contribution, list[Aggregate]]:
            programme = self.programme(code)
            contribution = Contribution.pay(
                programme, sp2d=sp2d, paid_on=paid_on, months=month_list, members=members,
                amount=amount, actor=actor,
                not_enrolled=lambda ids: self._not_enrolled_in(programme, ids))
            if self._exists(contribution.id):
                raise DuplicatePaymentOrderError(
                    f"payment order {sp2d} is already recorded for programme {programme.code}",
                    field="sp2d")
            programme.contribution_booked(str(contribution.id), month_list, amount)
            return contribution, [programme, contribution]

        return self._command(build)

    def reverse_contribution(self, code: str, sp2d: str, reversed_on: date, reason: str,
                             actor: str, expected_version: int | None = None) -> Contribution:
        """Reverse a recorded payment; the money goes back under the ceiling."""

        def load() -> Contribution:
            self.programme(code, shared=True)  # an unknown programme is named as such
            return self.contribution(code, sp2d)

        def act(contribution: Contribution) -> list[Aggregate]:
            programme = self.programme(code)
            contribution.reverse(reversed_on, reason, actor)
            programme.contribution_unbooked(str(contribution.id))
            return [programme, contribution]

        return self._update(load, act, expected_version)

    def _not_enrolled_in(self, programme: Programme, members: list[str],
                         error: type[LedgerError] = ContributionMembersError,
                         field: str = "enrolment_ids") -> list[str]:
        """The ids among ``members`` that are not enrolments of this programme."""
        keys: dict[str, UUID] = {}
        for member in members:
            try:
                keys[member] = UUID(member)
            except ValueError:
                raise error(f"'{member}' is not a member id", field=field) from None
        created = self.first_events(keys.values())
        expected = str(programme.id)
        enrolled = get_topic(Enrolment.Enrolled)  # type: ignore[attr-defined]
        return [m for m, key in keys.items()
                if key not in created or get_topic(type(created[key])) != enrolled
                or created[key].programme_id != expected]

    def record_identity_check(self, code: str, reference: str, checked_on: date,
                              matched: Iterable[UUID | str], unmatched: dict[str, str],
                              actor: str, registry: str = "Dukcapil") -> IdentityCheck:
        """Record the population register's answer on members' NIKs (matched or not, why)."""
        found, missing = read_answer(reference, matched, unmatched)

        def build() -> tuple[IdentityCheck, list[Aggregate]]:
            programme = self.programme(code)
            check = IdentityCheck.answer(
                programme, reference=reference, registry=registry, checked_on=checked_on,
                matched=found, unmatched=missing, actor=actor,
                not_enrolled=lambda ids: self._not_enrolled_in(
                    programme, ids, IdentityCheckMembersError, "matched"))
            if self._exists(check.id):
                raise DuplicateIdentityCheckError(
                    f"registry answer {reference.strip()} is already recorded for programme "
                    f"{programme.code}", field="reference")
            return check, [check]

        return self._command(build)
