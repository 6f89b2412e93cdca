"""/scholarships: granted with an approved death claim, their children, each school year claimed
(as a claim: approved, rejected and paid at /claims), and what is paid and what remains."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from api import masking, subjects
from api.auth import BEARER, READERS, current_actor, requires
from api.fields import StrictSchema, Written, nik, pattern, stripped, text
from api.resources import claims
from api.resources.common import written
from api.resources.projections import Fresh, fresh_list
from api.state import ledger, projector
from ledger.claim import Claimant
from ledger.commands.scholarships import STOP_REASONS
from ledger.scholarship_grant import Scholarship
from ledger.schooling import Child, SchoolLevel, parse_school_year
from projections.scholarships import ScholarshipReader

blp = Blueprint("scholarships", __name__, url_prefix="/api/v1/scholarships",
                description="Scholarships of the heirs' children: at most two children, each "
                            "school year claimed with its proof of enrolment")

LEVELS = [level.value for level in SchoolLevel]


class ChildIn(StrictSchema):
    name = text(200, min_length=1, required=True)
    nik = nik(required=True)
    born_on = fields.Date(required=True)
    level = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LEVELS))


class GrantIn(StrictSchema):
    death_claim_id = fields.UUID(required=True, metadata={
        "description": "the approved jkm_death or jkk_death claim the scholarship comes with"})
    granted_on = fields.Date(required=True)
    membership_began_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "when BPJS membership began, if before this enrolment (default: the "
                       "enrolment's first day); a JKM death needs 3 years of it"})
    children = fields.List(fields.Nested(ChildIn), required=True,
                           validate=validate.Length(min=1, max=2))


class StopIn(StrictSchema):
    child_nik = nik(required=True)
    why = fields.String(required=True, validate=validate.OneOf(STOP_REASONS))
    on = fields.Date(required=True)


class YearIn(StrictSchema):
    child_nik = nik(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    school_year = pattern(r"^\s*\d{4}\s*/\s*\d{4}\s*$", "2025/2026", required=True)
    proof_reference = text(200, min_length=1, required=True, metadata={
        "description": "the proof of enrolment (the school's letter) reference"})
    proof_sha256 = pattern(r"^[0-9a-fA-F]{64}$", "0" * 64, required=True,
                           description="SHA-256 of the scanned proof of enrolment")
    claimant = fields.Nested(claims.ClaimantIn, required=True)
    filed_on = fields.Date(required=True)


class ChildOut(Schema):
    name = fields.String(required=True)
    nik = fields.String(required=True)
    born_on = fields.Date(required=True)
    level = fields.String(allow_none=True)


class GrantedOut(Written):
    id = fields.String(required=True)
    death_claim_id = fields.String(required=True)
    program = fields.String(required=True)
    cover = fields.String(required=True, metadata={"description": "JKM or JKK"})
    died_on = fields.Date(required=True)
    membership_began_on = fields.Date(required=True)
    rule_version = fields.String(required=True)
    granted_on = fields.Date(required=True)
    children = fields.List(fields.Nested(ChildOut), required=True)


class LevelOut(Schema):
    level = fields.String(required=True)
    amount_per_year = fields.Integer(required=True)
    years_claimed = fields.Integer(required=True)
    years_left = fields.Integer(required=True)
    claimed = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    paid = fields.Integer(required=True)
    remaining = fields.Integer(required=True, metadata={
        "description": "the level's most (years x amount) less what was paid"})


class YearOut(Schema):
    claim_id = fields.String(required=True)
    level = fields.String(required=True)
    school_year = fields.String(required=True)
    amount = fields.Integer(required=True)
    status = fields.String(required=True)
    paid = fields.Integer(required=True)


class EntitlementChildOut(Schema):
    name = fields.String(required=True)
    nik = fields.String(required=True)
    born_on = fields.String(required=True)
    stopped_on = fields.String(allow_none=True)
    stopped_why = fields.String(allow_none=True)
    levels = fields.List(fields.Nested(LevelOut), required=True)
    years = fields.List(fields.Nested(YearOut), required=True)
    claimed = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    paid = fields.Integer(required=True)
    remaining = fields.Integer(required=True)


class EntitlementOut(Schema):
    scholarship_id = fields.String(required=True)
    death_claim_id = fields.String(required=True)
    programme = fields.String(required=True)
    cover = fields.String(required=True)
    died_on = fields.String(required=True)
    rule_version = fields.String(required=True)
    granted_on = fields.String(required=True)
    position = fields.Integer(required=True)
    version = fields.Integer(required=True)
    ceiling_per_child = fields.Integer(required=True)
    children = fields.List(fields.Nested(EntitlementChildOut), required=True)
    claimed = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    paid = fields.Integer(required=True)
    remaining = fields.Integer(required=True)


class EntitlementsOut(Schema):
    items = fields.List(fields.Nested(EntitlementOut), required=True)


class EntitlementQuery(Fresh):
    program = text(40)


def view(scholarship: Scholarship) -> dict[str, Any]:
    return {
        "id": str(scholarship.id), "death_claim_id": scholarship.death_claim_id,
        "program": scholarship.programme_code, "cover": scholarship.cover,
        "died_on": scholarship.died_on, "membership_began_on": scholarship.membership_began_on,
        "rule_version": scholarship.rule_version, "granted_on": scholarship.granted_on,
        "children": [{"name": c["name"], "nik": c["nik"], "born_on": c["born_on"],
                      "level": c.get("level")} for c in scholarship.children],
    }


def _child(body: dict[str, Any]) -> Child:
    level = body.get("level")
    return Child(body["name"], body["nik"].strip(), body["born_on"],
                 SchoolLevel(level) if level else None)


def _reader() -> ScholarshipReader:
    worker = projector()
    return ScholarshipReader(worker.connection, worker.live)


@blp.route("", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(GrantIn)
@blp.response(201, GrantedOut)
def grant(body: dict[str, Any]) -> Any:
    """Grant the scholarship of an approved JKM (3 years of membership) or JKK death claim to
    one or two children (clerk)."""
    scholarship = ledger().grant_scholarship(
        body["death_claim_id"], [_child(c) for c in body["children"]], body["granted_on"],
        current_actor(), membership_began_on=body["membership_began_on"])
    return written(scholarship, view(scholarship), 201,
                   f"/api/v1/scholarships/{scholarship.id}")


@blp.route("", methods=["GET"])
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(EntitlementQuery, location="query")
@blp.response(200, EntitlementsOut)
def entitlements(query: dict[str, Any]) -> dict[str, Any]:
    """Every scholarship (of a programme), per child and level: claimed, paid, remaining (from
    the scholarships read model; accepts min_position)."""
    fresh_list(query)
    items = _reader().scholarships(program=query.get("program"))
    for item in items:  # a list masks the children's NIKs; the grant read by its id shows them
        subjects.note(scholarship=item["scholarship_id"], claim=item["death_claim_id"])
        for child in item["children"]:
            child["nik"] = masking.nik(child["nik"])
    return {"items": items}


@blp.route("/<uuid:scholarship_id>", methods=["GET"])
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(Fresh, location="query")
@blp.response(200, EntitlementOut)
def entitlement(query: dict[str, Any], scholarship_id: UUID) -> Any:
    """One scholarship: per child and level, years claimed and left, amounts claimed,
    approved, paid and remaining (accepts min_position)."""
    fresh_list(query)
    found = _reader().scholarships(scholarship_id=str(scholarship_id))
    if not found:
        abort(404, message=f"there is no scholarship with id {scholarship_id}")
    subjects.note(scholarship=scholarship_id, claim=found[0]["death_claim_id"])
    return found[0]


@blp.route("/<uuid:scholarship_id>/children", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(ChildIn)
@blp.response(201, GrantedOut)
def add_child(body: dict[str, Any], scholarship_id: UUID) -> Any:
    """Name a second child (clerk); a third is refused."""
    scholarship = ledger().add_scholarship_child(scholarship_id, _child(body), current_actor())
    return written(scholarship, view(scholarship), 201)


@blp.route("/<uuid:scholarship_id>/stops", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(StopIn)
@blp.response(201, GrantedOut)
def stop(body: dict[str, Any], scholarship_id: UUID) -> Any:
    """Record that a child married or started work (clerk): no school year starting on or
    after that day is paid."""
    scholarship = ledger().record_child_stopped(scholarship_id, body["child_nik"].strip(),
                                                body["why"], body["on"], current_actor())
    return written(scholarship, view(scholarship), 201)


@blp.route("/<uuid:scholarship_id>/years", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(YearIn)
@blp.response(201, claims.ClaimOut)
def claim_year(body: dict[str, Any], scholarship_id: UUID) -> Any:
    """Claim one school year of a child with its proof of enrolment (clerk): a claim of benefit
    scholarship_year, approved by another officer at /claims/{id}/approve."""
    claim = ledger().file_scholarship_year(
        scholarship_id, body["child_nik"].strip(), SchoolLevel(body["level"]),
        parse_school_year(body["school_year"]), body["proof_reference"],
        body["proof_sha256"], Claimant(**stripped(body["claimant"])), body["filed_on"],
        current_actor())
    return written(claim, claims.view(claim), 201, f"/api/v1/claims/{claim.id}")
