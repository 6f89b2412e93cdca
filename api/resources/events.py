"""/events: the global log, paged by position; /tokens: API tokens (admin)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import BEARER, READERS, current_actor, requires
from api.event_json import EventOut, event_json
from api.fields import Page, PageQuery, StrictSchema, Written, text
from api.resources.common import written
from api.state import ledger
from ledger.token import ROLES

blp = Blueprint("events", __name__, url_prefix="/api/v1",
                description="The global event log and API tokens")


class EventPage(Page):
    items = fields.List(fields.Nested(EventOut), required=True)


class TokenIn(StrictSchema):
    name = text(100, min_length=1, required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class TokenOut(Written):
    name = fields.String(required=True)
    role = fields.String(required=True)
    token = fields.String(required=True, metadata={"description": "shown once; keep it secret"})


@blp.route("/events")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(PageQuery, location="query")
@blp.response(200, EventPage)
def events(query: dict[str, Any]) -> dict[str, Any]:
    """Every recorded event after position ``after``, in log order."""
    notifications = ledger().recorder.select_notifications(
        start=query["after"] + 1, limit=query["limit"])
    items = [event_json(ledger(), n) for n in notifications]
    full = len(notifications) == query["limit"]
    return {"items": items, "next": notifications[-1].id if full and notifications else None}


@blp.route("/tokens", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("admin")
@blp.arguments(TokenIn)
@blp.response(201, TokenOut)
def create_token(body: dict[str, Any]) -> Any:
    """Issue an API token for a person or system with one role (admin)."""
    secret, token = ledger().issue_token(body["name"], body["role"], actor=current_actor())
    return written(token, {"name": token.name, "role": token.role, "token": secret}, 201)
