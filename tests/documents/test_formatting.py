"""Money and dates as Indonesian readers expect them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from documents.formatting import date_en, date_id, datetime_wib, month_id, number_id, rupiah


def test_rupiah_is_written_with_dots_and_no_space() -> None:
    assert rupiah(999_936_000) == "Rp999.936.000"
    assert rupiah(294_000_000) == "Rp294.000.000"
    assert rupiah(16_800) == "Rp16.800"
    assert rupiah(42_000_000) == "Rp42.000.000"
    assert rupiah(0) == "Rp0"
    assert rupiah(-10_000) == "-Rp10.000"


def test_money_that_is_not_whole_rupiah_is_refused() -> None:
    with pytest.raises(TypeError):
        rupiah(16_800.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rupiah(True)


def test_counts_use_a_dot_for_thousands() -> None:
    assert number_id(5_952) == "5.952"


def test_dates_are_written_with_indonesian_month_names() -> None:
    assert date_id(date(2025, 3, 24)) == "24 Maret 2025"
    assert date_id(date(2026, 2, 3)) == "3 Februari 2026"
    assert date_en(date(2025, 3, 24)) == "24 March 2025"
    assert month_id("2025-03") == "Maret 2025"


def test_utc_timestamps_are_shown_in_wib_across_midnight() -> None:
    assert datetime_wib(datetime(2025, 3, 23, 18, 30, tzinfo=UTC)) == "24 Maret 2025 01:30 WIB"


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        datetime_wib(datetime(2025, 3, 24, 10, 0))
