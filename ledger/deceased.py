"""The deceased a city death grant is applied for: a poor resident on the welfare register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.errors import InvalidInputError, NotEligibleError
from ledger.identity import mask_nik, parse_kk, parse_nik
from ledger.names import require_visible


@dataclass(frozen=True)
class Deceased:
    """A poor resident who died, as the city death grant needs them (DTKS/DTSEN listed)."""

    nik: str
    name: str
    kk: str
    region: str
    district: str
    decile: int
    register: str
    register_snapshot: date

    def validate(self, *, region: str, deciles: tuple[int, int], died_on: date) -> str:
        """Check the deceased fits the grant; return the NIK as stored."""
        nik = parse_nik(self.nik, on=died_on).value
        parse_kk(self.kk)
        who = f"NIK {mask_nik(nik)}"
        if not self.name.strip():
            raise InvalidInputError("the deceased's name is empty", field="deceased.name")
        require_visible(self.name, "the deceased's name", "deceased.name")
        if self.region != region:
            raise NotEligibleError(
                f"{who} lived in region {self.region}; the grant is for residents of {region}",
                field="deceased.region",
            )
        low, high = deciles
        if not isinstance(self.decile, int) or not low <= self.decile <= high:
            raise NotEligibleError(
                f"{who} must be in the welfare register (decile {low}-{high}); "
                f"got decile {self.decile}",
                field="deceased.decile",
            )
        if self.register not in ("DTKS", "DTSEN"):
            raise InvalidInputError(
                "welfare register must be DTKS or DTSEN", field="deceased.register"
            )
        return nik

    def as_record(self) -> dict[str, Any]:
        return {
            "deceased_name": self.name,
            "deceased_kk": self.kk,
            "region": self.region,
            "district": self.district,
            "decile": self.decile,
            "register": self.register,
            "register_snapshot": self.register_snapshot,
        }
