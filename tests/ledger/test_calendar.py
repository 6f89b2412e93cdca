"""Months, calendar months and Indonesian working days, with the programme's real dates."""

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
    month_of,
    month_range,
    month_start,
    months_between,
    parse_month,
    working_days_between,
)
from ledger.errors import InvalidInputError

# Indonesian public holidays of early 2025 as the holidays library knows them.
NEW_YEAR_2025 = date(2025, 1, 1)  # Wednesday
ISRA_MIRAJ_2025 = date(2025, 1, 27)  # Monday
LUNAR_NEW_YEAR_2025 = date(2025, 1, 29)  # Wednesday


# -- months ---------------------------------------------------------------------------------------


def test_kota_tangerang_paid_ten_months_from_march_to_december_2025() -> None:
    months = month_range("2025-03", 10)
    assert months == [
        "2025-03", "2025-04", "2025-05", "2025-06", "2025-07",
        "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
    ]
    # 999,936,000 / 5,952 members / Rp16,800 = 10 months, March to December inclusive.
    assert 5_952 * 16_800 * len(months) == 999_936_000
    assert months_between("2025-03", "2025-12") + 1 == 10


def test_months_between_counts_backwards_as_a_negative_number() -> None:
    assert months_between("2025-12", "2025-03") == -9
    assert months_between("2025-03", "2025-03") == 0
    assert months_between("2025-12", "2026-02") == 2


def test_adding_months_crosses_year_ends_both_ways() -> None:
    assert add_months("2025-12", 1) == "2026-01"
    assert add_months("2025-01", -1) == "2024-12"
    assert add_months("2025-03", 24) == "2027-03"
    assert add_months("2025-03", 0) == "2025-03"


def test_a_month_starts_on_the_first_and_ends_on_its_last_day_leap_years_included() -> None:
    assert month_start("2025-03") == date(2025, 3, 1)
    assert month_end("2025-03") == date(2025, 3, 31)
    assert month_end("2025-02") == date(2025, 2, 28)
    assert month_end("2024-02") == date(2024, 2, 29)
    assert month_end("2025-04") == date(2025, 4, 30)


def test_the_month_of_the_launch_day_is_march_2025() -> None:
    assert month_of(date(2025, 3, 24)) == "2025-03"
    assert month_of(date(2026, 2, 3)) == "2026-02"


def test_a_month_with_spaces_around_it_is_accepted_and_trimmed() -> None:
    assert parse_month(" 2025-03 ") == "2025-03"


@pytest.mark.parametrize(
    "text",
    ["2025-13", "2025-00", "03/2025", "2025-3", "25-03", "1999-12", "2101-01", "2025-03-01", "",
     "\uff12\uff10\uff12\uff15-03"],  # full-width digits, as typed on some phone keyboards
)
def test_a_month_not_written_yyyy_mm_is_refused_in_plain_words(text: str) -> None:
    with pytest.raises(CalendarError) as refused:
        parse_month(text)
    assert str(refused.value) == f"month must be written YYYY-MM, e.g. 2025-03; got '{text}'"


def test_a_bad_month_is_both_a_value_error_and_an_invalid_input_of_the_ledger() -> None:
    with pytest.raises(ValueError, match=r"got '2025-13'"):
        parse_month("2025-13")
    with pytest.raises(InvalidInputError):
        month_end("2025-13")


def test_month_arithmetic_that_leaves_the_years_2000_to_2100_is_refused() -> None:
    with pytest.raises(CalendarError, match="outside the years 2000-2100"):
        add_months("2100-12", 1)
    with pytest.raises(CalendarError, match="outside the years 2000-2100"):
        add_months("2000-01", -1)


def test_a_negative_run_of_months_is_refused() -> None:
    with pytest.raises(CalendarError, match="cannot be negative"):
        month_range("2025-03", -1)
    assert month_range("2025-03", 0) == []


# -- calendar months (the first 3 months of membership) ------------------------------------------


def test_one_month_after_31_january_2025_is_28_february_2025() -> None:
    assert add_calendar_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_calendar_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_three_months_after_enrolment_on_24_march_2025_is_24_june_2025() -> None:
    assert add_calendar_months(date(2025, 3, 24), 3) == date(2025, 6, 24)
    assert add_calendar_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_calendar_months_can_be_counted_backwards() -> None:
    assert add_calendar_months(date(2025, 3, 31), -1) == date(2025, 2, 28)


# -- working days ---------------------------------------------------------------------------------


def test_weekends_and_indonesian_public_holidays_are_not_working_days() -> None:
    assert is_working_day(date(2025, 3, 24))  # Monday, the launch day
    assert not is_working_day(date(2025, 3, 22))  # Saturday
    assert not is_working_day(date(2025, 3, 23))  # Sunday
    assert not is_working_day(NEW_YEAR_2025)
    assert not is_working_day(ISRA_MIRAJ_2025)
    assert not is_working_day(LUNAR_NEW_YEAR_2025)
    assert not is_working_day(date(2025, 3, 31))  # Idul Fitri 1446 H, a Monday
    assert not is_working_day(date(2026, 2, 17))  # Lunar New Year 2026, a Tuesday


def test_forty_working_days_after_a_death_on_2_january_2025_end_on_3_march_2025() -> None:
    died = date(2025, 1, 2)  # Thursday
    # Counting from the day after the death, Monday to Friday:
    #   January:  3, 6-10, 13-17, 20-24, 28, 30, 31                      = 19 working days
    #             (27 Jan Isra Mi'raj and 29 Jan Lunar New Year skipped; 1 Jan is before)
    #   February: 3-7, 10-14, 17-21, 24-28                               = 20 -> 39
    #   March:    3 (Monday)                                             = 1  -> 40
    # Without the two holidays the 40th weekday would have been Thursday 27 February.
    skipped = [ISRA_MIRAJ_2025, LUNAR_NEW_YEAR_2025]
    assert all(not is_working_day(day) and day.weekday() < 5 for day in skipped)
    deadline = add_working_days(died, 40)
    assert deadline == date(2025, 3, 3)
    assert working_days_between(died, deadline) == 40
    assert working_days_between(died, date(2025, 3, 4)) == 41  # one day late


def test_working_days_between_counts_days_after_the_start_up_to_and_including_the_end() -> None:
    thursday = date(2025, 1, 2)
    assert working_days_between(thursday, thursday) == 0
    assert working_days_between(thursday, date(2025, 1, 3)) == 1  # Friday
    assert working_days_between(thursday, date(2025, 1, 5)) == 1  # Sunday adds nothing
    assert working_days_between(date(2025, 1, 5), thursday) == 0  # end before start


def test_zero_working_days_is_the_day_itself_and_negative_counts_go_back() -> None:
    assert add_working_days(date(2025, 1, 4), 0) == date(2025, 1, 4)  # a Saturday stays
    # Three working days before Thursday 30 Jan 2025: 29 Jan (Lunar New Year) is skipped, 28 Jan
    # counts, 27 Jan (Isra Mi'raj) and the weekend are skipped, then 24 and 23 Jan count.
    assert add_working_days(date(2025, 1, 30), -3) == date(2025, 1, 23)


def test_a_claim_file_completed_on_friday_is_due_three_working_days_later_on_wednesday() -> None:
    assert add_working_days(date(2025, 3, 21), 3) == date(2025, 3, 26)


# -- contribution due dates -----------------------------------------------------------------------


def test_contributions_for_a_month_whose_15th_is_a_saturday_are_due_on_monday() -> None:
    assert date(2025, 3, 15).weekday() == 5  # Saturday
    assert contribution_due_date("2025-03") == date(2025, 3, 17)
    assert date(2025, 11, 15).weekday() == 5
    assert contribution_due_date("2025-11") == date(2025, 11, 17)


def test_contributions_for_a_month_whose_15th_is_a_sunday_are_due_on_monday() -> None:
    assert contribution_due_date("2025-06") == date(2025, 6, 16)


def test_contributions_for_a_month_whose_15th_is_a_working_day_are_due_that_day() -> None:
    assert contribution_due_date("2025-04") == date(2025, 4, 15)  # Tuesday
    assert contribution_due_date("2025-12") == date(2025, 12, 15)  # Monday
