"""The console over the demo's year (built once for these tests), one token per role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from console_client import Browserless, MovableClock
from console_demo import demo_database

from api.app import create_app
from api.console.state import console_state
from ledger.token import ROLES
from storage.settings import settings_from_url


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's database, made once per run."""
    return demo_database(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def demo_app(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browserless]:
    """The app over a copy of the demo (tokens are added to it)."""
    copy = tmp_path_factory.mktemp("demo-copy") / "ledger.sqlite"
    for part in demo_file.parent.glob(f"{demo_file.name}*"):  # the file, and its WAL if any
        shutil.copyfile(part, copy.parent / part.name.replace(demo_file.name, copy.name))
    shutil.copyfile(demo_file.with_suffix(".key"), copy.with_suffix(".key"))  # its master key
    app = create_app(settings_from_url(f"sqlite:///{copy}"))
    console_state(app).clock = MovableClock(datetime.now(UTC))
    ledger = app.extensions["claims_ledger"]
    tokens = {role: ledger.issue_token(f"{role}.demo", role, actor="test")[0] for role in ROLES}
    yield Browserless(app, app.test_client(), tokens, console_state(app).clock)
    ledger.close()


@pytest.fixture
def demo(demo_app: Browserless) -> Browserless:
    """The demo's console in a browser of its own (no cookies yet)."""
    return Browserless(demo_app.app, demo_app.app.test_client(), demo_app.tokens, demo_app.clock)
