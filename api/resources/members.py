"""/members: enrolments (coverage periods), KPJ cards, coverage ends; by NIK (in a POST body,
never in a URL: ``api/lookups.py``) a NIK's enrolments and its history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api import masking, subjects
from api.auth import BEARER, READERS, current_actor, requires
from api.event_json import EventOut, event_json
from api.fields import Page, PageQuery, StrictSchema, Written, nik, pattern, stripped, text
from api.lookups import LOOKUP_DOC, lookup, person_of
from api.resources.common import if_match, listed, page, read, written
from api.resources.projections import Fresh, fresh_list
from api.state import ledger, reader
from ledger.enrolment import REGISTERS, EndReason, Enrolment, EnrolmentRequest
from ledger.history import events_of, incidents_and_claims
from ledger.identity import mask_nik, parse_nik
from projections import lists

blp = Blueprint("members", __name__, url_prefix="/api/v1/members",
                description="Enrolments of workers: one active coverage per NIK")


class EnrolIn(StrictSchema):
    program = text(40, required=True)
    nik = nik(required=True)
    kk = pattern(r"^\s*\d{16}\s*$", "3671081501150042", required=True)
    name = text(200, min_length=1, required=True)
    region = pattern(r"^\d{2}\.\d{2}$", "36.71", required=True)
    district = pattern(r"^\d{2}\.\d{2}\.\d{2}$", "36.71.08", required=True)
    village = pattern(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", "36.71.08.1001", required=True)
    occupation = text(60, required=True)
    decile = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10))
    register = fields.String(required=True, validate=validate.OneOf(REGISTERS))
    register_snapshot = fields.Date(required=True)
    branch = text(100, required=True)
    enrolled_on = fields.Date(required=True)


class MemberOut(Written):
    id = fields.String(required=True)
    program = fields.String(required=True)
    nik = fields.String(required=True)
    kk = fields.String(required=True)
    name = fields.String(required=True)
    sex = fields.String(required=True)
    birth_date = fields.Date(required=True)
    region = fields.String(required=True)
    district = fields.String(required=True)
    village = fields.String(required=True)
    occupation = fields.String(required=True)
    decile = fields.Integer(required=True)
    register = fields.String(required=True)
    register_snapshot = fields.Date(required=True)
    branch = fields.String(required=True)
    enrolled_on = fields.Date(required=True)
    wage_band = fields.Integer(required=True)
    kpj = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"description": "active or ended"})
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)


class MemberPage(Page):
    items = fields.List(fields.Nested(MemberOut), required=True)


MASKED_NIK = "masked, region and serial kept: 3671********0001"
MASKED_LAST_FOUR = "masked, last four digits kept: ****5678"


class ListedMemberOut(MemberOut):
    """An enrolment as the list shows it: its personal numbers masked (README, "Personal
    numbers in answers"); GET /members/{id} answers it whole."""

    nik = fields.String(required=True, metadata={"description": f"the NIK, {MASKED_NIK}"})
    kk = fields.String(required=True, metadata={"description": f"the KK, {MASKED_NIK}"})
    kpj = fields.String(allow_none=True, metadata={
        "description": f"the KPJ card, {MASKED_LAST_FOUR}"})


class ListedMemberPage(Page):
    items = fields.List(fields.Nested(ListedMemberOut), required=True)


class MemberQuery(PageQuery, Fresh):
    program = text(40)
    region = pattern(r"^\d{2}\.\d{2}$", "36.71")
    district = pattern(r"^\d{2}\.\d{2}\.\d{2}$", "36.71.08")
    status = fields.String(validate=validate.OneOf(["active", "ended"]))
    enrolled_from = fields.Date()
    enrolled_to = fields.Date()


class MemberLookupIn(MemberQuery):
    nik = nik(required=True, description="the NIK whose enrolments are listed")


class KpjIn(StrictSchema):
    kpj = pattern(r"^\s*\d{11}\s*$", "25012345678", required=True)


class EndIn(StrictSchema):
    ended_on = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in EndReason]))
    note = text(500, load_default="")


class ExclusionIn(StrictSchema):
    nik = nik(required=True)
    list_reference = text(100, min_length=1, required=True)
    reason = text(500, load_default="")


class ExclusionOut(Written):
    nik = fields.String(required=True)
    excluded_by = fields.String(required=True)


class HistoryIn(StrictSchema):
    nik = nik(required=True, description="the NIK whose history is asked")


class HistoryOut(Page):
    nik = fields.String(required=True, metadata={
        "description": "the NIK asked about, masked (3671********0001): the client sent it"})
    events = fields.List(fields.Nested(EventOut), required=True)


def view(member: Enrolment) -> dict[str, Any]:
    parsed = parse_nik(member.nik, on=member.enrolled_on)
    return {
        "id": str(member.id), "program": member.programme_code, "nik": member.nik,
        "kk": member.kk, "name": member.name, "sex": parsed.sex,
        "birth_date": parsed.birth_date, "region": member.region, "district": member.district,
        "village": member.village, "occupation": member.occupation, "decile": member.decile,
        "register": member.register, "register_snapshot": member.register_snapshot,
        "branch": member.branch, "enrolled_on": member.enrolled_on,
        "wage_band": member.wage_band, "kpj": member.kpj,
        "status": "active" if member.is_active else "ended", "ended_on": member.ended_on,
        "end_reason": member.end_reason,
    }


@blp.route("")
class Members(MethodView):
    @blp.doc(security=[BEARER])
    @requires(*READERS)
    @blp.arguments(MemberQuery, location="query")
    @blp.response(200, ListedMemberPage)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List enrolments, filtered by programme, region, district, status, dates (from the
        members read model; accepts min_position). NIK and KK are masked (3671********0001),
        the KPJ card by its last four digits (****5678): GET /members/{id} answers the record
        whole. A NIK's enrolments: POST /members/lookup."""
        return _members(query, whole=False)

    @blp.doc(security=[BEARER])
    @requires("clerk")
    @blp.arguments(EnrolIn)
    @blp.response(201, MemberOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Enrol a worker in a programme (clerk)."""
        program = body.pop("program")
        request = EnrolmentRequest(**stripped(body))
        member = ledger().enrol(program, request, actor=current_actor())
        return written(member, view(member), 201, f"/api/v1/members/{member.id}")


def _members(query: dict[str, Any], *, whole: bool) -> dict[str, Any]:
    fresh_list(query)
    number = query.get("nik", "").strip()
    found = lists.members(reader(), program=query.get("program", "").upper(),
                          person=person_of(ledger(), number) if number else None,
                          region=query.get("region"),
                          district=query.get("district"), status=query.get("status"),
                          enrolled_from=query.get("enrolled_from"),
                          enrolled_to=query.get("enrolled_to"),
                          after=query["after"], limit=query["limit"])
    shown = (lambda record: record) if whole else masking.enrolment
    return page([shown({**view(m), "version": m.version, "position": None})
                 for m in listed(found)], found.next)


@blp.route("/lookup", methods=["POST"])
@blp.doc(security=[BEARER], **LOOKUP_DOC)
@lookup
@requires(*READERS)
@blp.arguments(MemberLookupIn)
@blp.response(200, MemberPage)
def lookup_members(body: dict[str, Any]) -> dict[str, Any]:
    """A NIK's enrolments, with the list's other filters (accepts min_position).

    The NIK in the body, never in a URL. A read: records nothing, needs no Idempotency-Key (one
    sent is ignored). The enrolments are answered whole, as GET /members/{id} answers them:
    they are the records a clerk acts on."""
    subjects.note(nik=body["nik"].strip())  # the person asked about, found or not
    return _members(body, whole=True)


@blp.route("/<uuid:member_id>")
class OneMember(MethodView):
    @blp.doc(security=[BEARER])
    @requires(*READERS)
    @blp.response(200, MemberOut)
    def get(self, member_id: UUID) -> Any:
        """One enrolment as it is now."""
        member = ledger().enrolment(member_id)
        return read(member, view(member))


@blp.route("/<uuid:member_id>/kpj", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(KpjIn)
@blp.response(200, MemberOut)
def record_kpj(body: dict[str, Any], member_id: UUID) -> Any:
    """Record the BPJS member card (KPJ) number; accepts If-Match."""
    member = ledger().record_kpj(member_id, body["kpj"].strip(), current_actor(),
                                 expected_version=if_match())
    return written(member, view(member))


@blp.route("/<uuid:member_id>/end", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(EndIn)
@blp.response(200, MemberOut)
def end_coverage(body: dict[str, Any], member_id: UUID) -> Any:
    """End a coverage period with a reason (died, moved, ineligible, lapsed); accepts If-Match."""
    member = ledger().end_coverage(member_id, body["ended_on"], EndReason(body["reason"]),
                                   body["note"], current_actor(), expected_version=if_match())
    return written(member, view(member))


class CoverageQuery(StrictSchema):
    on = fields.Date(required=True, metadata={"description": "the business date asked about"})


class CoverageOut(StrictSchema):
    member_id = fields.String(required=True)
    on = fields.Date(required=True)
    covered = fields.Boolean(required=True)
    reason = fields.String(required=True)
    paid_month = fields.String(allow_none=True)


@blp.route("/<uuid:member_id>/coverage")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(CoverageQuery, location="query")
@blp.response(200, CoverageOut)
def coverage(query: dict[str, Any], member_id: UUID) -> dict[str, Any]:
    """Was this member covered on a date, as the ledger knows it now (and why)?"""
    subjects.note(enrolment=member_id)
    answer = ledger().coverage_on(member_id, query["on"])
    return {"member_id": str(member_id), "on": query["on"], "covered": answer.covered,
            "reason": answer.reason, "paid_month": answer.paid_month}


@blp.route("/exclusions", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(ExclusionIn)
@blp.response(200, ExclusionOut)
def exclude(body: dict[str, Any]) -> Any:
    """Record a NIK from a BPJS exclusion list (already covered elsewhere): it cannot enrol."""
    person = ledger().record_bpjs_exclusion(body["nik"].strip(), body["list_reference"],
                                            body["reason"], current_actor())
    return written(person, {"nik": person.nik, "excluded_by": person.excluded_by})


@blp.route("/history", methods=["POST"])
@blp.doc(security=[BEARER], **LOOKUP_DOC)
@lookup
@requires(*READERS)
@blp.arguments(HistoryIn)
@blp.response(200, HistoryOut)
def history(body: dict[str, Any]) -> dict[str, Any]:
    """Every event about a NIK: the person, its enrolments, incidents and claims, in order.

    The NIK in the body, never in a URL. A read: records nothing, needs no Idempotency-Key (one
    sent is ignored). The answer names the NIK masked (3671********0001): the client sent it;
    the events are as recorded, as GET /events serves them."""
    number = parse_nik(body["nik"].strip()).value
    subjects.note(nik=number)
    person = ledger().person(number)
    if person is None:
        return {"nik": mask_nik(number), "events": [], "next": None}
    ids = {str(person.id), *person.enrolment_ids} | incidents_and_claims(ledger(), person.id)
    events = [event_json(ledger(), n) for n in events_of(ledger(), ids)]
    return {"nik": mask_nik(number), "events": events, "next": None}
