"""Region reference data: Kemendagri codes, district names, village code formats."""

from __future__ import annotations

import pytest

from ledger.regions import (
    UnknownRegionError,
    district_name,
    is_valid_village_code,
    region,
)


def test_kota_tangerang_has_its_thirteen_districts() -> None:
    tangerang = region("36.71")
    assert tangerang.name == "Kota Tangerang" and len(tangerang.districts) == 13
    assert district_name("36.71.08") == "Periuk"
    assert district_name("36.71.13") == "Larangan"
    assert district_name("31.73.07") == "Palmerah"


def test_an_unknown_region_is_refused_in_words() -> None:
    with pytest.raises(UnknownRegionError, match=r"'99\.99' is not in the ledger"):
        region("99.99")


def test_village_codes_are_kelurahan_or_desa_under_a_district() -> None:
    assert is_valid_village_code("36.71.08.1001")
    assert is_valid_village_code("36.03.01.2005")
    assert not is_valid_village_code("36.71.08.3001")
    assert not is_valid_village_code("36.71.08")
