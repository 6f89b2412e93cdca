"""/incidents: accidents, occupational diseases and deaths of covered members."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api import masking
from api.auth import BEARER, READERS, current_actor, requires
from api.fields import Page, PageQuery, StrictSchema, Written, text
from api.resources.common import listed, page, read, written
from api.resources.projections import Fresh, fresh_list
from api.state import ledger, reader
from ledger.incident import Incident, IncidentKind
from projections import lists

blp = Blueprint("incidents", __name__, url_prefix="/api/v1/incidents",
                description="What happened to a member, when and where")


class IncidentIn(StrictSchema):
    member_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in IncidentKind]))
    occurred_on = fields.Date(required=True)
    place = text(300, min_length=1, required=True)
    narrative = text(2000, load_default="")
    work_related = fields.Boolean(required=True)
    cause = text(100, load_default="")


class IncidentOut(Written):
    id = fields.String(required=True)
    member_id = fields.String(required=True)
    program = fields.String(required=True)
    nik = fields.String(required=True, metadata={
        "description": "the member's NIK, masked (3671********0001): member_id names the "
                       "enrolment, GET /members/{id} answers it whole"})
    kind = fields.String(required=True)
    occurred_on = fields.Date(required=True)
    place = fields.String(required=True)
    narrative = fields.String(required=True)
    work_related = fields.Boolean(required=True)
    cause = fields.String(required=True)
    open_claims = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class IncidentPage(Page):
    items = fields.List(fields.Nested(IncidentOut), required=True)


class IncidentQuery(PageQuery, Fresh):
    program = text(40)
    kind = fields.String(validate=validate.OneOf([k.value for k in IncidentKind]))
    occurred_from = fields.Date()
    occurred_to = fields.Date()


def view(incident: Incident) -> dict[str, Any]:
    return masking.incident({
        "id": str(incident.id), "member_id": incident.enrolment_id,
        "program": incident.programme_code, "nik": incident.nik, "kind": incident.kind.value,
        "occurred_on": incident.occurred_on, "place": incident.place,
        "narrative": incident.narrative, "work_related": incident.work_related,
        "cause": incident.cause, "open_claims": dict(incident.open_claims),
    })


@blp.route("")
class Incidents(MethodView):
    @blp.doc(security=[BEARER])
    @requires(*READERS)
    @blp.arguments(IncidentQuery, location="query")
    @blp.response(200, IncidentPage)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List incidents, filtered by programme, kind and date (from the incidents read
        model; accepts min_position)."""
        fresh_list(query)
        found = lists.incidents(reader(), program=query.get("program", "").upper(),
                                kind=query.get("kind"),
                                occurred_from=query.get("occurred_from"),
                                occurred_to=query.get("occurred_to"),
                                after=query["after"], limit=query["limit"])
        return page([{**view(i), "version": i.version, "position": None}
                     for i in listed(found)], found.next)

    @blp.doc(security=[BEARER])
    @requires("clerk")
    @blp.arguments(IncidentIn)
    @blp.response(201, IncidentOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Report an incident of a covered member (clerk); a death ends the coverage."""
        incident = ledger().report_incident(
            body["member_id"], IncidentKind(body["kind"]), body["occurred_on"], body["place"],
            body["narrative"], body["work_related"], actor=current_actor(), cause=body["cause"])
        return written(incident, view(incident), 201, f"/api/v1/incidents/{incident.id}")


@blp.route("/<uuid:incident_id>")
class OneIncident(MethodView):
    @blp.doc(security=[BEARER])
    @requires(*READERS)
    @blp.response(200, IncidentOut)
    def get(self, incident_id: UUID) -> Any:
        """One incident."""
        incident = ledger().incident(incident_id)
        return read(incident, view(incident))
