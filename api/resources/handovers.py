"""/handovers: symbolic handover ceremonies and the claims shown at them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api import masking
from api.auth import BEARER, READERS, current_actor, requires
from api.fields import Page, PageQuery, StrictSchema, Written, pattern, text
from api.resources.common import page, read, written
from api.state import ledger
from ledger.handover import CeremonyDetails, Handover, Official
from ledger.history import scan

blp = Blueprint("handovers", __name__, url_prefix="/api/v1/handovers",
                description="Ceremonies: only approved claims; unpaid ones are marked")


class OfficialIn(StrictSchema):
    name = text(200, min_length=1, required=True)
    role = text(200, required=True)


class HandoverIn(StrictSchema):
    held_on = fields.Date(required=True)
    venue = text(300, min_length=1, required=True)
    region = pattern(r"^\d{2}\.\d{2}$", "36.71", required=True)
    district = fields.String(load_default="", validate=validate.Regexp(
        r"^(\d{2}\.\d{2}\.\d{2})?$", error="must look like 36.71.08, or be empty"))
    occasion = text(300, min_length=1, required=True)
    officials = fields.List(fields.Nested(OfficialIn), required=True,
                            validate=validate.Length(min=1, max=50))
    claim_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=500))


class ItemOut(StrictSchema):
    claim_id = fields.String(required=True)
    benefit = fields.String(required=True)
    recipient = fields.String(required=True)
    relationship = fields.String(required=True)
    subject_nik = fields.String(required=True, metadata={
        "description": "the member's or the deceased's NIK, masked (3671********0001): a "
                       "ceremony is public; GET /claims/{claim_id} answers the claim whole"})
    amount = fields.Integer(required=True)
    paid = fields.Boolean(required=True, metadata={"description": "paid when handed over"})
    claim_version = fields.Integer(required=True)


class HandoverOut(Written):
    id = fields.String(required=True)
    held_on = fields.Date(required=True)
    venue = fields.String(required=True)
    region = fields.String(required=True)
    district = fields.String(required=True)
    occasion = fields.String(required=True)
    officials = fields.List(fields.Nested(OfficialIn), required=True)
    items = fields.List(fields.Nested(ItemOut), required=True)
    unpaid = fields.Integer(required=True, metadata={"description": "items not yet paid"})


class HandoverPage(Page):
    items = fields.List(fields.Nested(HandoverOut), required=True)


def view(handover: Handover) -> dict[str, Any]:
    return {
        "id": str(handover.id), "held_on": handover.held_on, "venue": handover.venue,
        "region": handover.region, "district": handover.district,
        "occasion": handover.occasion, "officials": handover.officials,
        "items": [masking.handover_item(item) for item in handover.items],
        "unpaid": len(handover.unpaid_items),
    }


@blp.route("")
class Handovers(MethodView):
    @blp.doc(security=[BEARER])
    @requires(*READERS)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, HandoverPage)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List ceremonies in the order they were recorded."""
        found, after = scan(ledger(), Handover.Held,  # type: ignore[attr-defined]
                            query["after"], query["limit"], lambda _e: True,
                            ledger().handover, lambda _h: True)
        return page([{**view(h), "version": h.version, "position": None} for h in found], after)

    @blp.doc(security=[BEARER])
    @requires("clerk")
    @blp.arguments(HandoverIn)
    @blp.response(201, HandoverOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Record a ceremony (clerk); every claim shown must be approved."""
        details = CeremonyDetails(
            held_on=body["held_on"], venue=body["venue"], region=body["region"],
            district=body["district"], occasion=body["occasion"],
            officials=tuple(Official(o["name"], o["role"]) for o in body["officials"]))
        handover = ledger().record_handover(details, body["claim_ids"], actor=current_actor())
        return written(handover, view(handover), 201, f"/api/v1/handovers/{handover.id}")


@blp.route("/<uuid:handover_id>")
class OneHandover(MethodView):
    @blp.doc(security=[BEARER])
    @requires(*READERS)
    @blp.response(200, HandoverOut)
    def get(self, handover_id: UUID) -> Any:
        """One ceremony."""
        handover = ledger().handover(handover_id)
        return read(handover, view(handover))
