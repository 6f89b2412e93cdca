"""/incidents/{id}/...: the JKK schedule of a work accident. STMB claimed month by month and
ended by recovery, permanent disability or death; partial permanent disability by the table's
row; medical care, transport and home care against receipts. Each is a claim, approved,
rejected and paid at /claims as any claim."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import BEARER, READERS, current_actor, requires
from api.fields import Rupiah, StrictSchema, Written, pattern, stripped, text
from api.resources import claims
from api.resources.common import read, written
from api.state import ledger
from ledger.benefits import Benefit
from ledger.claim import Claimant
from ledger.limits import MAX_INCAPACITY_MONTHS
from ledger.reimbursement import Receipt, TransportMode
from ledger.work_accident import IncapacityEnd
from ledger.work_accident_case import WorkAccidentCase

blp = Blueprint("jkk_schedule", __name__, url_prefix="/api/v1/incidents",
                description="The JKK schedule of a work accident: STMB month by month, partial "
                            "permanent disability, costs paid back against receipts")

REIMBURSED = [Benefit.JKK_MEDICAL_CARE.value, Benefit.JKK_TRANSPORT.value,
              Benefit.JKK_HOME_CARE.value]


class StmbMonthIn(StrictSchema):
    month = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=1, max=MAX_INCAPACITY_MONTHS), metadata={
        "description": "1 = the month of the accident; 100% of the wage band for months 1-12, "
                       "50% from month 13"})
    claimant = fields.Nested(claims.ClaimantIn, required=True)
    filed_on = fields.Date(required=True)


class IncapacityEndIn(StrictSchema):
    ended_by = fields.String(required=True,
                             validate=validate.OneOf([e.value for e in IncapacityEnd]))
    ended_on = fields.Date(required=True, metadata={
        "description": "the first day the member is no longer temporarily incapacitated"})


class DisabilityIn(StrictSchema):
    loss = text(60, min_length=1, required=True, metadata={
        "description": "the table row's code (e.g. eye_one); a row not in the table is refused"})
    function_lost_percent = fields.Integer(load_default=100, strict=True,
                                           validate=validate.Range(min=1, max=100))
    claimant = fields.Nested(claims.ClaimantIn, required=True)
    filed_on = fields.Date(required=True)


class JkkReceiptIn(StrictSchema):
    reference = text(100, min_length=1, required=True)
    issued_on = fields.Date(required=True)
    amount = Rupiah(required=True, minimum=1, what="a receipt's amount")
    sha256 = pattern(r"^[0-9a-fA-F]{64}$", "0" * 64, required=True,
                     description="SHA-256 of the scanned receipt")
    mode = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf([m.value for m in TransportMode]),
                         metadata={"description": "transport only: land, sea or air"})


class ReimbursementIn(StrictSchema):
    benefit = fields.String(required=True, validate=validate.OneOf(REIMBURSED))
    receipts = fields.List(fields.Nested(JkkReceiptIn), required=True,
                           validate=validate.Length(min=1, max=200))
    started_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "home care only: its first day (paid for one year from it)"})
    claimant = fields.Nested(claims.ClaimantIn, required=True)
    filed_on = fields.Date(required=True)


class JkkCaseOut(Written):
    incident_id = fields.String(required=True)
    program = fields.String(required=True)
    accident_on = fields.Date(required=True)
    wage = fields.Integer(required=True)
    rule_version = fields.String(required=True)
    months = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "claim id -> the STMB month it holds"})
    losses = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                         metadata={"description": "claim id -> the table row it holds"})
    reimbursements = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    ended_by = fields.String(allow_none=True)
    ended_on = fields.Date(allow_none=True)


def case_view(case: WorkAccidentCase) -> dict[str, Any]:
    return {"incident_id": case.incident_id, "program": case.programme_code,
            "accident_on": case.accident_on, "wage": case.wage,
            "rule_version": case.rule_version, "months": dict(case.months),
            "losses": dict(case.losses),
            "reimbursements": {claim_id: {**held, "started_on": (
                held["started_on"].isoformat() if held.get("started_on") else None),
                "receipts": [{**r, "issued_on": r["issued_on"].isoformat()}
                             for r in held["receipts"]]}
                for claim_id, held in case.reimbursements.items()},
            "ended_by": case.ended_by.value if case.ended_by else None,
            "ended_on": case.ended_on}


def _claimant(body: dict[str, Any]) -> Claimant:
    return Claimant(**stripped(body["claimant"]))


def _filed(claim: Any) -> Any:
    return written(claim, claims.view(claim), 201, f"/api/v1/claims/{claim.id}")


@blp.route("/<uuid:incident_id>/jkk-case", methods=["GET"])
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.response(200, JkkCaseOut)
def case(incident_id: UUID) -> Any:
    """The JKK case of a work accident: which claim holds which STMB month, table row and
    receipts, and what ended the incapacity."""
    found = ledger().work_accident_case(incident_id)
    return read(found, case_view(found))


@blp.route("/<uuid:incident_id>/stmb-months", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(StmbMonthIn)
@blp.response(201, claims.ClaimOut)
def stmb_month(body: dict[str, Any], incident_id: UUID) -> Any:
    """Claim one month of temporary incapacity (clerk); a month twice, after the recorded end,
    or not yet begun is refused; approved by another officer at /claims/{id}/approve."""
    return _filed(ledger().file_stmb_month(incident_id, body["month"], _claimant(body),
                                           body["filed_on"], current_actor()))


@blp.route("/<uuid:incident_id>/incapacity-end", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(IncapacityEndIn)
@blp.response(201, JkkCaseOut)
def end(body: dict[str, Any], incident_id: UUID) -> Any:
    """Record the recovery, permanent disability or death that ended STMB (clerk): no month
    beginning on or after that day is paid."""
    found = ledger().end_incapacity(incident_id, IncapacityEnd(body["ended_by"]),
                                    body["ended_on"], current_actor())
    return written(found, case_view(found), 201)


@blp.route("/<uuid:incident_id>/partial-disabilities", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(DisabilityIn)
@blp.response(201, claims.ClaimOut)
def partial_disability(body: dict[str, Any], incident_id: UUID) -> Any:
    """Claim a partial permanent disability (clerk): the table's percentage x 80 x wage, the
    row recorded; a loss the table does not hold is refused, naming the rows it has."""
    return _filed(ledger().file_partial_disability(
        incident_id, body["loss"], body["function_lost_percent"], _claimant(body),
        body["filed_on"], current_actor()))


@blp.route("/<uuid:incident_id>/reimbursements", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(ReimbursementIn)
@blp.response(201, claims.ClaimOut)
def reimbursement(body: dict[str, Any], incident_id: UUID) -> Any:
    """Claim costs back against receipts (clerk), each with its SHA-256: medical care as
    billed, transport up to Rp5.000.000 land / Rp2.000.000 sea / Rp10.000.000 air, home care
    for a year up to Rp20.000.000; over a ceiling is paid up to it and the computation says so."""
    receipts = [(TransportMode(r["mode"]) if r.get("mode") else None,
                 Receipt(r["reference"], r["issued_on"], r["amount"], r["sha256"]))
                for r in body["receipts"]]
    return _filed(ledger().file_reimbursement(
        incident_id, Benefit(body["benefit"]), receipts, _claimant(body), body["filed_on"],
        current_actor(), started_on=body["started_on"]))
