"""/audit-feed: the audit board's bundles (BPK e-Audit direct data access), read-only.

``GET /audit-feed`` lists the bundles there are at a cut-off (each programme's months and years
with events); ``GET /audit-feed/{program}/{period}`` streams one as JSON Lines
(``application/x-ndjson``), the same bytes for the same cut-off, resumable by log position
(``from_position``). The role ``audit-feed`` reads these routes and nothing else; auditors and
admins may read them too (README, "Audit feed").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Response, stream_with_context
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api import subjects
from api.auth import BEARER, FEED_READERS, requires
from api.fields import StrictSchema
from api.resources.projections import fresh
from api.state import ledger, projector
from ledger.journal.bundle import MEDIA_TYPE, Period
from projections.audit_feed import AuditBundle, Cut, catalogue, choose_cut
from projections.journal import Journal
from projections.witnessing import Witnessing
from storage.settings import origin_from_environment, signing_key_from_environment

blp = Blueprint("audit_feed", __name__, url_prefix="/api/v1/audit-feed",
                description="The audit board's feed: deterministic JSON Lines bundles of a "
                            "programme's events with their inclusion proofs, read-only")

ERRORS = {"403": "FORBIDDEN", "404": "NOT_FOUND", "422": "UNPROCESSABLE_ENTITY",
          "503": "SERVICE_UNAVAILABLE"}
NDJSON = {"200": {"description": "the bundle, one JSON object a line (README, 'Audit feed')",
                  "headers": {"X-Cut-Off-Position": {
                      "description": "the bundle's cut-off", "schema": {"type": "integer"}}},
                  "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}}, **ERRORS}


class CutOffQuery(StrictSchema):
    cut_off = fields.Integer(validate=validate.Range(min=1, max=2**62), metadata={
        "description": "the last log position the bundle covers (default: the latest "
                       "co-signed checkpoint's, else the latest signed one's)"})


class BundleQuery(CutOffQuery):
    from_position = fields.Integer(validate=validate.Range(min=1, max=2**62), metadata={
        "description": "resume: the tail of the whole bundle from the first event at or after "
                       "this log position (the trailer is the whole bundle's)"})


class BundleOut(StrictSchema):
    program = fields.String(required=True)
    period = fields.String(required=True, metadata={"description": "YYYY-MM or YYYY"})
    events = fields.Integer(required=True)
    first_position = fields.Integer(required=True)
    last_position = fields.Integer(required=True)
    href = fields.String(required=True, metadata={"description": "the bundle at this cut-off"})


class CatalogueOut(StrictSchema):
    cut_off = fields.Integer(required=True)
    tree_size = fields.Integer(required=True)
    items = fields.List(fields.Nested(BundleOut), required=True)


@contextmanager
def _cut(cut_off: int | None) -> Iterator[Cut]:
    fresh({})
    worker = projector()
    witnessing = Witnessing(Journal(ledger(), worker.connection, worker.live),
                            origin_from_environment())
    yield choose_cut(ledger(), witnessing, cut_off, signing_key_from_environment())


@blp.route("")
@blp.doc(security=[BEARER], responses=ERRORS)
@requires(*FEED_READERS)
@blp.arguments(CutOffQuery, location="query")
@blp.response(200, CatalogueOut)
def bundles(query: dict[str, Any]) -> dict[str, Any]:
    """Every bundle there is at a cut-off: each programme's months and years with events."""
    with _cut(query.get("cut_off")) as cut:
        items = catalogue(ledger(), cut)
    for item in items:
        item["href"] = (f"/api/v1/audit-feed/{item['program']}/{item['period']}"
                        f"?cut_off={cut.position}")
    return {"cut_off": cut.position, "tree_size": cut.tree.size, "items": items}


@blp.route("/<program>/<period>")
@blp.doc(security=[BEARER], responses=NDJSON)
@requires(*FEED_READERS)
@blp.arguments(BundleQuery, location="query")
def bundle(query: dict[str, Any], program: str, period: str) -> Response:
    """One programme's bundle of one period (a month, 2025-03, or a year, 2025, of recorded
    time in WIB), streamed as JSON Lines: header, data dictionary, checkpoint, every event with
    its inclusion proof, the read models' figures, trailer."""
    chosen = Period.parse(period)  # 422 before any work for a period that is not one
    # Every event of the programme in the period, NIKs and names as recorded: the request log
    # line names the programme and the period, not each person.
    subjects.note_many(programme=program, what="audit feed bundle", period=chosen.text)
    with _cut(query.get("cut_off")) as cut:
        built = AuditBundle(ledger(), cut, program, chosen, origin_from_environment())
    lines = built.lines(query.get("from_position"))
    return Response(stream_with_context(lines), mimetype=MEDIA_TYPE, headers={
        "X-Cut-Off-Position": str(cut.position),
        "Content-Disposition": f'attachment; filename="audit-feed-{program}-{chosen.text}-'
                               f'{cut.position}.ndjson"'})
