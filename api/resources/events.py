"""/events: the global log, paged by position."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import fields

from api import subjects
from api.auth import BEARER, READERS, requires
from api.event_json import EventOut, event_json
from api.fields import Page, PageQuery
from api.state import ledger
from ledger.reads import events_after

blp = Blueprint("events", __name__, url_prefix="/api/v1",
                description="The global event log")


class EventPage(Page):
    items = fields.List(fields.Nested(EventOut), required=True)


@blp.route("/events")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(PageQuery, location="query")
@blp.response(200, EventPage)
def events(query: dict[str, Any]) -> dict[str, Any]:
    """Every recorded event after position ``after``, in log order."""
    notifications = events_after(ledger(), query["after"], query["limit"])
    items = [event_json(ledger(), n) for n in notifications]
    # Events as recorded, personal fields whole: counted on the request log line, not listed.
    subjects.note_many(what="events (the log as recorded)", count=len(items))
    full = len(notifications) == query["limit"]
    return {"items": items, "next": notifications[-1].id if full and notifications else None}
