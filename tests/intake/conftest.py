"""An API client on each store with one token per role (as tests/api has), for the upload tests."""

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
    yield Api(app, app.test_client(), tokens)
    ledger.close()
