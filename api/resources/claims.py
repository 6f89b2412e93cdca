"""/claims: filed with a computed amount, approved or rejected (four-eyes), paid, reversed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api import masking
from api.auth import BEARER, READERS, current_actor, requires
from api.fields import (
    Page,
    PageQuery,
    Rupiah,
    StrictSchema,
    Written,
    bounded,
    nik,
    pattern,
    stripped,
    text,
)
from api.resources.common import if_match, listed, page, read, written
from api.resources.projections import Fresh, fresh_list
from api.state import ledger, reader
from ledger.benefits import Benefit
from ledger.claim import REJECTION_REASONS, RELATIONSHIPS, Claim, Claimant, ClaimStatus
from ledger.deceased import Deceased
from ledger.limits import MAX_INCAPACITY_MONTHS
from projections import lists

blp = Blueprint("claims", __name__, url_prefix="/api/v1/claims",
                description="Benefit claims; amounts come from the versioned rule set")


class ClaimantIn(StrictSchema):
    nik = nik(required=True)
    name = text(200, min_length=1, required=True)
    relationship = fields.String(required=True, validate=validate.OneOf(RELATIONSHIPS))
    heir_certificate = text(100, load_default="")
    bank = text(100, min_length=1, required=True)
    account_number = pattern(r"^[0-9 -]{6,30}$", "0012345678", required=True)
    account_name = text(200, required=True)


class DeceasedIn(StrictSchema):
    nik = nik(required=True)
    name = text(200, min_length=1, required=True)
    kk = pattern(r"^\s*\d{16}\s*$", "3671081501150042", required=True)
    region = pattern(r"^\d{2}\.\d{2}$", "36.71", required=True)
    district = pattern(r"^\d{2}\.\d{2}\.\d{2}$", "36.71.08", required=True)
    decile = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10))
    register = fields.String(required=True, validate=validate.OneOf(["DTKS", "DTSEN"]))
    register_snapshot = fields.Date(required=True)


class ClaimIn(StrictSchema):
    """A claim on an incident (JKK/JKM), or the city death grant (program + deceased)."""

    benefit = fields.String(required=True, validate=validate.OneOf([b.value for b in Benefit]))
    claimant = fields.Nested(ClaimantIn, required=True)
    filed_on = fields.Date(required=True)
    incident_id = fields.UUID(load_default=None, allow_none=True)
    incapacity_months = bounded(1, MAX_INCAPACITY_MONTHS, "the months of incapacity",
                                load_default=None, allow_none=True, strict=True)
    program = text(40, load_default=None, allow_none=True)
    deceased = fields.Nested(DeceasedIn, load_default=None, allow_none=True)
    died_on = fields.Date(load_default=None, allow_none=True)
    cause = text(100, load_default="")

    @validates_schema
    def _one_kind(self, data: dict[str, Any], **_: Any) -> None:
        if data["benefit"] == Benefit.CITY_DEATH_GRANT.value:
            missing = [f for f in ("program", "deceased", "died_on") if data.get(f) is None]
            if missing:
                raise ValidationError({f: ["needed for the city death grant"] for f in missing})
        elif data.get("incident_id") is None:
            raise ValidationError({"incident_id": ["a JKK or JKM claim names its incident"]})


class RuleSetOut(Schema):
    version = fields.String(required=True)
    regulation = fields.String(required=True)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(allow_none=True, required=True)


class LateInterestOut(Schema):
    reference = fields.String(required=True)
    due_on = fields.Date(required=True)
    paid_on = fields.Date(required=True)
    days_late = fields.Integer(required=True)
    percent_per_day = fields.Integer(required=True)
    paid = fields.Integer(required=True)
    amount = fields.Integer(required=True)


class ClaimOut(Written):
    id = fields.String(required=True)
    program = fields.String(required=True)
    benefit = fields.String(required=True)
    payer = fields.String(required=True, metadata={"description": "BPJS or CITY"})
    incident_id = fields.String(allow_none=True)
    member_id = fields.String(allow_none=True)
    subject_nik = fields.String(required=True)
    claimant = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    filed_on = fields.Date(required=True)
    filed_by = fields.String(required=True)
    entitlement = fields.Integer(required=True)
    rule_version = fields.String(required=True)
    rule_set = fields.Nested(RuleSetOut, required=True, metadata={
        "description": "the rule set in force on the incident's day, which decided the claim"})
    computation = fields.List(fields.Dict(), required=True)
    status = fields.String(required=True)
    approved_amount = fields.Integer(required=True)
    approved_by = fields.String(allow_none=True)
    approved_on = fields.Date(allow_none=True)
    sole_approver_reason = fields.String(required=True, metadata={
        "description": "why the officer who filed approved alone (empty: four eyes)"})
    rejection_reason = fields.String(allow_none=True)
    revocation_reason = fields.String(allow_none=True)
    disbursed = fields.Integer(required=True)
    outstanding = fields.Integer(required=True)
    disbursements = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    file_complete_on = fields.Date(allow_none=True, metadata={
        "description": "JKM: the day the file was complete (recorded at .../file-complete)"})
    due_on = fields.Date(allow_none=True, metadata={
        "description": "JKM: due 3 working days after the complete file"})
    late_interest = fields.List(fields.Nested(LateInterestOut), required=True, metadata={
        "description": "per late payout, the interest owed to the heirs: 1% of it a day"})
    late_interest_owed = fields.Integer(required=True)
    schedule = fields.Dict(allow_none=True, metadata={
        "description": "the JKK schedule's claims: the STMB month (its days and percent), the "
                       "disability table's row, or the receipts (reference, date, amount, "
                       "SHA-256) the computation stands on"})


class ClaimPage(Page):
    items = fields.List(fields.Nested(ClaimOut), required=True)


class ListedClaimOut(ClaimOut):
    """A claim as the list shows it: its personal numbers masked (README, "Personal numbers in
    answers"); GET /claims/{id} answers it whole."""

    subject_nik = fields.String(required=True, metadata={
        "description": "the member's or the deceased's NIK, masked: 3671********0001"})
    claimant = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={
        "description": "the claimant; nik masked (3671********0001), account_number by its "
                       "last four digits (****5678)"})


class ListedClaimPage(Page):
    items = fields.List(fields.Nested(ListedClaimOut), required=True)


class ClaimQuery(PageQuery, Fresh):
    program = text(40)
    status = fields.String(validate=validate.OneOf([s.value for s in ClaimStatus]))
    benefit = fields.String(validate=validate.OneOf([b.value for b in Benefit]))
    filed_from = fields.Date()
    filed_to = fields.Date()


class ApproveIn(StrictSchema):
    approved_on = fields.Date(required=True)
    sole_approver_reason = text(500, load_default="", metadata={
        "description": "only where the officer who filed must approve alone: why (at least "
                       "20 characters); recorded, and listed among the audit findings"})


class RevokeIn(StrictSchema):
    reason = text(500, min_length=1, required=True)
    revoked_on = fields.Date(required=True)


class RejectIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.OneOf(REJECTION_REASONS))
    note = text(1000, load_default="")
    rejected_on = fields.Date(required=True)


class DisburseIn(StrictSchema):
    reference = text(100, min_length=1, required=True)
    amount = Rupiah(required=True, minimum=1, what="a payout")
    paid_on = fields.Date(required=True)


class PayoutReverseIn(StrictSchema):
    reason = text(500, min_length=1, required=True)
    reversed_on = fields.Date(required=True)


def rule_set_view(version: str) -> dict[str, Any]:
    """The rule set a claim recorded: its regulation and the days it is in force."""
    rule_set = ledger().rule_book.version(version)
    return {"version": rule_set.version, "regulation": rule_set.regulation,
            "valid_from": rule_set.valid_from, "valid_until": rule_set.valid_until}


def view(claim: Claim) -> dict[str, Any]:
    return {
        "id": str(claim.id), "program": claim.programme_code, "benefit": claim.benefit.value,
        "payer": claim.benefit.payer, "incident_id": claim.incident_id,
        "member_id": claim.enrolment_id, "subject_nik": claim.subject_nik,
        "claimant": claim.claimant, "filed_on": claim.filed_on, "filed_by": claim.filed_by,
        "entitlement": claim.entitlement, "rule_version": claim.rule_version,
        "rule_set": rule_set_view(claim.rule_version), "computation": claim.computation,
        "status": claim.status.value,
        "approved_amount": claim.approved_amount, "approved_by": claim.approved_by,
        "approved_on": claim.approved_on,
        "sole_approver_reason": claim.sole_approver_reason,
        "rejection_reason": claim.rejection_reason,
        "revocation_reason": claim.revocation_reason,
        "disbursed": claim.disbursed, "outstanding": claim.outstanding,
        "disbursements": dict(claim.disbursements),
        "file_complete_on": claim.file_complete_on, "due_on": claim.due_on,
        "late_interest": list(claim.late_interest.values()),
        "late_interest_owed": claim.late_interest_owed,
        "schedule": schedule_view(claim),
    }


#: What a JKK schedule claim recorded that its computation stands on.
SCHEDULE_FACTS = ("month", "starts_on", "ends_on", "percent", "disability_row",
                  "disability_percent", "disability_table", "function_lost_percent",
                  "receipts", "started_on")


def schedule_view(claim: Claim) -> dict[str, Any] | None:
    """The facts of a JKK schedule claim (None for any other claim), dates as ISO text."""
    if not claim.benefit.on_case:
        return None

    def plain(value: Any) -> Any:
        if isinstance(value, list):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return value.isoformat() if hasattr(value, "isoformat") else value

    return {key: plain(claim.facts[key]) for key in SCHEDULE_FACTS if key in claim.facts}


def _claimant(body: dict[str, Any]) -> Claimant:
    return Claimant(**stripped(body))


@blp.route("")
class Claims(MethodView):
    @blp.doc(security=[BEARER])
    @requires(*READERS)
    @blp.arguments(ClaimQuery, location="query")
    @blp.response(200, ListedClaimPage)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List claims, filtered by programme, benefit, status and filing date (from the
        claims read model; accepts min_position). The NIKs are masked (3671********0001),
        the claimant's account by its last four digits (****5678): GET /claims/{id} answers
        the claim whole."""
        fresh_list(query)
        found = lists.claims(reader(), program=query.get("program", "").upper(),
                             status=query.get("status"), benefit=query.get("benefit"),
                             filed_from=query.get("filed_from"), filed_to=query.get("filed_to"),
                             after=query["after"], limit=query["limit"])
        return page([masking.claim({**view(c), "version": c.version, "position": None})
                     for c in listed(found)], found.next)

    @blp.doc(security=[BEARER])
    @requires("clerk")
    @blp.arguments(ClaimIn)
    @blp.response(201, ClaimOut)
    def post(self, body: dict[str, Any]) -> Any:
        """File a claim (clerk); the amount is computed by the rule set, never typed in."""
        benefit = Benefit(body["benefit"])
        claimant = _claimant(body["claimant"])
        if benefit is Benefit.CITY_DEATH_GRANT:
            deceased = Deceased(**stripped(body["deceased"]))
            claim = ledger().file_grant_claim(body["program"], deceased, body["died_on"],
                                              body["cause"], claimant, body["filed_on"],
                                              actor=current_actor())
        else:
            claim = ledger().file_claim(body["incident_id"], benefit, claimant,
                                        body["filed_on"], actor=current_actor(),
                                        incapacity_months=body["incapacity_months"])
        return written(claim, view(claim), 201, f"/api/v1/claims/{claim.id}")


@blp.route("/<uuid:claim_id>")
class OneClaim(MethodView):
    @blp.doc(security=[BEARER])
    @requires(*READERS)
    @blp.response(200, ClaimOut)
    def get(self, claim_id: UUID) -> Any:
        """One claim, as it is now."""
        claim = ledger().claim(claim_id)
        return read(claim, view(claim))


@blp.route("/<uuid:claim_id>/approve", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("approver")
@blp.arguments(ApproveIn)
@blp.response(200, ClaimOut)
def approve(body: dict[str, Any], claim_id: UUID) -> Any:
    """Approve the computed amount (approver, not the clerk who filed); accepts If-Match."""
    claim = ledger().approve_claim(claim_id, body["approved_on"], current_actor(),
                                   expected_version=if_match(),
                                   sole_approver_reason=body["sole_approver_reason"])
    return written(claim, view(claim))


@blp.route("/<uuid:claim_id>/revoke", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("approver", "admin")
@blp.arguments(RevokeIn)
@blp.response(200, ClaimOut)
def revoke(body: dict[str, Any], claim_id: UUID) -> Any:
    """Revoke an approval found wrong (a forged heir certificate, say); money already paid is
    then owed back and listed among the findings until reversed. Accepts If-Match."""
    claim = ledger().revoke_approval(claim_id, body["reason"], body["revoked_on"],
                                     current_actor(), expected_version=if_match())
    return written(claim, view(claim))


@blp.route("/<uuid:claim_id>/reject", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("approver")
@blp.arguments(RejectIn)
@blp.response(200, ClaimOut)
def reject(body: dict[str, Any], claim_id: UUID) -> Any:
    """Reject with a reason code (approver); accepts If-Match."""
    claim = ledger().reject_claim(claim_id, body["reason"], body["note"], body["rejected_on"],
                                  current_actor(), expected_version=if_match())
    return written(claim, view(claim))


class FileCompleteIn(StrictSchema):
    complete_on = fields.Date(required=True)


@blp.route("/<uuid:claim_id>/file-complete", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(FileCompleteIn)
@blp.response(200, ClaimOut)
def file_complete(body: dict[str, Any], claim_id: UUID) -> Any:
    """Record the day a JKM claim's file was complete (clerk): the benefit is due 3 working
    days later, and a payout after that records the heirs' interest, 1% a day. Accepts
    If-Match."""
    claim = ledger().record_file_complete(claim_id, body["complete_on"], current_actor(),
                                          expected_version=if_match())
    return written(claim, view(claim))


@blp.route("/<uuid:claim_id>/disbursements", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("finance")
@blp.arguments(DisburseIn)
@blp.response(201, ClaimOut)
def disburse(body: dict[str, Any], claim_id: UUID) -> Any:
    """Record a payout (finance), never beyond the approved amount; accepts If-Match."""
    claim = ledger().disburse(claim_id, body["reference"], body["amount"], body["paid_on"],
                              current_actor(), expected_version=if_match())
    return written(claim, view(claim), 201)


@blp.route("/<uuid:claim_id>/disbursements/<string:reference>/reverse", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("finance")
@blp.arguments(PayoutReverseIn)
@blp.response(200, ClaimOut)
def reverse(body: dict[str, Any], claim_id: UUID, reference: str) -> Any:
    """Reverse a payout with a reason (finance); accepts If-Match."""
    claim = ledger().reverse_disbursement(claim_id, reference, body["reason"],
                                          body["reversed_on"], current_actor(),
                                          expected_version=if_match())
    return written(claim, view(claim))
