"""Indonesian identity numbers: NIK (validated and decoded), KK and KPJ.

NIK layout (docs/domain.md section 5): ``PP RR DD dd mm yy ssss`` = province, regency/city and
district where the number was *first issued* (not where the person lives now), birth day (+40
for women), month, two-digit year, serial from 0001.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from ledger.errors import InvalidInputError


class IdentityError(InvalidInputError):
    """A NIK, KK or KPJ number that cannot be right; ``field`` names which."""

    rule = "invalid-identity-number"


@dataclass(frozen=True)
class Nik:
    """A valid NIK and what it says."""

    value: str
    province: str
    regency: str
    district: str
    birth_date: date
    sex: Literal["F", "M"]
    serial: str


def _digits(text: str, length: int, what: str, field: str) -> str:
    # Refusals name what is wrong and where, never the number itself: they reach answers, error
    # files and screens that did not need the whole NIK, KK or KPJ.
    value = str(text).strip()
    if not value:
        raise IdentityError(f"{what} is empty", field=field)
    if not value.isascii() or not value.isdigit():
        place, bad = next((i, c) for i, c in enumerate(value, start=1)
                          if not ("0" <= c <= "9"))
        raise IdentityError(f"{what} must be digits only; character {place} is {bad!r}",
                            field=field)
    if len(value) != length:
        raise IdentityError(
            f"{what} must be {length} digits; got {len(value)}", field=field
        )
    return value


def parse_nik(text: str, on: date | None = None) -> Nik:
    """Validate and decode a NIK; ``on`` is the day against which a birth year is resolved."""
    return _parse_nik(str(text), on or date.today())


# A roster row's NIK is read three times on its way in (the row, the stated birth date and sex,
# the eligibility form); the answer depends only on the text and the day, and a refusal is
# raised again each time (exceptions are never cached).
@lru_cache(maxsize=4096)
def _parse_nik(text: str, today: date) -> Nik:
    value = _digits(text, 16, "NIK", "nik")
    shown = mask_nik(value)
    province, regency, district = value[0:2], value[2:4], value[4:6]
    for part, name in ((province, "province"), (regency, "regency/city"), (district, "district")):
        if part == "00":
            raise IdentityError(f"NIK {shown} has {name} code 00, which does not exist",
                                field="nik")
    day, month, year2, serial = int(value[6:8]), int(value[8:10]), int(value[10:12]), value[12:]
    sex: Literal["F", "M"] = "F" if day > 40 else "M"
    birth_day = day - 40 if day > 40 else day
    if not 1 <= birth_day <= 31 or (31 < day <= 40) or day > 71:
        raise IdentityError(
            f"NIK {shown} has birth-day field {day:02d}; it must be 01-31 (men) or 41-71 "
            "(women)", field="nik")
    if not 1 <= month <= 12:
        raise IdentityError(f"NIK {shown} has birth month {month:02d}; it must be 01-12",
                            field="nik")
    if serial == "0000":
        raise IdentityError(f"NIK {shown} has serial 0000; serials start at 0001", field="nik")
    birth = None
    for century in (2000, 1900):
        try:
            candidate = date(century + year2, month, birth_day)
        except ValueError:
            raise IdentityError(
                f"NIK {shown} has a birth date that does not exist "
                f"({birth_day:02d}-{month:02d}-{year2:02d})", field="nik") from None
        if candidate <= today:
            birth = candidate
            break
    if birth is None:
        raise IdentityError(f"NIK {shown} has a birth date in the future", field="nik")
    return Nik(
        value=value,
        province=province,
        regency=f"{province}.{regency}",
        district=f"{province}.{regency}.{district}",
        birth_date=birth,
        sex=sex,
        serial=serial,
    )


def mask_nik(nik: str) -> str:
    """``3671********0001``: enough to tell people apart on paper, not to identify them. An
    erased NIK ("[dihapus]", ``ledger.personal_fields.ERASED``) is shown as it is."""
    value = str(nik).strip()
    if value == "[dihapus]":
        return value
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def parse_kk(text: str) -> str:
    """A family-card (KK) number: 16 digits starting with a province code."""
    value = _digits(text, 16, "KK number", "kk")
    if value[:2] == "00":
        raise IdentityError("KK number starts with province 00, which does not exist",
                            field="kk")
    return value


def parse_kpj(text: str) -> str:
    """A BPJS Ketenagakerjaan member card (KPJ) number: 11 digits."""
    return _digits(text, 11, "KPJ card number", "kpj")
