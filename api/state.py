"""The one application service of this process, reached from request handlers."""

from __future__ import annotations

from flask import current_app

from ledger.application import Ledger


def ledger() -> Ledger:
    found: Ledger = current_app.extensions["claims_ledger"]
    return found
