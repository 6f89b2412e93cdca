"""/findings: the audit red flags (docs/domain.md section 7) found in the projected log."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import BEARER, READERS, requires
from api.fields import StrictSchema, text
from api.resources.projections import Fresh, fresh
from api.state import reader
from documents.finding_text import record, titled_summary
from projections.findings import RULES, SEVERITIES, findings

blp = Blueprint("findings", __name__, url_prefix="/api/v1/findings",
                description="Audit findings: the ten red flags, each with the events proving it")


class FindingsQuery(Fresh):
    program = text(40)
    rule = fields.String(validate=validate.OneOf(list(RULES)))
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class RuleCount(StrictSchema):
    flag = fields.Integer(required=True, metadata={"description": "red flag, docs/domain.md §7"})
    rule = fields.String(required=True)
    severity = fields.String(required=True)
    title = fields.String(required=True)
    title_id = fields.String(required=True, metadata={"description": "in Bahasa Indonesia"})
    cases = fields.Integer(required=True)


class FindingOut(StrictSchema):
    id = fields.String(required=True)
    flag = fields.Integer(required=True)
    rule = fields.String(required=True)
    severity = fields.String(required=True)
    title = fields.String(required=True)
    title_id = fields.String(required=True)
    programmes = fields.List(fields.String(), required=True)
    detail = fields.String(required=True)
    members = fields.List(fields.String(), required=True,
                          metadata={"description": "member (enrolment) ids concerned"})
    claims = fields.List(fields.String(), required=True)
    positions = fields.List(fields.Integer(), required=True, metadata={
        "description": "log positions of the events that prove it (see /journal/proofs)"})
    amount = fields.Integer(allow_none=True, metadata={"description": "rupiah at stake"})
    facts = fields.Dict(required=True)


class FindingsOut(StrictSchema):
    position = fields.Integer(required=True, metadata={"description": "projected log position"})
    total = fields.Integer(required=True, metadata={"description": "findings matching"})
    summary = fields.List(fields.Nested(RuleCount), required=True)
    items = fields.List(fields.Nested(FindingOut), required=True)
    next = fields.Integer(allow_none=True, metadata={"description": "pass as ?offset= for more"})


@blp.route("")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(FindingsQuery, location="query")
@blp.response(200, FindingsOut)
def list_findings(query: dict[str, Any]) -> dict[str, Any]:
    """Every finding (filter by programme, rule, severity), with a count per rule."""
    fresh(query)
    found = findings(reader(), program=query.get("program"), rule=query.get("rule"),
                     severity=query.get("severity"))
    start, limit = query["offset"], query["limit"]
    end = start + limit
    return {"position": g.projection_position, "total": len(found),
            "summary": titled_summary(found),
            "items": [record(f) for f in found[start:end]],
            "next": end if end < len(found) else None}
