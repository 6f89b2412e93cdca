"""Reference data and calendar rules: region codes, months, working days, due dates."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.calendar import (
    CalendarError,
    add_calendar_months,
    add_months,
    add_working_days,
    contribution_due_date,
    is_working_day,
    month_end,
    month_range,
    months_between,
    parse_month,
    working_days_between,
)
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


def test_march_to_december_2025_is_ten_months() -> None:
    months = month_range("2025-03", 10)
    assert months[0] == "2025-03" and months[-1] == "2025-12" and len(months) == 10
    assert months_between("2025-03", "2025-12") == 9
    assert add_months("2025-12", 1) == "2026-01"
    assert add_months("2025-01", -1) == "2024-12"


def test_months_end_on_their_last_day() -> None:
    assert month_end("2025-02") == date(2025, 2, 28)
    assert month_end("2024-02") == date(2024, 2, 29)


def test_calendar_months_clamp_to_the_end_of_a_short_month() -> None:
    assert add_calendar_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_calendar_months(date(2025, 3, 24), 3) == date(2025, 6, 24)


@pytest.mark.parametrize("text", ["2025-13", "03/2025", "2025-3", "1999-12", ""])
def test_a_month_not_written_yyyy_mm_is_refused(text: str) -> None:
    with pytest.raises(CalendarError, match=r"YYYY-MM, e\.g\. 2025-03"):
        parse_month(text)


def test_weekends_and_public_holidays_are_not_working_days() -> None:
    assert is_working_day(date(2025, 3, 24))  # a Monday
    assert not is_working_day(date(2025, 3, 22))  # a Saturday
    assert not is_working_day(date(2025, 8, 17))  # Independence Day (a Sunday anyway)
    assert not is_working_day(date(2025, 1, 1))  # New Year
    assert not is_working_day(date(2025, 3, 31))  # Idul Fitri 1446 H


def test_forty_working_days_skip_weekends_and_holidays() -> None:
    died = date(2025, 1, 2)
    deadline = add_working_days(died, 40)
    assert working_days_between(died, deadline) == 40
    # 40 weekdays after 2 January 2025 would be 27 February; the holidays push it later.
    assert deadline > date(2025, 2, 27)
    assert is_working_day(deadline)


def test_a_contribution_due_on_a_saturday_moves_to_monday() -> None:
    # 15 March 2025 is a Saturday.
    assert contribution_due_date("2025-03") == date(2025, 3, 17)
    assert contribution_due_date("2025-04") == date(2025, 4, 15)
