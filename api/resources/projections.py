"""Read models: /coverage, /balances, /budget, /stats, /projections, and auditors' /history;
by NIK (in a POST body, never in a URL: ``api/lookups.py``) /coverage/lookup, /history/lookup.

Every read here answers from the projections and says their position in ``X-Projection-Position``.
``?min_position=N`` waits (up to a few seconds) until the projections have applied position N,
else answers 503 (``projections-behind``, with ``Retry-After``) saying the position they are at.
In the embedded (SQLite) mode there is no worker: the projections are caught up before each read,
so answers are never stale.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any
from uuid import UUID

from flask import Response, current_app, g, jsonify
from flask_smorest import Blueprint, abort
from marshmallow import ValidationError, fields, validate, validates_schema

from api import masking, subjects
from api.auth import BEARER, READERS, requires
from api.event_json import EventOut, event_json, json_safe
from api.fields import PageQuery, StrictSchema, nik, text
from api.lookups import LOOKUP_DOC, lookup, person_of
from api.state import ledger, projector, read_connection, reader, replica, replica_at
from ledger.asof import AsOf
from ledger.clock import WIB
from ledger.errors import ProjectionStoppedError
from ledger.history import HISTORY_KINDS, effective_on, events_of, history_ids
from ledger.identity import mask_nik, parse_nik
from ledger.reads import log_head
from projections.journal import Journal
from projections.obligations import ObligationsReader
from projections.replica import REPLICA_WAIT_SECONDS, SERVED_BY_PRIMARY, SERVED_BY_REPLICA

blp = Blueprint("projections", __name__, url_prefix="/api/v1",
                description="Read models built from the log, and history as of any moment")
WAIT_SECONDS = 3.0


class Fresh(StrictSchema):
    min_position = fields.Integer(validate=validate.Range(min=0, max=2**62),
                                  metadata={"description": "wait until this log position is "
                                            "projected (read-your-writes)"})


#: The title of the answer when the projections have not reached a position yet: the database
#: is up, the read models are behind (or the position was never written).
BEHIND_TITLE = "The projections have not reached that position yet"


def fresh(query: dict[str, Any]) -> None:
    """Catch up (embedded) or wait for the worker (PostgreSQL) as the query asks; with a read
    replica, read there when it has the position asked for (waiting briefly), else on the
    primary (``X-Served-By`` says which)."""
    worker = projector()
    if not ledger().settings.is_postgres:
        worker.catch_up()
    wanted = query.get("min_position")
    wait = float(current_app.config.get("PROJECTION_WAIT_SECONDS", WAIT_SECONDS))
    head = worker.head() if wanted is not None else 0
    if wanted is None or wanted <= head:
        mirrored = replica_at(wanted, float(current_app.config.get("REPLICA_WAIT_SECONDS",
                                                                   REPLICA_WAIT_SECONDS)))
        if mirrored is not None:
            g.served_by = SERVED_BY_REPLICA
            g.projection_position = mirrored
            return
    g.served_by = SERVED_BY_PRIMARY
    if wanted is not None and wanted > head:
        wait = 0  # a position not even written yet will not be projected by waiting
    if wanted is not None and not worker.wait_for(wanted, wait):
        reached = worker.position()
        detail = (f"the projections have not reached position {wanted} yet: they are at "
                  f"position {reached}")
        if wanted > head:
            detail += (f", and the log itself ends at position {head} (send a position a write "
                       "answered with, in X-Ledger-Position)")
        else:
            detail += "; ask again shortly"
        abort(503, message=detail, rule="projections-behind", title=BEHIND_TITLE,
              headers={"X-Projection-Position": str(reached), "Retry-After": "1"})
    g.projection_position = worker.position()


def fresh_list(query: dict[str, Any]) -> None:
    """A list reads its writes: with no ``min_position`` the projections are first brought up
    to the log's head in the request (the worker's job otherwise; not while the projections
    are being rebuilt, nor past an event they stopped at: then they answer as far as they got,
    and say where in ``X-Projection-Position``)."""
    worker = projector()
    if query.get("min_position") is None and len(set(worker.positions().values())) == 1:
        with contextlib.suppress(ProjectionStoppedError):
            worker.catch_up()
        if replica() is not None:
            # Caught up on the primary: the replica serves it once it has replayed as far.
            query = {**query, "min_position": worker.position()}
    fresh(query)


@blp.after_app_request
def _position_header(response: Response) -> Response:
    position = g.pop("projection_position", None)
    if position is not None:
        response.headers["X-Projection-Position"] = str(position)
    served = g.pop("served_by", None)
    if served is not None:
        response.headers["X-Served-By"] = served
    return response


class CoverageQuery(PageQuery, Fresh):
    program = text(40)
    region = text(10)
    district = text(12)
    status = fields.String(validate=validate.OneOf(["active", "ended", "lapsed", "deceased"]))


class CoverageLookupIn(CoverageQuery):
    nik = nik(required=True, description="the NIK asked about")
    on = fields.Date(metadata={"description": "was that NIK covered on this date?"})
    known_at = fields.Integer(validate=validate.Range(min=0, max=2**62), metadata={
        "description": "needs on: as recorded up to this log position"})

    @validates_schema
    def _known_at_needs_a_date(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("known_at") is not None and data.get("on") is None:
            raise ValidationError("known_at goes with on: the question it dates is "
                                  "'was this NIK covered on that day?'", field_name="known_at")


class CoverageMember(StrictSchema):
    enrolment_id = fields.String(required=True)
    programme = fields.String(required=True)
    nik = fields.String(required=True, metadata={
        "description": "the NIK, masked, region and serial kept: 3671********0001"})
    name = fields.String(required=True)
    region = fields.String(required=True)
    district = fields.String(required=True)
    occupation = fields.String(required=True)
    branch = fields.String(required=True)
    enrolled_on = fields.String(required=True)
    status = fields.String(required=True)
    ended_on = fields.String(allow_none=True)
    end_reason = fields.String(allow_none=True)
    kpj = fields.String(allow_none=True, metadata={
        "description": "the KPJ card, masked, last four digits kept: ****5678"})
    died_on = fields.String(allow_none=True)
    paid_months = fields.List(fields.String(), required=True)
    covered_until = fields.String(allow_none=True)
    position = fields.Integer(required=True)


class CoverageAnswerOut(StrictSchema):
    nik = fields.String(required=True, metadata={
        "description": "the NIK asked about, masked (3671********0001): the client sent it"})
    on = fields.String(required=True)
    covered = fields.Boolean(required=True)
    reason = fields.String(required=True)
    enrolment_id = fields.String(allow_none=True)
    programme = fields.String(allow_none=True)
    paid_month = fields.String(allow_none=True)
    known_at = fields.Integer(allow_none=True)


class CoverageReadOut(StrictSchema):
    items = fields.List(fields.Nested(CoverageMember))
    next = fields.Integer(allow_none=True)
    answer = fields.Nested(CoverageAnswerOut, allow_none=True)


@blp.route("/coverage")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(CoverageQuery, location="query")
@blp.response(200, CoverageReadOut)
def coverage(query: dict[str, Any]) -> dict[str, Any]:
    """Members' coverage (status, paid months, covered until), each with its NIK masked
    (3671********0001) and its KPJ card by the last four digits (****5678). A NIK's coverage,
    and "was this NIK covered on that date?": POST /coverage/lookup."""
    return _coverage(query)


@blp.route("/coverage/lookup", methods=["POST"])
@blp.doc(security=[BEARER], **LOOKUP_DOC)
@lookup
@requires(*READERS)
@blp.arguments(CoverageLookupIn)
@blp.response(200, CoverageReadOut)
def coverage_lookup(body: dict[str, Any]) -> dict[str, Any]:
    """A NIK's coverage; with on, the answer to "was this NIK covered on that date?" (with
    known_at: as recorded up to a position).

    The NIK in the body, never in a URL. A read: records nothing, needs no Idempotency-Key (one
    sent is ignored). The answer names the NIK masked (3671********0001): the client sent it;
    the coverage rows are as GET /coverage lists them (NIK and KPJ card masked)."""
    return _coverage(body)


def _coverage(query: dict[str, Any]) -> dict[str, Any]:
    fresh(query)
    if query.get("on") is not None:
        number = parse_nik(query["nik"]).value
        answer = reader().covered_on(number, query["on"], person_of(ledger(), number))
        answer["known_at"] = None
        if query.get("known_at") is not None and answer["enrolment_id"]:
            then = AsOf(ledger()).coverage_known_at(answer["enrolment_id"], query["on"],
                                                    query["known_at"])
            answer.update(covered=then.covered, reason=then.reason, paid_month=then.paid_month,
                          known_at=query["known_at"])
        subjects.note(nik=number, enrolment=answer.get("enrolment_id"))
        answer["nik"] = mask_nik(number)
        return {"items": [], "next": None, "answer": answer}
    if query.get("nik"):  # the person asked about, found or not
        subjects.note(nik=parse_nik(query["nik"]).value)
    rows = reader().members(program=(query.get("program") or "").upper() or None,
                            region=query.get("region"), district=query.get("district"),
                            status=query.get("status"),
                            person=person_of(ledger(), parse_nik(query["nik"]).value)
                            if query.get("nik") else None,
                            after=query["after"], limit=query["limit"])
    full = len(rows) == query["limit"]
    for row in rows:  # whose coverage the page shows, to the request log line
        subjects.note_row(row)
    return {"items": [masking.enrolment(row) for row in rows],
            "next": rows[-1]["position"] if full and rows else None,
            "answer": None}


class ProgrammeQuery(Fresh):
    program = text(40)


class BalancesOut(StrictSchema):
    claims = fields.List(fields.Dict(), required=True, metadata={
        "description": "a row per claim; its personal numbers masked: subject_nik, "
                       "claimant_nik and subject_kk as 3671********0001, account (bank and "
                       "number) as Bank BJB ****5678"})
    totals = fields.List(fields.Dict(), required=True)


@blp.route("/balances")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(ProgrammeQuery, location="query")
@blp.response(200, BalancesOut)
def balances(query: dict[str, Any]) -> dict[str, Any]:
    """Per claim: entitlement, approved, disbursed, reversed, outstanding (NIKs, KK and
    account masked); and totals per programme, branch, benefit, payer and month."""
    fresh(query)
    program = (query.get("program") or "").upper() or None
    rows = reader().claims(program=program, limit=100_000)
    # Up to every claim of the ledger: the request log line counts them, it does not list them.
    subjects.note_many(programme=program or "*", what="balances (claims)", count=len(rows))
    return {"claims": [masking.claim_row(row) for row in rows],
            "totals": reader().balance_totals(program)}


class BudgetOut(StrictSchema):
    budgets = fields.List(fields.Dict(), required=True)


@blp.route("/budget")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(ProgrammeQuery, location="query")
@blp.response(200, BudgetOut)
def budget(query: dict[str, Any]) -> dict[str, Any]:
    """Budget realisation: ceiling and revisions, paid, reversed, remaining, and month by month
    the contributions due for the active roster against what was paid."""
    fresh(query)
    codes = ([query["program"].upper()] if query.get("program")
             else [row["programme"] for row in reader().programmes()])
    found = [reader().budget(code) for code in codes]
    if query.get("program") and found == [None]:
        abort(404, message=f"there is no programme with code {query['program']}")
    return {"budgets": [b for b in found if b is not None]}


class ObligationsQuery(ProgrammeQuery):
    on = fields.Date(metadata={"description": "owed from this day (YYYY-MM-DD; default: today, "
                                              "WIB): scholarship years from its school year"})


class ObligationsOut(StrictSchema):
    on = fields.Date(required=True)
    obligations = fields.List(fields.Dict(), required=True, metadata={
        "description": "per programme: scholarship years still payable by school year (one "
                       "grade a year assumed), approved claims unpaid, late interest owed to "
                       "heirs, the work accident cases whose temporary incapacity has no "
                       "recorded end (`stmb_cases`: months claimed, the next month due and its "
                       "amount; `stmb_total`), and what was paid"})
    funders = fields.List(fields.Dict(), required=True, metadata={
        "description": "the same totals per funder"})


@blp.route("/obligations")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(ObligationsQuery, location="query")
@blp.response(200, ObligationsOut)
def obligations(query: dict[str, Any]) -> dict[str, Any]:
    """What each programme (or ``program``) still owes from a day on, beside what it paid:
    scholarship years still payable by school year, approved claims not paid in full, the
    late interest owed to heirs, and the next STMB month of each work accident case whose
    incapacity has no recorded end; and the same totals per funder."""
    fresh(query)
    on = query.get("on") or datetime.now(WIB).date()
    models = reader()
    read = ObligationsReader(models.connection, models.ns)
    codes = ([query["program"].upper()] if query.get("program")
             else [row["programme"] for row in models.programmes()])
    found = [read.obligations(code, on) for code in codes]
    if query.get("program") and found == [None]:
        abort(404, message=f"there is no programme with code {query['program']}")
    listed = [o for o in found if o is not None]
    for owed in listed:
        for claim in (*owed["unpaid_claims"], *owed["stmb_cases"]):
            claim["subject_nik"] = mask_nik(claim["subject_nik"])
    funders: dict[str, dict[str, Any]] = {}
    for owed in listed:
        funder = funders.setdefault(owed["funder_name"], {
            "funder_name": owed["funder_name"], "programmes": [], "scholarship_total": 0,
            "unpaid_total": 0, "late_interest_total": 0, "stmb_total": 0, "paid": 0})
        funder["programmes"].append(owed["programme"])
        for name in ("scholarship_total", "unpaid_total", "late_interest_total", "stmb_total",
                     "paid"):
            funder[name] += owed[name]
    return {"on": on, "obligations": listed, "funders": list(funders.values())}


class StatsOut(StrictSchema):
    members = fields.List(fields.Dict(), required=True)
    claims = fields.List(fields.Dict(), required=True)


@blp.route("/stats")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(ProgrammeQuery, location="query")
@blp.response(200, StatsOut)
def stats(query: dict[str, Any]) -> dict[str, Any]:
    """Members, claims and payouts per district and occupation."""
    fresh(query)
    return reader().stats((query.get("program") or "").upper() or None)


class PositionsOut(StrictSchema):
    head = fields.Integer(required=True, metadata={"description": "the log's last position"})
    projections = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    lag = fields.Integer(required=True, metadata={"description": "events not yet projected"})


@blp.route("/projections")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.response(200, PositionsOut)
def positions() -> dict[str, Any]:
    """Each projection's position and how far it lags behind the log."""
    worker = projector()
    found = worker.positions()
    head = worker.head()
    g.projection_position = min(found.values()) if found else 0
    return {"head": head, "projections": found, "lag": head - g.projection_position}


class ChangeOut(StrictSchema):
    claim_id = fields.String(required=True)
    occurred_on = fields.Date(required=True)
    paid_at_position = fields.Integer(required=True)
    covered_then = fields.Boolean(required=True)
    covered_now = fields.Boolean(required=True)
    reason_then = fields.String(required=True)
    reason_now = fields.String(required=True)


class ChangesOut(StrictSchema):
    items = fields.List(fields.Nested(ChangeOut), required=True)


@blp.route("/coverage/changes")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.response(200, ChangesOut)
def changes() -> dict[str, Any]:
    """Paid claims whose "covered on the incident date?" is answered differently now than when
    the payout was made (a late or reversed contribution, a back-dated coverage end)."""
    return {"items": [vars(c) for c in AsOf(ledger()).changed_answers()]}


_ONE_SELECTOR = "exactly one of claim, program or handover"


class HistoryCutOff(StrictSchema):
    """Up to when the history is told: a position, a day as recorded, or a day as in effect."""

    #: The fields naming whose history is asked; exactly one is given.
    subjects: tuple[str, ...] = ()
    position = fields.Integer(validate=validate.Range(min=0, max=2**62), metadata={
        "description": "as recorded up to this log position; not with as_of"})
    as_of = fields.Date(metadata={"description": "as the ledger knew it on this day: as "
                                                 "recorded by the end of it (WIB); not with "
                                                 "position"})
    covered_on = fields.Date(metadata={
        "description": "effective time: the events that had taken effect by this day (paid, "
                       "happened, decided: each event's own date), as the ledger knows them "
                       "now; not with as_of or position"})

    @validates_schema
    def _one_subject_one_cut_off(self, data: dict[str, Any], **_: Any) -> None:
        chosen = [k for k in self.subjects if data.get(k)]
        if len(chosen) != 1:
            given = f"; got {', '.join(chosen)}" if chosen else ""
            raise ValidationError(
                f"name {_ONE_SELECTOR}{given} (a NIK's history: POST /api/v1/history/lookup)",
                field_name=chosen[-1] if chosen else self.subjects[0])
        if data.get("position") is not None and data.get("as_of") is not None:
            raise ValidationError("give position or as_of, not both", field_name="as_of")
        if data.get("covered_on") is not None and (
                data.get("position") is not None or data.get("as_of") is not None):
            raise ValidationError("give covered_on alone, not with as_of or position",
                                  field_name="covered_on")


class HistoryQuery(HistoryCutOff):
    subjects = ("claim", "program", "handover")
    claim = fields.UUID(metadata={"description": f"a claim's history; give {_ONE_SELECTOR}"})
    program = text(40, metadata={"description": f"a programme's history; give {_ONE_SELECTOR}"})
    handover = fields.UUID(metadata={"description": "a ceremony, with the claims it showed; "
                                                    f"give {_ONE_SELECTOR}"})


class HistoryLookupIn(HistoryCutOff):
    subjects = ("nik",)
    nik = nik(required=True, description="the NIK whose history is asked")


class InclusionProofOut(StrictSchema):
    position = fields.Integer(required=True)
    leaf_index = fields.Integer(required=True)
    leaf_hash = fields.String(required=True)
    tree_size = fields.Integer(required=True)
    root = fields.String(required=True)
    proof = fields.List(fields.String(), required=True)
    checkpoint = fields.String(allow_none=True, metadata={
        "description": "the signed checkpoint the proof leads to; null: the journal's current "
                       "head, not signed yet"})


class HistoryEventOut(EventOut):
    inclusion = fields.Nested(InclusionProofOut, allow_none=True, metadata={
        "description": "the event's inclusion proof (null: not journaled yet)"})


class HistoryAsOfOut(StrictSchema):
    cut_off = fields.Integer(required=True, metadata={"description": "last position included"})
    time = fields.String(required=True, validate=validate.OneOf(["recorded", "effective"]),
                         metadata={
        "description": "which time the cut-off is in: 'recorded' (as_of, position: as the "
                       "ledger knew it then) or 'effective' (covered_on: what had taken effect "
                       "by then, as known now)"})
    known = fields.String(required=True, metadata={
        "description": "the cut-off in plain words; for an as_of before the ledger's first "
                       "event, that it knew nothing yet then, and since when it knows"})
    first_recorded_on = fields.Date(allow_none=True, metadata={
        "description": "the day (WIB) the ledger's first event was recorded (null: none yet)"})
    events = fields.List(fields.Nested(HistoryEventOut), required=True)
    state = fields.List(fields.Dict(), required=True, metadata={
        "description": "the claim, programme or NIK's enrolments as recorded at the cut-off"})


@blp.route("/history")
@blp.doc(security=[BEARER])
@requires(*READERS)
@blp.arguments(HistoryQuery, location="query")
@blp.response(200, HistoryAsOfOut)
def history(query: dict[str, Any]) -> Any:
    """The ordered history of a claim, a programme or a ceremony as recorded up to a position
    or a day (default: now), each event with its inclusion proof in the journal. A NIK's
    history: POST /history/lookup."""
    return _history(query)


@blp.route("/history/lookup", methods=["POST"])
@blp.doc(security=[BEARER], **LOOKUP_DOC)
@lookup
@requires(*READERS)
@blp.arguments(HistoryLookupIn)
@blp.response(200, HistoryAsOfOut)
def history_lookup(body: dict[str, Any]) -> Any:
    """The ordered history of a NIK (the person, its enrolments, incidents and claims) as
    recorded up to a position or a day (default: now), each event with its inclusion proof.

    The NIK in the body, never in a URL. A read: records nothing, needs no Idempotency-Key (one
    sent is ignored). The events and records are as recorded, NIKs whole: an auditor checks
    each event's inclusion proof against it."""
    return _history({**body, "nik": parse_nik(body["nik"].strip()).value})


def _history(query: dict[str, Any]) -> Any:
    [chosen] = [k for k in HISTORY_KINDS if query.get(k)]  # the schema allows exactly one
    if chosen == "nik":
        subjects.note(nik=query["nik"])
    elif chosen in ("claim", "member"):
        subjects.note(**{"claim" if chosen == "claim" else "enrolment": query[chosen]})
    fresh({})
    as_of = AsOf(ledger())
    cut_off = history_cut_off(as_of, query.get("position"), query.get("as_of"))
    first = as_of.first_recorded_on()
    day = query.get("as_of")
    if day is not None:
        known = (as_of.nothing_known_on(day) if cut_off == 0 else
                 f"as the ledger knew it on {day.isoformat()}: everything recorded by the end "
                 f"of that day (WIB), up to position {cut_off}")
    else:
        known = f"as recorded up to position {cut_off}"
    time_used = "recorded"
    covered_on = query.get("covered_on")
    ids = history_ids(ledger(), chosen, query[chosen])
    notifications = events_of(ledger(), {str(i) for i in ids}, up_to=cut_off)
    if covered_on is not None:
        notifications = [n for n in notifications
                         if effective_on(event_json(ledger(), n)) <= covered_on]
        time_used = "effective"
        known = (f"as covered on {covered_on.isoformat()}: what had taken effect by that day, "
                 "as the ledger knows it now")
    proofs = Journal(ledger(), read_connection(), projector().live).prove_many(
        [n.id for n in notifications])
    return jsonify({"cut_off": cut_off, "time": time_used, "known": known,
                    "first_recorded_on": first.isoformat() if first else None,
                    "events": [{**event_json(ledger(), n), "inclusion": proofs[n.id]}
                               for n in notifications],
                    "state": _state_at(as_of, ids, cut_off)})


def _state_at(as_of: AsOf, ids: list[UUID], cut_off: int) -> list[dict[str, Any]]:
    """The records asked about, replayed up to the cut-off (as the ledger knew them then)."""
    from api.resources import claims, members, programmes
    from ledger.claim import Claim
    from ledger.enrolment import Enrolment
    from ledger.programme import Programme

    found: list[dict[str, Any]] = []
    for aggregate_id in ids:
        record = as_of.get(aggregate_id, cut_off)
        subjects.note_aggregate(record)
        if isinstance(record, Claim):
            found.append(json_safe({**claims.view(record), "version": record.version}))
        elif isinstance(record, Enrolment):
            found.append(json_safe({**members.view(record), "version": record.version}))
        elif isinstance(record, Programme):
            found.append(json_safe({**programmes.view(record), "version": record.version}))
    return found


def history_cut_off(as_of: AsOf, position: int | None, day: date | None) -> int:
    head = log_head(ledger())
    if position is not None:
        return min(position, head)
    if day is not None:
        return as_of.position_by_end_of(day)
    return head

