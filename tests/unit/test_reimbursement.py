"""JKK costs paid back against receipts: medical care, transport, home care (PP 82/2019)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from ledger.benefits import BenefitRules
from ledger.errors import DuplicateReceiptError, HomeCarePeriodError, InvalidInputError
from ledger.reimbursement import (
    Receipt,
    TransportMode,
    home_care,
    medical_care,
    require_sha256,
    transport,
)


def receipt(reference: str, amount: int, issued_on: date = date(2025, 5, 2)) -> Receipt:
    return Receipt(reference, issued_on, amount, hashlib.sha256(reference.encode()).hexdigest())


@pytest.mark.parametrize(("mode", "billed", "paid"), [
    (TransportMode.LAND, 4_999_999, 4_999_999), (TransportMode.LAND, 6_000_000, 5_000_000),
    (TransportMode.SEA, 2_000_000, 2_000_000), (TransportMode.SEA, 2_500_000, 2_000_000),
    (TransportMode.AIR, 10_000_000, 10_000_000), (TransportMode.AIR, 14_000_000, 10_000_000),
])
def test_transport_is_paid_as_billed_up_to_5_2_and_10_million_by_land_sea_and_air(
        v1: BenefitRules, mode: TransportMode, billed: int, paid: int) -> None:
    assert transport(v1, [(mode, receipt("KW-1", billed))]).amount == paid


def test_a_cases_receipts_by_one_mode_are_added_up_before_the_ceiling(v1: BenefitRules) -> None:
    computed = transport(v1, [(TransportMode.LAND, receipt("KW-1", 3_000_000)),
                              (TransportMode.LAND, receipt("KW-2", 2_500_000)),
                              (TransportMode.SEA, receipt("KW-3", 1_000_000))])
    assert computed.amount == 6_000_000
    assert [line.label for line in computed.lines] == [
        "transport by land: billed Rp5.500.000, paid up to the ceiling of Rp5.000.000",
        "transport by sea: billed Rp1.000.000",
    ]


def test_the_test_rule_set_pays_land_transport_up_to_6_million(later: BenefitRules) -> None:
    assert transport(later, [(TransportMode.LAND, receipt("KW-1", 7_000_000))]).amount \
        == 6_000_000


def test_medical_care_is_paid_as_billed_with_no_ceiling(v1: BenefitRules) -> None:
    computed = medical_care(v1, [receipt("INV-RS-1", 180_000_000), receipt("INV-RS-2", 70_500)])
    assert computed.amount == 180_070_500
    assert computed.lines[0].label == "invoice INV-RS-1 of 2025-05-02"


def test_home_care_is_paid_up_to_20_million(v1: BenefitRules) -> None:
    started = date(2025, 5, 1)
    visits = [date(2025, month, 1) for month in range(5, 13)] + [
        date(2026, month, 1) for month in range(1, 4)]  # May 2025 to March 2026: 11 months
    receipts = [receipt(f"HC-{n}", 2_000_000, day) for n, day in enumerate(visits)]
    assert home_care(v1, started_on=started, receipts=receipts[:6]).amount == 12_000_000
    computed = home_care(v1, started_on=started, receipts=receipts)
    assert computed.amount == 20_000_000
    assert "billed Rp22.000.000, paid up to the ceiling of Rp20.000.000" in computed.lines[0].label


def test_home_care_after_its_first_year_is_refused(v1: BenefitRules) -> None:
    started = date(2025, 5, 1)
    assert home_care(v1, started_on=started,
                     receipts=[receipt("HC-12", 1_000_000, date(2026, 4, 30))]).amount == 1_000_000
    with pytest.raises(HomeCarePeriodError) as refused:
        home_care(v1, started_on=started, receipts=[receipt("HC-13", 1_000_000, date(2026, 5, 1))])
    assert str(refused.value) == (
        "home care is paid for 12 months at most, from 2025-05-01 to 2026-04-30; receipt HC-13 "
        "is dated 2026-05-01")


def test_a_receipt_listed_twice_is_refused(v1: BenefitRules) -> None:
    once = receipt("INV-1", 500_000)
    again = Receipt("INV-1-copy", once.issued_on, once.amount, once.sha256.upper())
    with pytest.raises(DuplicateReceiptError, match="INV-1 and INV-1-copy are the same document"):
        medical_care(v1, [once, again])


@pytest.mark.parametrize("bad", [
    "", "abc", "0" * 63, "0" * 65, "g" * 64, "\u0660" * 64,  # Arabic-Indic zeros
    "0" * 32 + " " + "0" * 31, None])
def test_a_receipt_hash_must_be_64_hexadecimal_digits(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="64 hexadecimal digits"):
        require_sha256(bad)


def test_a_receipt_hash_in_capitals_is_kept_in_lower_case() -> None:
    digest = hashlib.sha256(b"kwitansi").hexdigest()
    assert Receipt("KW-9", date(2025, 5, 2), 1, f" {digest.upper()} ").sha256 == digest


def test_a_receipt_without_reference_or_amount_and_a_claim_without_receipts_are_refused(
        v1: BenefitRules) -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    with pytest.raises(InvalidInputError, match="needs its reference"):
        Receipt(" ", date(2025, 5, 2), 1, digest)
    with pytest.raises(InvalidInputError, match="at least Rp1"):
        Receipt("KW-1", date(2025, 5, 2), 0, digest)
    with pytest.raises(InvalidInputError, match="give at least one"):
        medical_care(v1, [])
