"""Region reference data (Kemendagri codes) for the regions the programmes name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ledger.errors import InvalidInputError


class UnknownRegionError(InvalidInputError):
    rule = "unknown-region"


@dataclass(frozen=True)
class Region:
    """A regency or city (kabupaten/kota) and the districts (kecamatan) the ledger knows."""

    code: str
    name: str
    province: str
    districts: Mapping[str, str] = field(default_factory=dict)


def _districts(code: str, names: list[str]) -> dict[str, str]:
    return {f"{code}.{index:02d}": name for index, name in enumerate(names, start=1)}


REGIONS: Mapping[str, Region] = {
    region.code: region
    for region in (
        Region("36.71", "Kota Tangerang", "Banten", _districts("36.71", [
            "Tangerang", "Jatiuwung", "Batuceper", "Benda", "Cipondoh", "Ciledug", "Karawaci",
            "Periuk", "Cibodas", "Neglasari", "Pinang", "Karang Tengah", "Larangan"])),
        # Districts left out where their codes are not confirmed: only formats are checked there.
        Region("36.03", "Kabupaten Tangerang", "Banten"),
        Region("36.74", "Kota Tangerang Selatan", "Banten"),
        Region("31.73", "Kota Administrasi Jakarta Barat", "DKI Jakarta", _districts("31.73", [
            "Cengkareng", "Grogol Petamburan", "Taman Sari", "Tambora", "Kebon Jeruk",
            "Kalideres", "Palmerah", "Kembangan"])),
    )
}

_REGION = re.compile(r"^\d{2}\.\d{2}$")
_DISTRICT = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_VILLAGE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.[12]\d{3}$")


def region(code: str) -> Region:
    """The region of a code, or a clear error."""
    try:
        return REGIONS[code]
    except KeyError:
        raise UnknownRegionError(
            f"region code '{code}' is not in the ledger's reference data", field="region"
        ) from None


def district_name(district_code: str) -> str | None:
    """The name of a district, when the ledger knows it."""
    known = REGIONS.get(district_code[:5])
    return known.districts.get(district_code) if known else None


def is_valid_region_code(code: str) -> bool:
    return bool(_REGION.match(code))


def is_valid_district_code(code: str) -> bool:
    return bool(_DISTRICT.match(code)) and not code.endswith(".00")


def is_valid_village_code(code: str) -> bool:
    """Kelurahan (1xxx) and desa (2xxx) codes under a district."""
    return bool(_VILLAGE.match(code))
