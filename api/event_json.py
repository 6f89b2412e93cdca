"""Events as JSON for clients and auditors: position, aggregate, version, type, time, payload."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from marshmallow import Schema, fields

from ledger.application import Ledger

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """Dates, UUIDs and nested values as plain JSON."""
    plain: dict[str, Any] = _plain(values)
    return plain


def event_json(ledger: Ledger, notification: Any) -> dict[str, Any]:
    """One stored event, decoded by the library's mapper, as plain JSON."""
    event: Any = ledger.mapper.to_domain_event(notification)
    payload = {k: _plain(v) for k, v in vars(event).items() if k not in _ENVELOPE}
    return {
        "position": notification.id,
        "aggregate_id": str(notification.originator_id),
        "aggregate_version": notification.originator_version,
        "type": notification.topic.rsplit(":", 1)[-1],
        "recorded_at": event.timestamp.isoformat(),
        "actor": payload.get("actor"),
        "data": payload,
    }


class EventOut(Schema):
    position = fields.Integer(required=True)
    aggregate_id = fields.String(required=True)
    aggregate_version = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"example": "Claim.Approved"})
    recorded_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601"})
    actor = fields.String(allow_none=True)
    data = fields.Dict(required=True)
