"""An API client on each store, with one token per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from http_client import Api

from api.app import create_app
from ledger.rule_sets import rule_book_with_test_set
from ledger.token import ROLES
from storage.settings import StoreSettings


def _client(app: Flask) -> Iterator[Api]:
    ledger = app.extensions["claims_ledger"]
    tokens = {role: ledger.issue_token(f"{role}.one", role, actor="test")[0] for role in ROLES}
    tokens["approver2"] = ledger.issue_token("approver.two", "approver", actor="test")[0]
    tokens["clerk2"] = ledger.issue_token("clerk.two", "clerk", actor="test")[0]
    yield Api(app, app.test_client(), tokens)
    ledger.close()


@pytest.fixture
def api(store_settings: StoreSettings) -> Iterator[Api]:
    yield from _client(create_app(store_settings))


@pytest.fixture
def test_rules_api(store_settings: StoreSettings) -> Iterator[Api]:
    """The API on a ledger that decides claims under the real book and the test rule set
    (from 1 July 2026)."""
    yield from _client(create_app(store_settings, rule_book=rule_book_with_test_set()))
