"""Signing in to the console in a real browser, as the browser tests do it."""

from __future__ import annotations

from console_client import LiveConsole
from playwright.sync_api import Page, expect


def sign_in(page: Page, live: LiveConsole, secret: str, *, start: str | None = "/sign-in",
            landing: str = "/") -> None:
    """Sign in with the token ``secret`` from the page at ``start`` (None: the sign-in page
    shown now) and wait until the page signed in to (``landing``) has loaded.

    The URL changes as soon as the page starts to arrive; htmx takes over the page's forms only
    once its scripts have run. A click before that posts an htmx form as a plain form, without
    the CSRF header console.js adds (a 400 seen once in CI's parallel run)."""
    if start is not None:
        page.goto(f"{live.url}{start}")
    page.get_by_label("Token API").fill(secret)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{live.url}{landing}")
    page.wait_for_load_state("load")
