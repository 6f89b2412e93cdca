"""In a real browser, over the demo's year: an inspector opens a red flag, follows it to the
worker's timeline, and checks one event's inclusion proof in the browser (a tampered copy is
shown failing); the reading pages have no serious accessibility violation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from console_browser import sign_in
from console_client import LiveConsole, served
from console_demo import demo_database
from playwright.sync_api import Page, expect

from api.app import create_app
from storage.settings import settings_from_url

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    """The application on a loopback port over the demo's year, a token per role."""
    database = demo_database(tmp_path_factory.mktemp("demo"))
    with served(create_app(settings_from_url(f"sqlite:///{database}")), "demo") as live:
        yield live


def _sign_in(page: Page, live: LiveConsole, role: str) -> None:
    sign_in(page, live, live.tokens[role])


def test_an_inspector_follows_a_red_flag_to_a_worker_and_checks_a_proof_in_the_browser(
        page: Page, live_demo: LiveConsole, shots: Path) -> None:
    _sign_in(page, live_demo, "auditor")
    page.get_by_role("navigation", name="Navigasi utama").get_by_role(
        "link", name="Temuan").click()
    page.get_by_role("link", name="Meninggal dalam 90 hari sejak didaftarkan").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(
        "Kasus: Meninggal dalam 90 hari sejak didaftarkan (1)")
    page.screenshot(path=shots / "1-red-flag.png", full_page=True)

    page.locator("a.worker-link").first.click()
    expect(page).to_have_url(re.compile(r"/workers/member/[0-9a-f-]{36}$"))
    expect(page.get_by_text("peristiwa tentang pekerja ini")).to_be_visible()
    timeline = page.locator("table.timeline tbody tr")
    expect(timeline.filter(has_text="Claim.Filed")).not_to_have_count(0)
    page.screenshot(path=shots / "2-worker-timeline.png", full_page=True)

    filed = timeline.filter(has_text="Claim.Filed").first
    filed.locator("a.proof-link").click()
    verdict = page.locator("#proof-verdict")
    expect(verdict).to_have_attribute("data-result", "ok")
    expect(verdict).to_contain_text("Terperiksa di peramban ini")

    page.get_by_role("button", name="Periksa salinan yang diubah").click()
    tampered = page.locator("#tamper-verdict")
    expect(tampered).to_have_attribute("data-result", "failed")
    expect(tampered).to_contain_text("GAGAL")
    expect(verdict).to_have_attribute("data-result", "ok")  # the real proof still checks

    # A key the inspector does not trust: the signature no longer counts.
    page.get_by_label("Kunci publik yang Anda percayai").fill(
        "ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    page.get_by_role("button", name="Periksa di peramban ini").click()
    expect(verdict).to_have_attribute("data-result", "failed")
    page.get_by_label("Kunci publik yang Anda percayai").fill(
        page.locator("#proof-data").evaluate("e => JSON.parse(e.textContent).checkpoint")
        .split("key ")[1].split("\n")[0])
    page.get_by_role("button", name="Periksa di peramban ini").click()
    expect(verdict).to_have_attribute("data-result", "ok")
    page.get_by_role("button", name="Periksa salinan yang diubah").click()
    page.locator("#proof-title").scroll_into_view_if_needed()
    page.screenshot(path=shots / "3-proof-checked-and-tampered.png", full_page=True)


def _serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_the_reading_pages_have_no_serious_accessibility_violation(
        page: Page, live_demo: LiveConsole, shots: Path) -> None:
    _sign_in(page, live_demo, "auditor")
    for path in ("/programmes", "/programmes/TNG-2025", "/findings",
                 "/findings?rule=death-within-90-days", "/journal?position=5", "/documents",
                 "/workers"):
        page.goto(f"{live_demo.url}{path}")
        assert _serious(page) == [], path
    page.goto(f"{live_demo.url}/programmes/TNG-2025")
    expect(page.get_by_text("Rp999.936.000").first).to_be_visible()
    page.screenshot(path=shots / "programme-TNG-2025.png", full_page=True)
