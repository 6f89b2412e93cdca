"""Indonesian by default, English by a switch kept in a cookie; the PDFs' formats; masked mode."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from console_client import Browserless
from flask import g

from api.console import render
from api.console.access import Visitor
from api.console.render import LANGUAGE_COOKIE
from api.console.words import CONSOLE_WORDS
from documents.formatting import date_en, date_id, datetime_wib, rupiah
from documents.labels import LABELS


def test_pages_are_in_indonesian_until_the_switch_and_in_english_after_it(
        console: Browserless) -> None:
    page = console.get("/sign-in").get_data(as_text=True)
    assert '<html lang="id">' in page and "Masuk ke konsol" in page
    console.sign_in("auditor")
    assert "Beranda" in console.get("/").get_data(as_text=True)
    response = console.post_form("/language", {"lang": "en", "next": "/findings"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/findings"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=en;") and "SameSite=Strict" in cookie
    page = console.get("/findings").get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>Findings</h1>" in page
    assert 'lang="id">Bahasa Indonesia</button>' in page
    assert "lang=" not in console.get("/").request.url  # never in the URL


def test_the_language_is_chosen_before_signing_in_too(console: Browserless) -> None:
    console.post_form("/language", {"lang": "en", "next": "/sign-in"}, from_page="/sign-in")
    page = console.get("/sign-in").get_data(as_text=True)
    assert "Sign in to the console" in page
    refused = console.sign_in(secret="clt_nothing")
    assert "This token is not known to the ledger" in refused.get_data(as_text=True)


def test_an_unknown_language_is_refused_in_words_and_nothing_changes(
        console: Browserless) -> None:
    response = console.post_form("/language", {"lang": "fr", "next": "/"}, from_page="/sign-in")
    assert response.status_code == 400
    assert "Bahasa yang tersedia: Bahasa Indonesia (id) dan English (en)." in \
        response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers or LANGUAGE_COOKIE not in \
        response.headers["Set-Cookie"]


def test_every_console_word_is_in_both_languages_and_none_replaces_a_document_word() -> None:
    assert set(CONSOLE_WORDS["id"]) == set(CONSOLE_WORDS["en"])
    assert not set(CONSOLE_WORDS["id"]) & set(LABELS["id"])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_money_dates_and_times_are_written_as_the_pdfs_write_them(console: Browserless,
                                                                  lang: str) -> None:
    moment = datetime(2025, 3, 24, 7, 5, tzinfo=UTC)
    with console.app.test_request_context(headers={"Cookie": f"{LANGUAGE_COOKIE}={lang}"}):
        env = console.app.jinja_env
        rendered = env.from_string(
            "{{ 1234567|rupiah }}|{{ day|day }}|{{ moment|wib }}|{{ '2025-03'|month }}|"
            "{{ 5952|number }}").render(day=date(2025, 3, 24), moment=moment)
    as_date = date_id if lang == "id" else date_en
    month = "Maret 2025" if lang == "id" else "March 2025"
    assert rendered.split("|") == [rupiah(1_234_567), as_date(date(2025, 3, 24)),
                                   datetime_wib(moment, lang), month, "5.952"]
    assert rendered.startswith("Rp1.234.567|24 ")
    assert rendered.split("|")[2] == ("24 Maret 2025 14:05 WIB" if lang == "id"
                                      else "24 March 2025 14:05 WIB")


def test_masked_mode_hides_the_name_on_the_page_and_says_it_is_on(console: Browserless) -> None:
    console.sign_in("auditor")
    assert "auditor.one" in console.get("/").get_data(as_text=True)
    console.post_form("/masked", {"next": "/"})
    page = console.get("/").get_data(as_text=True)
    assert "auditor.one" not in page
    assert "Selamat datang, (disamarkan)." in page
    assert 'role="status">Mode samaran aktif' in page
    console.post_form("/masked", {"next": "/"})
    assert "auditor.one" in console.get("/").get_data(as_text=True)


def test_a_nik_is_always_masked_and_in_masked_mode_only_its_short_id_shows(
        console: Browserless) -> None:
    nik = "3671084903900001"
    with console.app.test_request_context():
        assert render.nik(nik, "a9961f06-0000") == "3671********0001 (a9961f06)"
        assert render.person("Neneng Hasanah") == "Neneng Hasanah"
        g.visitor = Visitor("id", "auditor.one", "auditor", datetime.now(UTC),
                            datetime.now(UTC), masked=True)
        assert render.nik(nik, "a9961f06-0000") == "(disamarkan) (a9961f06)"
        assert render.person("Neneng Hasanah") == "(disamarkan)"
