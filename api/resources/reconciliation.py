"""/reconciliation: statement runs and their discrepancies (open or resolved), and resolving one.

Runs are recorded by ``claims-ledger import statement``; this resource reads them from the
projections (caught up first in the embedded mode, as every projection read) and lets finance
resolve a discrepancy with a reason.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.auth import BEARER, READERS, current_actor, requires
from api.fields import StrictSchema, text
from api.resources.projections import Fresh, fresh
from api.state import ledger, projector
from ledger.reconciliation import resolve
from projections.reconciliation import ReconciliationReader

blp = Blueprint("reconciliation", __name__, url_prefix="/api/v1/reconciliation",
                description="Statements reconciled with the recorded money, and discrepancies")


class RunQuery(Fresh):
    program = text(40)
    run = fields.UUID()
    status = fields.String(validate=validate.OneOf(["open", "resolved"]))


class DiscrepancyOut(Schema):
    number = fields.Integer(required=True)
    kind = fields.String(required=True)
    reference = fields.String(required=True)
    statement_amount = fields.Integer(allow_none=True)
    ledger_amount = fields.Integer(allow_none=True)
    statement_date = fields.String(allow_none=True)
    ledger_date = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    detail = fields.String()
    status = fields.String(required=True)
    resolved_reason = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)


class RunOut(Schema):
    run_id = fields.String(required=True)
    source = fields.String(required=True)
    programme = fields.String(allow_none=True)
    month = fields.String(allow_none=True)
    statement = fields.String()
    lines = fields.Integer()
    ledger_items = fields.Integer()
    matched = fields.Integer()
    discrepancies = fields.Integer()
    open = fields.Integer()
    run_on = fields.String()
    actor = fields.String()
    position = fields.Integer()
    items = fields.List(fields.Nested(DiscrepancyOut), required=True)


class RunsOut(Schema):
    runs = fields.List(fields.Nested(RunOut), required=True)


class ResolveIn(StrictSchema):
    reason = text(500, min_length=1, required=True)


@blp.route("", methods=["GET"])
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(RunQuery, location="query")
@blp.response(200, RunsOut)
def runs(query: dict[str, Any]) -> dict[str, Any]:
    """Reconciliation runs, newest first, with their discrepancies (filter open/resolved)."""
    fresh(query)
    worker = projector()
    reader = ReconciliationReader(worker.connection, worker.live)
    run = query.get("run")
    return {"runs": reader.runs(run_id=str(run) if run else None, program=query.get("program"),
                                status=query.get("status"))}


@blp.route("/<uuid:run_id>/discrepancies/<int:number>/resolve", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("finance")
@blp.arguments(ResolveIn)
@blp.response(200, RunOut)
def resolve_discrepancy(body: dict[str, Any], run_id: UUID, number: int) -> dict[str, Any]:
    """Resolve one discrepancy with the reason (finance)."""
    resolve(ledger(), run_id, number, body["reason"], current_actor())
    worker = projector()
    worker.catch_up()  # answer with what was just recorded (safe beside a running worker)
    reader = ReconciliationReader(worker.connection, worker.live)
    found = reader.runs(run_id=str(run_id))
    return found[0] if found else {"run_id": str(run_id), "source": "", "items": []}
