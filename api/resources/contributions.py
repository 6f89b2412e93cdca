"""/contributions: payment orders (SP2D) paying members x rate x months, and their reversals."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import BEARER, READERS, current_actor, requires
from api.fields import MONTH, Page, PageQuery, Rupiah, StrictSchema, Written, pattern, text
from api.resources.common import if_match, page, read, written
from api.state import ledger
from ledger.contribution import Contribution
from ledger.history import scan
from ledger.reads import contribution_by_id

blp = Blueprint("contributions", __name__, url_prefix="/api/v1/contributions",
                description="Contribution payments against the programme's budget")


class PaymentIn(StrictSchema):
    program = text(40, required=True)
    sp2d = text(100, min_length=1, required=True)
    paid_on = fields.Date(required=True)
    months = fields.List(pattern(MONTH, "2025-03"), required=True,
                         validate=validate.Length(min=1, max=24))
    member_ids = fields.List(fields.UUID(), required=True,
                             validate=validate.Length(min=1, max=500_000))
    amount = Rupiah(required=True, minimum=1, what="the amount of a payment order")


class ContributionOut(Written):
    id = fields.String(required=True)
    program = fields.String(required=True)
    sp2d = fields.String(required=True)
    paid_on = fields.Date(required=True)
    months = fields.List(fields.String(), required=True)
    members = fields.Integer(required=True, metadata={"description": "how many members"})
    rate = fields.Integer(required=True)
    amount = fields.Integer(required=True)
    reversed_on = fields.Date(allow_none=True)
    reversal_reason = fields.String(allow_none=True)


class ContributionPage(Page):
    items = fields.List(fields.Nested(ContributionOut), required=True)


class ContributionQuery(PageQuery):
    program = text(40)
    month = pattern(MONTH, "2025-03")


class ContributionReverseIn(StrictSchema):
    reversed_on = fields.Date(required=True)
    reason = text(500, min_length=1, required=True)


def view(contribution: Contribution) -> dict[str, Any]:
    return {
        "id": str(contribution.id), "program": contribution.programme_code,
        "sp2d": contribution.sp2d, "paid_on": contribution.paid_on,
        "months": contribution.months, "members": len(contribution.enrolment_ids),
        "rate": contribution.rate, "amount": contribution.amount,
        "reversed_on": contribution.reversed_on,
        "reversal_reason": contribution.reversal_reason,
    }


def _load(contribution_id: UUID) -> Contribution:
    return contribution_by_id(ledger(), contribution_id)


@blp.route("")
class Contributions(MethodView):
    @blp.doc(security=[BEARER])
    @requires(*READERS)
    @blp.arguments(ContributionQuery, location="query")
    @blp.response(200, ContributionPage)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List payments, filtered by programme and month."""
        program = query.get("program", "").upper()
        month = query.get("month")
        found, after = scan(
            ledger(), Contribution.Paid, query["after"], query["limit"],  # type: ignore[attr-defined]
            lambda e: (not program or e.programme_code == program)
            and (month is None or month in e.months), _load, lambda _c: True)
        return page([{**view(c), "version": c.version, "position": None} for c in found], after)

    @blp.doc(security=[BEARER])
    @requires("finance")
    @blp.arguments(PaymentIn)
    @blp.response(201, ContributionOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Record a payment order (finance): amount = members x rate x months, within budget."""
        contribution = ledger().pay_contribution(
            body["program"], body["sp2d"], body["paid_on"], body["months"], body["member_ids"],
            body["amount"], actor=current_actor())
        return written(contribution, view(contribution), 201,
                       f"/api/v1/contributions/{contribution.id}")


@blp.route("/<uuid:contribution_id>")
class OneContribution(MethodView):
    @blp.doc(security=[BEARER])
    @requires(*READERS)
    @blp.response(200, ContributionOut)
    def get(self, contribution_id: UUID) -> Any:
        """One payment, as it is now."""
        contribution = _load(contribution_id)
        return read(contribution, view(contribution))


@blp.route("/<uuid:contribution_id>/reverse", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("finance")
@blp.arguments(ContributionReverseIn)
@blp.response(200, ContributionOut)
def reverse(body: dict[str, Any], contribution_id: UUID) -> Any:
    """Reverse a payment with a reason; accepts If-Match."""
    contribution = _load(contribution_id)
    reversed_ = ledger().reverse_contribution(
        contribution.programme_code, contribution.sp2d, body["reversed_on"], body["reason"],
        current_actor(), expected_version=if_match())
    return written(reversed_, view(reversed_))
