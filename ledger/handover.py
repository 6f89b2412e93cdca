"""A symbolic handover ceremony (*penyerahan simbolis*) and what was shown at it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.errors import InvalidInputError
from ledger.names import require_visible


@dataclass(frozen=True)
class Official:
    name: str
    role: str

    def as_record(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role}


@dataclass(frozen=True)
class CeremonyDetails:
    """Date, place and people of a ceremony, as the clerk records them."""

    held_on: date
    venue: str
    region: str
    district: str
    occasion: str
    officials: tuple[Official, ...]

    def validate(self) -> None:
        if not self.venue.strip():
            raise InvalidInputError("the ceremony needs its venue", field="venue")
        if not self.occasion.strip():
            raise InvalidInputError("the ceremony needs its occasion", field="occasion")
        if not self.officials:
            raise InvalidInputError(
                "name at least one official who handed the benefits over", field="officials"
            )
        for official in self.officials:
            require_visible(official.name, "an official's name", "officials")


class Handover(LedgerAggregate):
    """One ceremony. Each item says whether the claim shown had been paid at that moment."""

    @event("Held")
    def __init__(
        self,
        held_on: date,
        venue: str,
        region: str,
        district: str,
        occasion: str,
        officials: list[dict[str, str]],
        items: list[dict[str, Any]],
        actor: str,
    ) -> None:
        self.held_on = held_on
        self.venue = venue
        self.region = region
        self.district = district
        self.occasion = occasion
        self.officials = list(officials)
        self.items = list(items)
        self.recorded_by = actor

    @property
    def unpaid_items(self) -> list[dict[str, Any]]:
        """Claims handed over before their payout was recorded: flagged for the auditors."""
        return [item for item in self.items if not item["paid"]]
