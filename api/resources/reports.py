"""/reports: the documents as PDF files (audit report, claim dossier, handover minutes).

Each answer says its cut-off (``X-Cut-Off-Position``) and its SHA-256 (``X-Content-SHA256``), so
a client can regenerate it later (``?position=``) and compare.
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any
from uuid import UUID

from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api import subjects
from api.auth import BEARER, READERS, requires
from api.resources.projections import Fresh, fresh
from api.state import ledger, on_replica, replica, served_from
from documents.audit import Report
from documents.labels import LANGUAGES
from storage.settings import signing_key_from_environment

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Documents as PDF: audit report, claim dossier, handover minutes")

PDF = {"200": {"description": "the PDF file", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


class Language(Fresh):
    lang = fields.String(load_default="id", validate=validate.OneOf(LANGUAGES),
                         metadata={"description": "id (Bahasa Indonesia) or en"})


class AuditQuery(Language):
    program = fields.String(required=True, validate=validate.Length(min=1, max=40),
                            metadata={"example": "TNG-2025"})
    position = fields.Integer(validate=validate.Range(min=1, max=2**62),
                              metadata={"description": "cut off at this log position"})
    as_of = fields.Date(metadata={"description": "recorded time: as the ledger knew it on this "
                                                 "day, cut off at the end of it (WIB)"})
    covered_on = fields.Date(metadata={
        "description": "effective time: what had taken effect by this day (contributions paid, "
                       "claims decided, enrolments started by then), as the ledger knows it "
                       "now; not with as_of or position"})
    roster = fields.Boolean(load_default=False,
                            metadata={"description": "print the member roster as an annex"})


def _roster_count(rendered: Report) -> int | None:
    """How many people the report's roster CSV lists (None when it carries none)."""
    for attached in rendered.attachments:
        if attached.name.startswith("daftar-peserta-"):
            rows = csv.reader(io.StringIO(attached.content.decode("utf-8")))
            return sum(1 for _ in rows) - 1  # without the header line
    return None


def _pdf(rendered: Report, name: str) -> Response:
    return Response(rendered.content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Cut-Off-Position": str(rendered.position),
        "X-Content-SHA256": hashlib.sha256(rendered.content).hexdigest(),
    })


@blp.route("/audit")
@blp.doc(security=[BEARER], responses=PDF)
@requires(*READERS)
@blp.arguments(AuditQuery, location="query")
def audit(query: dict[str, Any]) -> Response:
    """The audit report of a programme at a cut-off (default: as far as projected)."""
    from documents.audit import audit_report
    from projections.cosigning import configured_policy
    from projections.opening import open_read_side

    fresh(query)
    with open_read_side(ledger(), query.get("position"), as_of=query.get("as_of"),
                        covered_on=query.get("covered_on"),
                        signing_key=signing_key_from_environment(),
                        policy=configured_policy(),
                        on_replica=on_replica(), replica=replica()) as view:
        served_from(view)
        rendered = audit_report(view, query["program"], roster=query["roster"],
                                lang=query["lang"])
    # The report carries the whole roster (its CSV, NIKs whole) and the programme's claims:
    # the request log line names the programme and counts the roster, it does not list them.
    subjects.note_many(programme=query["program"], what="audit report (roster and claims)",
                       count=_roster_count(rendered))
    return _pdf(rendered, f"laporan-audit-{query['program']}-{rendered.position}.pdf")


@blp.route("/claims/<uuid:claim_id>")
@blp.doc(security=[BEARER], responses=PDF)
@requires(*READERS)
@blp.arguments(Language, location="query")
def claim(query: dict[str, Any], claim_id: UUID) -> Response:
    """The dossier of one claim: history with inclusion proofs, computation, approval,
    payouts."""
    from documents.dossier import claim_dossier
    from projections.cosigning import configured_policy
    from projections.opening import open_read_side

    fresh(query)
    with open_read_side(ledger(), signing_key=signing_key_from_environment(),
                        policy=configured_policy(),
                        on_replica=on_replica(), replica=replica()) as view:
        served_from(view)
        rendered = claim_dossier(view, str(claim_id), query["lang"])
    subjects.note(claim=claim_id)  # the dossier names the claim's worker and claimant
    return _pdf(rendered, f"berkas-klaim-{claim_id}.pdf")


@blp.route("/handovers/<uuid:handover_id>")
@blp.doc(security=[BEARER], responses=PDF)
@requires(*READERS)
@blp.arguments(Language, location="query")
def handover(query: dict[str, Any], handover_id: UUID) -> Response:
    """The minutes (Berita Acara Serah Terima) of one ceremony."""
    from documents.minutes import handover_minutes
    from projections.records import Records

    rendered = handover_minutes(Records(ledger()), str(handover_id), query["lang"])
    subjects.note_many(what=f"handover minutes {handover_id}")  # its recipients, by name
    return _pdf(rendered, f"berita-acara-{handover_id}.pdf")
