"""Money, counts, dates and times written as Indonesian readers expect them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from documents.formatting import (
    date_en,
    date_id,
    datetime_wib,
    month_en,
    month_id,
    number_id,
    outstanding,
    rupiah,
    weekday_date,
)
from ledger.calendar import CalendarError


def test_the_kota_tangerang_budget_is_written_rp999_936_000() -> None:
    assert rupiah(999_936_000) == "Rp999.936.000"


def test_the_stage_one_death_grants_total_rp294_000_000() -> None:
    assert rupiah(98 * 3_000_000) == "Rp294.000.000"


def test_the_monthly_contribution_is_rp16_800_and_the_jkm_benefit_rp42_000_000() -> None:
    assert rupiah(16_800) == "Rp16.800"
    assert rupiah(42_000_000) == "Rp42.000.000"


def test_a_jkm_benefit_paid_on_a_revoked_approval_is_written_as_overpaid_not_minus() -> None:
    assert outstanding(-42_000_000) == "Lebih bayar Rp42.000.000"
    assert outstanding(-42_000_000, "en") == "Overpaid Rp42.000.000"
    assert outstanding(2_000_000, "en") == "Rp2.000.000"
    assert outstanding(0) == "Rp0"


def test_zero_has_no_dots_and_a_reversal_puts_the_minus_before_rp() -> None:
    assert rupiah(0) == "Rp0"
    assert rupiah(999) == "Rp999"
    assert rupiah(-10_000) == "-Rp10.000"


@pytest.mark.parametrize("amount", [16_800.0, Decimal("16800"), True, "16800"])
def test_money_that_is_not_whole_rupiah_in_an_int_is_refused(amount: object) -> None:
    with pytest.raises(TypeError, match="whole rupiah"):
        rupiah(amount)  # type: ignore[arg-type]


def test_the_number_of_members_is_written_5_952() -> None:
    assert number_id(5_952) == "5.952"
    assert number_id(84_602) == "84.602"
    assert number_id(98) == "98"


@pytest.mark.parametrize("count", [5_952.0, False])
def test_a_count_that_is_not_an_int_is_refused(count: object) -> None:
    with pytest.raises(TypeError, match="whole number"):
        number_id(count)  # type: ignore[arg-type]


def test_the_launch_and_the_ceremony_dates_have_indonesian_month_names() -> None:
    assert date_id(date(2025, 3, 24)) == "24 Maret 2025"
    assert date_id(date(2026, 2, 3)) == "3 Februari 2026"
    assert date_id(date(2025, 8, 17)) == "17 Agustus 2025"


def test_the_english_report_uses_english_month_names() -> None:
    assert date_en(date(2025, 3, 24)) == "24 March 2025"
    assert date_en(date(2026, 2, 3)) == "3 February 2026"


def test_a_ledger_month_is_written_as_its_indonesian_name_and_year() -> None:
    assert month_id("2025-03") == "Maret 2025"
    assert month_id("2025-12") == "Desember 2025"


def test_a_bad_month_is_refused_when_written_out() -> None:
    with pytest.raises(CalendarError, match="YYYY-MM"):
        month_id("2025-13")


def test_a_utc_time_in_the_afternoon_is_shown_seven_hours_later_in_wib() -> None:
    assert datetime_wib(datetime(2025, 3, 24, 7, 5, tzinfo=UTC)) == "24 Maret 2025 14:05 WIB"


def test_a_utc_evening_is_the_next_morning_in_wib() -> None:
    # 18:30 UTC on 23 March is 01:30 WIB on 24 March: the date in the report moves too.
    assert datetime_wib(datetime(2025, 3, 23, 18, 30, tzinfo=UTC)) == "24 Maret 2025 01:30 WIB"
    # ... and across a year end.
    assert datetime_wib(datetime(2025, 12, 31, 17, 0, tzinfo=UTC)) == "1 Januari 2026 00:00 WIB"


def test_a_time_already_in_another_zone_is_converted_to_wib() -> None:
    wita = timezone(timedelta(hours=8))  # Central Indonesia Time
    assert datetime_wib(datetime(2026, 2, 3, 10, 0, tzinfo=wita)) == "3 Februari 2026 09:00 WIB"


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        datetime_wib(datetime(2025, 3, 24, 10, 0))


def test_english_documents_get_english_months_and_times_still_in_wib() -> None:
    assert datetime_wib(datetime(2025, 3, 24, 7, 5, tzinfo=UTC), "en") == "24 March 2025 14:05 WIB"
    assert month_en("2025-08") == "August 2025"


def test_minutes_open_with_the_day_of_the_week() -> None:
    assert weekday_date(date(2026, 2, 3)) == "Selasa, 3 Februari 2026"
    assert weekday_date(date(2026, 2, 10), "en") == "Tuesday, 10 February 2026"
