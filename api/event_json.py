"""Events as JSON for clients and auditors: position, aggregate, version, type, time, payload."""

from __future__ import annotations

from marshmallow import Schema, fields

from ledger.history import event_json, json_safe

__all__ = ["EventOut", "event_json", "json_safe"]

class EventOut(Schema):
    position = fields.Integer(required=True)
    aggregate_id = fields.String(required=True)
    aggregate_version = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"example": "Claim.Approved"})
    recorded_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    actor = fields.String(allow_none=True)
    data = fields.Dict(required=True)
