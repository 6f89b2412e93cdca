"""The approval queue: approvers approve or reject filed claims, as the second pair of eyes.

Each decision goes through the same service call as ``POST /api/v1/claims/ID/approve`` (or
``/reject``) with the version the approver read carried as ``expected_version`` (the API's
If-Match): when two approvers decide the same claim at once, the first decision is recorded and
the second is refused with a sentence saying the claim changed meanwhile and what it is now.
The claim's filer sees why they cannot decide on it instead of the buttons (four eyes); a
decision sent anyway is refused by the claim itself, in words.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import g, redirect, request, url_for
from werkzeug.wrappers import Response

from api.console.access import (
    SECTION_BY_KEY,
    PageError,
    current_visitor,
    refuse_unless_allowed,
    section_page,
)
from api.console.blueprint import bp
from api.console.claims import after_cursor, claim_list, htmx_page, page_filters, today
from api.console.money_words import money_words
from api.console.own_writes import remember_write
from api.console.render import render_page
from api.console.state import console_state
from api.state import ledger
from ledger.claim import REJECTION_REASONS, Claim
from ledger.errors import ClaimNotFoundError, FourEyesError, LedgerError, StaleVersionError

SECTION = SECTION_BY_KEY["approvals"]


@bp.route("/approvals")
@section_page(SECTION)
def approvals() -> Response:
    """The claims waiting for a decision, each with its buttons (or why there are none)."""
    filters, choices = page_filters()
    after = after_cursor()
    found = claim_list(filters, status="filed", benefit=None, after=after)
    total = sum(c.entitlement for c in found.claims)
    body, code = render_page(
        "console/approvals.html", section=SECTION, choices=choices, filters=filters,
        found=found, after=after, total=total, reasons=REJECTION_REASONS,
        list_query=filters.query(), **money_words())
    return htmx_page(body, code, request.path + filters.query())


def _expected_version() -> int:
    raw = (request.form.get("expected_version") or "").strip()
    if not raw.isdigit():
        raise PageError(400, money_words()["t"]["bad_version"])
    return int(raw)


def _decided(claim_id: UUID, decide: Any) -> Response:
    """Run a decision and answer with the claim's row (htmx) or the queue (a plain form)."""
    t = money_words()["t"]
    expected = _expected_version()
    try:
        claim: Claim = decide(expected)
    except ClaimNotFoundError:
        raise PageError(404, t["claim_not_found"]) from None
    except StaleVersionError:
        now = ledger().claim(claim_id)
        raise PageError(409, t["stale"].format(
            status=money_words()["status_word"].get(now.status.value, now.status.value))
        ) from None
    except FourEyesError:
        raise PageError(403, t["own_claim"].format(name=current_visitor().name)) from None
    except LedgerError as refused:
        raise PageError(409, t["refused"].format(why=str(refused))) from None
    remember_write()
    if request.headers.get("HX-Request") != "true":
        return redirect(url_for("console.approvals"), code=303)
    g.filters = None
    body, code = render_page("console/_decided.html", partial=False, claim=claim,
                             **money_words())
    return Response(body, status=code, mimetype="text/html")


@bp.route("/approvals/<uuid:claim_id>/approve", methods=["POST"])
def approve(claim_id: UUID) -> Response:
    """Approve the computed amount (as ``POST /api/v1/claims/ID/approve``)."""
    refuse_unless_allowed(SECTION)
    visitor = current_visitor()
    on = today(console_state().now())
    return _decided(claim_id, lambda version: ledger().approve_claim(
        claim_id, on, visitor.name, expected_version=version))


@bp.route("/approvals/<uuid:claim_id>/reject", methods=["POST"])
def reject(claim_id: UUID) -> Response:
    """Reject with a reason code and a note (as ``POST /api/v1/claims/ID/reject``)."""
    refuse_unless_allowed(SECTION)
    visitor = current_visitor()
    reason = (request.form.get("reason") or "").strip()
    if reason not in REJECTION_REASONS:
        raise PageError(400, money_words()["t"]["reason_missing"])
    note = (request.form.get("note") or "").strip()[:1000]
    on = today(console_state().now())
    return _decided(claim_id, lambda version: ledger().reject_claim(
        claim_id, reason, note, on, visitor.name, expected_version=version))



