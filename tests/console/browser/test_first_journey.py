"""In a real browser: an auditor signs in with a token, sees the home page, switches to English,
uses the filter bar and the masked mode (htmx, with the CSRF header), and signs out; the sign-in
and home pages have no serious accessibility violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from console_browser import sign_in
from console_client import LiveConsole
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _sign_in(page: Page, live: LiveConsole, role: str) -> None:
    page.goto(f"{live.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in\?ended=required$"))
    sign_in(page, live, live.tokens[role], start=None)


def test_an_auditor_signs_in_switches_to_english_and_signs_out(
        page: Page, live_console: LiveConsole, shots: Path) -> None:
    _sign_in(page, live_console, "auditor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Selamat datang, auditor.one.")
    expect(page.get_by_text("Anda masuk sebagai auditor (peran auditor).")).to_be_visible()
    nav = page.get_by_role("navigation", name="Navigasi utama")
    expect(nav.get_by_role("link", name="Temuan")).to_be_visible()
    expect(nav.get_by_role("link", name="Antrean persetujuan")).to_have_count(0)
    page.screenshot(path=shots / "1-home-id.png", full_page=True)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, auditor.one.")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert "lang" not in page.url

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Findings").click()
    page.get_by_label("Period").fill("2025-03")
    page.get_by_label("Programme").select_option("TNG-2025")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#section-content")).to_contain_text("Period 2025-03")
    expect(page).to_have_url(f"{live_console.url}/findings?period=2025-03&programme=TNG-2025")
    # htmx keeps no snapshot of the page (personal data) in the browser's storage.
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None
    assert page.evaluate("localStorage.length") == 0
    page.screenshot(path=shots / "2-findings-filtered-en.png", full_page=True)

    page.get_by_role("button", name="Mask for screen sharing").click()
    expect(page.get_by_role("status")).to_contain_text("Masked mode is on")
    expect(page.get_by_text("auditor.one")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_console.url}/sign-in?ended=signed-out")
    expect(page.get_by_role("status")).to_have_text(
        "You have signed out. The session was deleted on the server.")
    page.screenshot(path=shots / "3-signed-out-en.png", full_page=True)
    page.goto(f"{live_console.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in\?ended=required$"))


def test_htmx_sends_the_csrf_token_as_a_header_and_a_request_without_it_is_refused_in_words(
        page: Page, live_console: LiveConsole, shots: Path) -> None:
    _sign_in(page, live_console, "finance")
    masked = page.locator("form[action='/masked']")
    # Without its hidden field the form's htmx request carries the token only as the header
    # console.js adds: accepted, the page reloads masked.
    masked.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    with page.expect_response(lambda r: r.url.endswith("/masked")) as answer:
        masked.get_by_role("button").click()
    assert answer.value.status == 204
    assert answer.value.request.headers["x-csrftoken"]
    assert answer.value.request.headers["hx-request"] == "true"
    expect(page.get_by_role("status")).to_contain_text("Mode samaran aktif")
    # Without the meta tag either, nothing carries the token: refused, and the page says why
    # in its alert region (htmx puts the error page's sentence there).
    page.locator("form[action='/masked'] input[name=csrf_token]").evaluate(
        "input => input.remove()")
    page.locator("meta[name=csrf-token]").evaluate("meta => meta.remove()")
    with page.expect_response(lambda r: r.url.endswith("/masked")) as refused:
        page.locator("form[action='/masked']").get_by_role("button").click()
    assert refused.value.status == 400
    expect(page.locator("#console-alert")).to_contain_text("Formulir ini tidak dapat diterima")
    expect(page.get_by_role("status")).to_contain_text("Mode samaran aktif")  # unchanged
    page.screenshot(path=shots / "csrf-refused.png", full_page=True)


def _serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_the_sign_in_home_and_a_section_page_have_no_serious_accessibility_violation(
        page: Page, live_console: LiveConsole) -> None:
    page.goto(f"{live_console.url}/sign-in")
    assert _serious(page) == []
    page.get_by_label("Token API").fill("clt_not-a-token")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert").filter(has_text="tidak dikenal")).to_be_visible()
    assert _serious(page) == []
    _sign_in(page, live_console, "auditor")
    assert _serious(page) == []
    page.goto(f"{live_console.url}/programmes")
    assert _serious(page) == []
    page.goto(f"{live_console.url}/approvals")
    assert _serious(page) == []


def test_keyboard_users_can_skip_to_the_content(page: Page, live_console: LiveConsole) -> None:
    _sign_in(page, live_console, "auditor")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Langsung ke isi halaman")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
