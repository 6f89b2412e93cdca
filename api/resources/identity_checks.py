"""/programs/{code}/identity-checks: the population register's answer on members' NIKs."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import fields

from api.auth import BEARER, current_actor, requires
from api.fields import StrictSchema, Written, text
from api.resources.common import written
from api.state import ledger
from ledger.identity_check import IdentityCheck

blp = Blueprint("identity_checks", __name__, url_prefix="/api/v1/programs",
                description="Population-register matching (pemadanan NIK with Dukcapil)")


class IdentityCheckIn(StrictSchema):
    reference = text(100, min_length=1, required=True,
                     metadata={"description": "the registry's letter or batch reference"})
    registry = text(40, load_default="Dukcapil")
    checked_on = fields.Date(required=True)
    matched = fields.List(fields.UUID(), load_default=list, metadata={
        "description": "member ids whose NIK, name and birth date the registry confirmed"})
    unmatched = fields.Dict(keys=fields.UUID(), values=text(300, min_length=1),
                            load_default=dict, metadata={
                                "description": "member id -> the registry's reason"})


class IdentityCheckOut(Written):
    id = fields.String(required=True)
    program = fields.String(required=True)
    reference = fields.String(required=True)
    registry = fields.String(required=True)
    checked_on = fields.Date(required=True)
    matched = fields.Integer(required=True, metadata={"description": "members matched"})
    unmatched = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


def view(check: IdentityCheck) -> dict[str, Any]:
    return {"id": str(check.id), "program": check.programme_code, "reference": check.reference,
            "registry": check.registry, "checked_on": check.checked_on,
            "matched": len(check.matched), "unmatched": check.unmatched}


@blp.route("/<string:program>/identity-checks", methods=["POST"])
@blp.doc(security=[BEARER])
@blp.arguments(IdentityCheckIn)
@blp.response(201, IdentityCheckOut)
@requires("clerk")
def record(body: dict[str, Any], program: str) -> Any:
    """Record the registry's answer: members matched, and those not matched with its reason.
    A member never matched is listed among the audit findings (red flag 2)."""
    check = ledger().record_identity_check(
        program, body["reference"], body["checked_on"], body["matched"],
        {str(k): v for k, v in body["unmatched"].items()}, current_actor(),
        registry=body["registry"])
    return written(check, view(check), 201)
