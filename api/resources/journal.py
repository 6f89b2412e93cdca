"""/journal: the head of the tamper-evident journal, its signed checkpoints, and proofs."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import BEARER, READERS, requires
from api.fields import StrictSchema
from api.resources.projections import Fresh, fresh
from api.state import ledger, projector
from projections.journal import Journal

blp = Blueprint("journal", __name__, url_prefix="/api/v1/journal",
                description="Merkle journal of the log (RFC 6962): head, checkpoints, proofs")


def _journal() -> Journal:
    worker = projector()
    return Journal(ledger(), worker.connection, worker.live)


class CheckpointOut(StrictSchema):
    size = fields.Integer(required=True)
    root = fields.String(required=True)
    time = fields.String(required=True)
    key_fingerprint = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "as 'journal export' prints"})


class HeadOut(StrictSchema):
    size = fields.Integer(required=True, metadata={"description": "events in the journal"})
    root = fields.String(required=True)
    latest_checkpoint = fields.Nested(CheckpointOut, allow_none=True)


def _checkpoint(kept: Any) -> dict[str, Any]:
    return {"size": kept.size, "root": kept.root.hex(), "time": kept.time,
            "key_fingerprint": kept.key_fingerprint, "text": kept.to_text()}


@blp.route("")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(Fresh, location="query")
@blp.response(200, HeadOut)
def head(query: dict[str, Any]) -> dict[str, Any]:
    """The journal's head (size and root) and the latest signed checkpoint."""
    fresh(query)
    journal = _journal()
    now = journal.head()
    kept = journal.checkpoints()
    return {"size": now.size, "root": now.root.hex(),
            "latest_checkpoint": _checkpoint(kept[-1]) if kept else None}


class CheckpointsOut(StrictSchema):
    items = fields.List(fields.Nested(CheckpointOut), required=True)


@blp.route("/checkpoints")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.response(200, CheckpointsOut)
def checkpoints() -> dict[str, Any]:
    """Every signed checkpoint, oldest first."""
    return {"items": [_checkpoint(c) for c in _journal().checkpoints()]}


class InclusionQuery(Fresh):
    position = fields.Integer(required=True, validate=validate.Range(min=1, max=2**62))


class InclusionOut(StrictSchema):
    position = fields.Integer(required=True)
    leaf_index = fields.Integer(required=True)
    leaf_hash = fields.String(required=True)
    tree_size = fields.Integer(required=True)
    root = fields.String(required=True)
    proof = fields.List(fields.String(), required=True)
    checkpoint = fields.String(required=True)


@blp.route("/proofs/inclusion")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(InclusionQuery, location="query")
@blp.response(200, InclusionOut)
def inclusion(query: dict[str, Any]) -> dict[str, Any]:
    """The inclusion proof of one event in the latest checkpoint (check it with
    'claims-ledger journal check')."""
    fresh(query)
    return _journal().prove(query["position"])


class ConsistencyQuery(Fresh):
    first = fields.Integer(required=True, validate=validate.Range(min=1, max=2**62))
    second = fields.Integer(required=True, validate=validate.Range(min=1, max=2**62))


class ConsistencyOut(StrictSchema):
    first = fields.Integer(required=True)
    second = fields.Integer(required=True)
    first_root = fields.String(required=True)
    second_root = fields.String(required=True)
    proof = fields.List(fields.String(), required=True)


@blp.route("/proofs/consistency")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(ConsistencyQuery, location="query")
@blp.response(200, ConsistencyOut)
def consistency(query: dict[str, Any]) -> dict[str, Any]:
    """Proof that the journal of ``first`` events is a prefix of the one of ``second``."""
    fresh(query)
    return _journal().prove_consistency(query["first"], query["second"])
