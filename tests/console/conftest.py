"""The console through Flask's test client, on each store, with one token per role and a clock
the tests can move (sessions and tokens are judged by it; nothing else is)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from console_client import Browserless, MovableClock

from api.app import create_app
from api.console.state import console_state
from ledger.token import ROLES
from storage.settings import StoreSettings


@pytest.fixture
def console(store_settings: StoreSettings) -> Iterator[Browserless]:
    """The app on a fresh store, a token per role (and a second approver), a movable clock."""
    app = create_app(store_settings)
    clock = MovableClock(datetime.now(UTC))
    console_state(app).clock = clock
    ledger = app.extensions["claims_ledger"]
    tokens = {role: ledger.issue_token(f"{role}.one", role, actor="test")[0] for role in ROLES}
    tokens["approver2"] = ledger.issue_token("approver.two", "approver", actor="test")[0]
    yield Browserless(app, app.test_client(), tokens, clock)
    ledger.close()


@pytest.fixture
def short_token(console: Browserless) -> str:
    """An auditor's token that expires ten minutes from now."""
    ledger = console.ledger
    secret, _ = ledger.issue_token("auditor.short", "auditor", actor="test",
                                   expires_at=datetime.now(UTC) + timedelta(minutes=10))
    return secret
