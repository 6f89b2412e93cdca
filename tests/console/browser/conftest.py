"""A real browser for the console: Debian's Chromium driven by Playwright, against the app served
on loopback over a small year of data.

Playwright's own browser download does not work here, so the browser is the system's
``/usr/bin/chromium`` (``LEDGER_TEST_CHROMIUM`` to point elsewhere; ``.ci/run`` installs the
``chromium`` package when it is missing). Without it the browser tests skip locally, with the
reason; with ``CI=true`` a skipped browser test fails the run (``tests/conftest.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from console_client import LiveConsole, served

from api.app import create_app
from ledger.application import Ledger
from scenario import clean_year, projected
from storage.settings import settings_from_url
from storage.store import init_store

CHROMIUM = Path(os.environ.get("LEDGER_TEST_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: Headless, no sandbox (root in a container), and nothing that reaches out to the network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at the system's Chromium."""
    if not CHROMIUM.exists():
        message = (f"no Chromium at {CHROMIUM} (apt-get install chromium, or set "
                   "LEDGER_TEST_CHROMIUM)")
        if IN_CI:
            pytest.fail(f"CI must run the browser tests, but {message}")
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def live_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    """The application (API and console) on a loopback port, in a thread of this process, over
    a small clean year (three members, a paid death, a ceremony) on SQLite."""
    database = tmp_path_factory.mktemp("console") / "ledger.sqlite"
    settings = settings_from_url(f"sqlite:///{database}")
    init_store(settings)
    app = create_app(settings)
    ledger: Ledger = app.extensions["claims_ledger"]
    clean_year(ledger)
    projected(ledger)
    with served(app, "one") as live:
        yield live


@pytest.fixture
def shots(output_path: str) -> Path:
    """This test's output folder (pytest-playwright's), for its screenshots."""
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
