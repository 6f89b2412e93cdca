"""/people/erase: a person's personal data erased (admin), UU 27/2022.

The NIK goes in the JSON body, never in the URL (a URL is kept by proxies and logs); the answer
names the person by their id and the NIK masked. A refusal is a problem detail (409) listing
every reason the data is still needed (``reasons``); a basis or reason that is empty or holds a
16-digit number is 422.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validates_schema

from api.auth import BEARER, current_actor, requires
from api.fields import StrictSchema, nik, text
from api.idempotency import forget_answers_naming
from api.state import ledger
from api.subjects import note
from ledger.erasure import MAX_TEXT, ErasureReport

blp = Blueprint("people", __name__, url_prefix="/api/v1/people",
                description="People as data subjects: erasure of their personal data (admin)")


class ErasureIn(StrictSchema):
    nik = nik(description="the NIK of the person whose data is erased (in the body only: "
                          "never in a URL); or person_id")
    person_id = fields.UUID(metadata={"description": "the person's id (a data subject's), "
                                                     "instead of the NIK: an erased person's "
                                                     "NIK is no longer known to the ledger"})
    basis = text(MAX_TEXT, min_length=1, required=True, metadata={
        "description": "the legal basis and the request's reference, e.g. 'UU 27/2022 pasal "
                       "8; permohonan no. PDP/2026/014' (never a NIK: kept for ever)"})
    reason = text(MAX_TEXT, min_length=1, required=True, metadata={
        "description": "why, in words (never a NIK: kept for ever)"})

    @validates_schema
    def _one_person(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("nik") is None) == (data.get("person_id") is None):
            raise ValidationError("give the person's nik or their person_id (one of them)",
                                  field_name="nik")


class ErasureOut(StrictSchema):
    person_id = fields.String(required=True, metadata={"description": "the data subject's id"})
    nik = fields.String(required=True, metadata={"description": "the NIK, masked"})
    erased_on = fields.Date(required=True)
    basis = fields.String(required=True)
    position = fields.Integer(allow_none=True, metadata={
        "description": "the log position of PersonErased"})
    data_key_destroyed = fields.Boolean(required=True)
    index_rows_removed = fields.Integer(required=True)
    unreadable_events = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                    required=True, metadata={
                                        "description": "events whose sealed fields now read "
                                                       "[dihapus], counted by kind"})
    completed_earlier_erasure = fields.Boolean(required=True, metadata={
        "description": "PersonErased was recorded before and its key had outlived a crash: "
                       "this request finished the destruction"})


def report_view(report: ErasureReport) -> dict[str, Any]:
    """The report as the route and the command line's --json give it."""
    return {"person_id": report.person_id, "nik": report.masked_nik,
            "erased_on": report.erased_on, "basis": report.basis, "position": report.position,
            "data_key_destroyed": report.data_key_destroyed,
            "index_rows_removed": report.index_rows_removed,
            "unreadable_events": report.unreadable,
            "completed_earlier_erasure": report.completed_earlier_erasure}


@blp.route("/erase", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("admin")
@blp.arguments(ErasureIn)
@blp.response(200, ErasureOut)
def erase(body: dict[str, Any]) -> Any:
    """Erase a person's personal data (admin): refused with every reason while it is still
    needed (covered, a claim open, a benefit unpaid, a scholarship running, the programme's
    retention period); else PersonErased is recorded and their data key and NIK index row are
    destroyed. Read models, pages and documents then show "[dihapus]", every figure kept."""
    report = ledger().erase_person(body.get("nik"), body["basis"], body["reason"],
                                   actor=current_actor(), person_id=body.get("person_id"))
    forget_answers_naming(ledger(), (body.get("nik") or "", report.person_id))
    note(person=report.person_id)
    return report_view(report)
