"""An API client on each store, with one token per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from http_client import Api

from api.app import create_app
from ledger.token import ROLES
from storage.settings import StoreSettings


@pytest.fixture
def api(store_settings: StoreSettings) -> Iterator[Api]:
    app = create_app(store_settings)
    ledger = app.extensions["claims_ledger"]
    tokens = {role: ledger.issue_token(f"{role}.one", role, actor="test")[0] for role in ROLES}
    tokens["approver2"] = ledger.issue_token("approver.two", "approver", actor="test")[0]
    tokens["clerk2"] = ledger.issue_token("clerk.two", "clerk", actor="test")[0]
    yield Api(app, app.test_client(), tokens)
    ledger.close()
