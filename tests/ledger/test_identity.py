"""NIK, KK and KPJ numbers: validated, decoded, masked (docs/domain.md section 5)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.errors import InvalidInputError
from ledger.identity import IdentityError, mask_nik, parse_kk, parse_kpj, parse_nik

TODAY = date(2026, 11, 23)


def test_a_woman_born_on_the_12th_has_day_52_in_her_nik() -> None:
    nik = parse_nik("3671085203900001", on=TODAY)
    assert nik.sex == "F"
    assert nik.birth_date == date(1990, 3, 12)
    assert nik.province == "36" and nik.regency == "36.71" and nik.district == "36.71.08"
    assert nik.serial == "0001"


def test_a_man_keeps_his_birth_day_as_it_is() -> None:
    nik = parse_nik("3173051208850123", on=TODAY)
    assert nik.sex == "M" and nik.birth_date == date(1985, 8, 12)
    assert nik.regency == "31.73"


def test_a_two_digit_year_resolves_to_the_century_that_is_not_in_the_future() -> None:
    assert parse_nik("3671080101050001", on=TODAY).birth_date == date(2005, 1, 1)
    assert parse_nik("3671080101300001", on=TODAY).birth_date == date(1930, 1, 1)


def test_surrounding_spaces_are_forgiven() -> None:
    assert parse_nik("  3671085203900001 ", on=TODAY).value == "3671085203900001"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("367108520390000", "must be 16 digits; got 15"),
        ("36710852039000012", "must be 16 digits; got 17"),
        ("36710852O3900001", "digits only"),
        ("3671083102900001", "birth date that does not exist"),
        ("3671083503900001", "birth-day field 35"),
        ("3671087203900001", "birth-day field 72"),
        ("3671080113900001", "birth month 13"),
        ("3671085203900000", "serial 0000"),
        ("0071085203900001", "province code 00"),
        ("3600085203900001", "regency/city code 00"),
        ("3671005203900001", "district code 00"),
    ],
)
def test_an_impossible_nik_is_refused_saying_which_part_is_wrong(text: str, message: str) -> None:
    with pytest.raises(IdentityError, match=message) as refused:
        parse_nik(text, on=TODAY)
    assert refused.value.field == "nik"


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_nik, "3671102113650001"),  # birth month 13
        (parse_nik, "3671083102900001"),  # 31 February
        (parse_nik, "3671085203900000"),  # serial 0000
        (parse_nik, "0071085203900001"),  # province 00
        (parse_nik, "3671085203O00001"),  # a letter O among the digits
        (parse_nik, "3671089903990001"),  # birth-day field 99
        (parse_kk, "0071081501150042"),
        (parse_kk, "367108150115004X"),
        (parse_kpj, "2501234567X"),
    ],
)
def test_a_refused_nik_kk_or_kpj_is_never_repeated_whole_in_the_refusal(
        parse: Any, text: str) -> None:
    with pytest.raises(IdentityError) as refused:
        parse(text)
    message = str(refused.value)
    assert text not in message and text[4:-4] not in message, message


def test_a_refusal_says_where_a_non_digit_is() -> None:
    with pytest.raises(IdentityError, match="character 11 is 'O'"):
        parse_nik("3671085203O00001")


def test_identity_errors_belong_to_the_ledgers_error_tree() -> None:
    assert issubclass(IdentityError, InvalidInputError)


def test_a_nik_is_masked_to_its_first_and_last_four_digits() -> None:
    assert mask_nik("3671085203900001") == "3671********0001"


def test_a_family_card_has_sixteen_digits() -> None:
    assert parse_kk("3671081501150042") == "3671081501150042"
    with pytest.raises(IdentityError, match="KK number must be 16 digits; got 5"):
        parse_kk("12345")
    with pytest.raises(IdentityError, match="province 00"):
        parse_kk("0071081501150042")


def test_a_kpj_card_has_eleven_digits() -> None:
    assert parse_kpj("25012345678") == "25012345678"
    with pytest.raises(IdentityError, match="KPJ card number must be 11 digits; got 4") as bad:
        parse_kpj("1234")
    assert bad.value.field == "kpj"
