"""The shell: the filter bar in the URL, error pages, headers, and no personal number in a page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from console_client import Browserless

from api.console.filters import Choice, FilterChoices, FilterError, Filters
from api.console.sessions import SessionStore
from scenario import clean_year, projected


@pytest.fixture
def year(console: Browserless) -> Browserless:
    """The console over a small, clean TNG-2025 (three members, a paid death, a ceremony)."""
    made = clean_year(console.ledger)
    projected(console.ledger)  # on PostgreSQL the projector follows; here it is caught up once
    console.ledger.enrolments_of_year = made.members  # type: ignore[attr-defined]
    return console


def test_the_filter_bar_offers_the_programmes_on_record_and_keeps_its_choice_in_the_url(
        year: Browserless) -> None:
    year.sign_in("auditor")
    page = year.get("/programmes?period=2025-03&programme=TNG-2025&district=36.71.08"
                    ).get_data(as_text=True)
    assert '<option value="TNG-2025" selected>TNG-2025: Perlindungan Pekerja Rentan 2025' in page
    assert '<option value="36.71" >' not in page
    assert '<option value="36.71">Pemerintah Kota Tangerang</option>' in page
    assert '<option value="36.71.08" selected>Periuk (Kota Tangerang)</option>' in page
    assert 'name="period" value="2025-03"' in page
    # The navigation carries the filters to the other list pages (not to those without a bar).
    query = "?period=2025-03&amp;programme=TNG-2025&amp;district=36.71.08"
    assert f'href="/findings{query}"' in page
    assert 'href="/journal"' in page


def test_a_filter_that_is_not_a_period_code_or_known_name_is_refused_and_not_echoed(
        year: Browserless) -> None:
    year.sign_in("auditor")
    typed = "3671084903900001"
    for query, sentence in ((f"period={typed}", "Periode harus berupa tahun"),
                            (f"programme={typed}", "Program tidak dikenal"),
                            (f"district={typed}", "Kecamatan tidak dikenal"),
                            (f"funder={typed}", "Pemberi dana tidak dikenal")):
        response = year.get(f"/claims?{query}")
        assert response.status_code == 400, query
        page = response.get_data(as_text=True)
        assert sentence in page
        assert typed not in page


def test_an_htmx_filter_request_gets_only_the_list_part_of_the_page(year: Browserless) -> None:
    year.sign_in("finance")
    response = year.get("/reconciliation?period=2025",
                        headers={"HX-Request": "true", "HX-Target": "section-content"})
    assert response.status_code == 200
    part = response.get_data(as_text=True).strip()
    assert part.startswith('<div id="section-content">') and part.endswith("</div>")
    assert "<html" not in part and "Periode 2025" in part


def test_filters_read_from_a_query_string() -> None:
    choices = FilterChoices(funders=(Choice("36.71", "Kota"),),
                            programmes=(Choice("TNG-2025", "TNG"),),
                            districts=(Choice("36.71.08", "Periuk"),))
    found = Filters.from_query({"period": "2025", "programme": "TNG-2025", "x": "1"}, choices)
    assert found == Filters(period="2025", programme="TNG-2025")
    assert found.query() == "?period=2025&programme=TNG-2025"
    assert Filters.from_query({}, choices).query() == ""
    for bad in ({"period": "2025-13"}, {"programme": "TNG-2024"}, {"funder": "31.73"}):
        with pytest.raises(FilterError):
            Filters.from_query(bad, choices)
    # Without lists (nothing on record) a value must still look like what it names.
    assert Filters.from_query({"programme": "KAB-2026"}, FilterChoices()).programme == "KAB-2026"
    with pytest.raises(FilterError):
        Filters.from_query({"programme": "3671084903900001"}, FilterChoices())


def test_an_unknown_console_address_is_a_page_and_an_unknown_api_address_stays_json(
        console: Browserless) -> None:
    page = console.get("/nowhere")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Tidak ada halaman di alamat ini." in page.get_data(as_text=True)
    api = console.get("/api/v1/nowhere")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"


def test_console_answers_run_only_the_sites_own_files_and_are_not_kept(
        console: Browserless) -> None:
    console.sign_in("auditor")
    for response in (console.get("/"), console.get("/nowhere"), console.get("/sign-in")):
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "<script>" not in response.get_data(as_text=True)  # no inline script


def test_a_store_initialised_before_the_console_says_to_run_db_init(
        console: Browserless) -> None:
    store = SessionStore(console.ledger)
    store._run(f"DROP TABLE {store.sessions}")
    response = console.get("/sign-in")
    assert response.status_code == 503
    assert "Tabel konsol belum ada di basis data ini." in response.get_data(as_text=True)
    assert "claims-ledger db init" in response.get_data(as_text=True)
    api = console.get("/api/v1/programs",
                      headers={"Authorization": f"Bearer {console.tokens['auditor']}"})
    assert api.status_code == 200


def test_no_console_page_of_a_year_holds_a_sixteen_digit_number(year: Browserless) -> None:
    niks = {member.nik for member in year.ledger.enrolments_of_year}  # type: ignore[attr-defined]
    for role in ("auditor", "approver", "finance"):
        client = year.new_client()
        year.sign_in(role, client=client)
        for path in ("/", "/programmes", "/workers", "/claims", "/approvals", "/reconciliation",
                     "/findings", "/journal", "/documents",
                     "/programmes?programme=TNG-2025&period=2025"):
            html = year.get(path, client=client).get_data(as_text=True)
            assert not re.search(r"(?<!\d)\d{16}(?!\d)", html), (role, path)
            assert not any(nik in html for nik in niks)


def test_the_console_files_are_served_without_reading_or_making_a_session(
        console: Browserless) -> None:
    for name in ("vendor/htmx-2.0.11.min.js", "vendor/pico-2.1.1.min.css",
                 "console/console.js", "console/proof.js", "console/console.css"):
        response = console.get(f"/assets/{name}")
        assert response.status_code == 200, name
        assert "Set-Cookie" not in response.headers
    console.sign_in("auditor")
    console.clock.advance(timedelta(minutes=10))
    assert console.get("/assets/console/console.js").status_code == 200
    # The file did not touch the session (no read, no last-seen write): 35 minutes after the
    # last page, the session has ended.
    console.clock.advance(timedelta(minutes=25))
    assert console.get("/").headers["Location"] == "/sign-in?ended=idle"
