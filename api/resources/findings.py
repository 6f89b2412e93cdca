"""/findings: the audit red flags (docs/domain.md section 7) found in the projected log, and
/findings/drift: the decided claims whose amount differs under the rule set in force now."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask import g
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import BEARER, READERS, requires
from api.fields import StrictSchema, text
from api.resources.projections import Fresh, fresh
from api.state import ledger, reader
from documents.finding_text import record, titled_summary
from ledger.clock import WIB
from projections.findings import RULES, SEVERITIES, findings
from projections.findings.drift import drift_report

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


class DriftQuery(Fresh):
    on = fields.Date(metadata={"description": "recompute under the rule set in force on this "
                               "day (YYYY-MM-DD; default: today, WIB)"},
                     error_messages={"invalid": "write the day as YYYY-MM-DD, e.g. 2026-07-01"})
    program = text(40)
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class DriftedClaimOut(StrictSchema):
    claim_id = fields.String(required=True)
    programme = fields.String(required=True)
    benefit = fields.String(required=True)
    decided_amount = fields.Integer(required=True, metadata={"description": "rupiah approved"})
    decided_version = fields.String(required=True, metadata={
        "description": "the rule set version the claim recorded"})
    recomputed_amount = fields.Integer(required=True, metadata={
        "description": "rupiah the same facts give under the rule set in force on the day"})
    recomputed_version = fields.String(required=True)
    difference = fields.Integer(required=True, metadata={
        "description": "recomputed minus decided: positive when the set in force pays more"})
    position = fields.Integer(required=True, metadata={
        "description": "log position of the approval (see /history and /journal/proofs)"})


class NotRecomputedOut(StrictSchema):
    claim_id = fields.String(required=True)
    programme = fields.String(required=True)
    benefit = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "why no amount can be "
                                                    "recomputed from its recorded facts"})
    position = fields.Integer(required=True)


class DriftOut(StrictSchema):
    position = fields.Integer(required=True, metadata={"description": "projected log position"})
    on = fields.Date(required=True)
    rule_version = fields.String(required=True, metadata={
        "description": "the rule set in force on the day, which the claims are recomputed under"})
    regulation = fields.String(required=True)
    for_tests = fields.Boolean(required=True, metadata={
        "description": "the rule set is the test set (a fixture, not a regulation): "
                       "LEDGER_RULE_BOOK=with-test-set"})
    decided = fields.Integer(required=True, metadata={"description": "decided claims compared"})
    total = fields.Integer(required=True, metadata={"description": "claims that drift"})
    total_difference = fields.Integer(required=True, metadata={
        "description": "rupiah, recomputed minus decided, over every claim that drifts"})
    items = fields.List(fields.Nested(DriftedClaimOut), required=True)
    not_recomputed = fields.List(fields.Nested(NotRecomputedOut), required=True)
    next = fields.Integer(allow_none=True, metadata={"description": "pass as ?offset= for more"})


@blp.route("/drift")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(DriftQuery, location="query")
@blp.response(200, DriftOut)
def drift_findings(query: dict[str, Any]) -> dict[str, Any]:
    """Re-adjudication drift: every decided claim whose amount would differ under the rule set
    in force today (or on ``on``), with both figures, both rule set versions and the
    difference."""
    fresh(query)
    on = query.get("on") or datetime.now(WIB).date()
    report = drift_report(reader(), ledger().rule_book, on, program=query.get("program"))
    start, limit = query["offset"], query["limit"]
    end = start + limit
    return {"position": g.projection_position, "on": report.on,
            "rule_version": report.version, "regulation": report.regulation,
            "for_tests": report.for_tests, "decided": report.decided,
            "total": len(report.claims), "total_difference": report.total_difference,
            "items": [asdict(found) for found in report.claims[start:end]],
            "not_recomputed": [asdict(found) for found in report.not_recomputed],
            "next": end if end < len(report.claims) else None}
