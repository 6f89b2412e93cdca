"""A worker's record: the full NIK is typed into a form (POST, never in a URL) and kept in the
server-side session, so the record's own address holds no personal number; the page shows the
NIK masked, with the short ids of the worker's enrolments. The timeline lists every event about
the worker with its log position, recorded time, effective date and a link to its inclusion
proof on the journal page.

Time travel has two questions, answered side by side: "as recorded at" (a day or a log
position: only what the ledger had been told by then) and "covered on" (a day in the worker's
life: was a paid month covering it, by the records chosen).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from api import subjects
from api.console.access import SECTION_BY_KEY, PageError, section_page
from api.console.blueprint import bp
from api.console.reading import date_arg, page, reading_words
from api.console.render import day, wib
from api.console.sessions import ConsoleSession
from api.state import ledger
from documents.formatting import number_id
from ledger.asof import AsOf
from ledger.errors import InvalidInputError, NotFoundError
from ledger.history import effective_on
from ledger.identity import parse_nik
from projections.opening import cut_off
from projections.records import LoggedEvent, Records

SECTION = SECTION_BY_KEY["workers"]
#: The session key of the NIK last looked up (in the server's session row, never the cookie).
SESSION_NIK = "worker_nik"


@bp.route(SECTION.path, methods=["GET", "POST"])
@section_page(SECTION)
def workers() -> Response:
    """The search form; posted, the NIK is kept in the session and the record shown."""
    w = reading_words()
    if request.method == "GET":
        return page(SECTION, "console/workers.html")
    typed = (request.form.get("nik") or "").strip()
    member = (request.form.get("member") or "").strip()
    if not typed and not member:
        return page(SECTION, "console/workers.html", status=400, problem=w["worker_missing"])
    if not typed:
        return redirect(url_for("console.worker_member", member=member), code=303)
    try:
        number = parse_nik(typed).value
    except InvalidInputError:
        return page(SECTION, "console/workers.html", status=400, problem=w["worker_bad_nik"])
    if ledger().person(number) is None:
        return page(SECTION, "console/workers.html", status=404, problem=w["worker_unknown"])
    subjects.note(nik=number)  # the request log line names the person found, by id
    cast(ConsoleSession, session)[SESSION_NIK] = number
    return redirect(url_for("console.worker_record"), code=303)


@bp.route(f"{SECTION.path}/record")
@section_page(SECTION)
def worker_record() -> Response:
    """The record of the NIK typed last (kept in the session), with time travel."""
    number = cast(ConsoleSession, session).get(SESSION_NIK)
    if not number:
        return redirect(url_for("console.workers"), code=303)
    person = ledger().person(str(number))
    enrolments = list(person.enrolment_ids) if person is not None else []
    return _record("nik", str(number), str(number), enrolments)


@bp.route(f"{SECTION.path}/member/<string:member>")
@section_page(SECTION)
def worker_member(member: str) -> Response:
    """The record of one enrolment (by its id or short id), as findings link to it."""
    from ledger.history import _enrolment_id

    try:
        enrolment = ledger().enrolment(_enrolment_id(ledger(), member))
    except NotFoundError as missing:
        raise PageError(404, str(missing)) from None
    return _record("member", str(enrolment.id), enrolment.nik, [str(enrolment.id)])


def _record(kind: str, key: str, number: str, enrolments: list[str]) -> Response:
    w = reading_words()
    # Whose record the page shows, by ids, to the request log line (never the NIK).
    subjects.note(nik=number)
    for enrolment in enrolments:
        subjects.note(nik=number, enrolment=enrolment)
    recorded_text = (request.args.get("as_recorded") or "").strip()
    position = _as_recorded(recorded_text)
    covered_day = date_arg("covered_on")
    try:
        events = Records(ledger()).timeline(kind, key, up_to=position)
    except NotFoundError as missing:
        raise PageError(404, str(missing)) from None
    rows = [_row(event) for event in events]
    cut = None
    if position is not None:
        cut = w["recorded_cut"].format(position=number_id(position),
                                       when=wib(Records(ledger()).recorded_at(position)))
    coverage = [_covered(e, covered_day, position) for e in enrolments] if covered_day else []
    return page(SECTION, "console/worker.html", rows=rows, number=number,
                enrolments=[e[:8] for e in enrolments], as_recorded=recorded_text,
                covered_on=covered_day.isoformat() if covered_day else "", cut=cut,
                coverage=coverage)


def _as_recorded(text: str) -> int | None:
    """The log position "as recorded at" names: a position as typed, or the last event
    recorded by the end of a day (WIB); refused in words when outside the log."""
    if not text:
        return None
    try:
        if text.isdigit():
            return cut_off(ledger(), position=int(text))
        return cut_off(ledger(), as_of=date.fromisoformat(text))
    except ValueError:
        raise PageError(400, reading_words()["bad_date"]) from None
    except InvalidInputError as bad:
        raise PageError(400, str(bad)) from None


def _row(event: LoggedEvent) -> dict[str, Any]:
    from datetime import datetime

    return {"position": event.position, "recorded_at": datetime.fromisoformat(event.recorded_at),
            "effective": effective_on({"data": event.data, "recorded_at": event.recorded_at}),
            "type": event.type, "actor": event.actor}


def _covered(enrolment_id: str, on: date, position: int | None) -> str:
    """Whether an enrolment was covered on a day, by the records now or at a position, said."""
    w = reading_words()
    if position is None:
        answer = ledger().coverage_on(enrolment_id, on)
        known = w["known_now"]
    else:
        answer = AsOf(ledger()).coverage_known_at(enrolment_id, on, position)
        known = w["known_at"].format(position=number_id(position))
    sentence = w["covered_yes" if answer.covered else "covered_no"]
    return f"{sentence.format(day=day(on), short=enrolment_id[:8], known=known)} " \
           f"({answer.reason})"
