"""A population-register match (*pemadanan data*) of a programme's members with Dukcapil.

The agency sends its roster to the civil registry; the answer names the NIKs the registry found
(with matching name and date of birth) and those it did not, with its reason. One answer is one
event. A member never matched is an audit finding (DOMAIN.md section 7, red flag 2).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate

IDENTITY_CHECK_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:identity-check")


def identity_check_id(programme_code: str, reference: str) -> UUID:
    """One registry answer is recorded once per programme: its id follows from its reference."""
    return uuid5(IDENTITY_CHECK_NAMESPACE,
                 f"{programme_code.strip().upper()}|{reference.strip()}")


class IdentityCheck(LedgerAggregate):
    """The registry's answer: members matched, and members not matched with the reason."""

    @staticmethod
    def create_id(programme_code: str, reference: str, **_: Any) -> UUID:
        return identity_check_id(programme_code, reference)

    @event("Recorded")
    def __init__(
        self,
        programme_id: str,
        programme_code: str,
        reference: str,
        registry: str,
        checked_on: date,
        matched: list[str],
        unmatched: dict[str, str],
        actor: str,
    ) -> None:
        self.programme_id = programme_id
        self.programme_code = programme_code
        self.reference = reference
        self.registry = registry
        self.checked_on = checked_on
        self.matched = list(matched)
        self.unmatched = dict(unmatched)
        self.recorded_by = actor
