"""Documents: the audit report at a chosen cut-off, a claim's dossier and a ceremony's minutes,
downloaded as the report routes make them (the same functions, so the same bytes at the same
cut-off, with the cut-off and SHA-256 in the answer's headers). A large report takes seconds to
render: the page shows a progress bar from the moment a download is asked for until the answer
arrives (``static/console/documents.js`` watches for the ticket cookie the answer carries)."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask import g, request
from werkzeug.wrappers import Response

from api.console.access import SECTION_BY_KEY, PageError, section_page
from api.console.blueprint import bp
from api.console.reading import (
    checked_filters,
    date_arg,
    page,
    position_arg,
    read_side,
    reading_words,
)
from api.console.render import language
from api.resources.reports import _pdf
from api.state import ledger
from documents.labels import LANGUAGES
from ledger.errors import InvalidInputError, NotFoundError

SECTION = SECTION_BY_KEY["documents"]
#: The cookie a download's answer sets so the page can stop its progress bar (a random ticket
#: the page chose; nothing else).
TICKET_COOKIE = "ledger_download"
_TICKET = re.compile(r"^[a-z0-9]{8,32}$")


@bp.route(SECTION.path)
@section_page(SECTION)
def documents() -> Response:
    """The three documents' forms, their lists from the read side."""
    choices, filters = checked_filters(SECTION)
    # A document is cut for a programme (or a claim, a ceremony of one): the programme and the
    # funder choose which are offered; the cut-off is chosen in the form, not by the period.
    g.honoured = ("programme", "funder")
    with read_side() as view:
        programmes = [p for p in view.programmes()
                      if (not filters.programme or p.programme == filters.programme)
                      and (not filters.funder or p.funder_region == filters.funder)]
        claims = [c for p in programmes for c in view.claims(p.programme)]
        ceremonies = {c.handover_id: c for p in programmes for c in view.ceremonies(p.programme)}
        position = view.position
    return page(SECTION, "console/documents.html", choices, filters, programmes=programmes,
                claims=claims, ceremonies=sorted(ceremonies.values(), key=lambda c: c.held_on),
                position=position)


def _lang() -> str:
    chosen = request.args.get("lang") or language()
    if chosen not in LANGUAGES:
        raise PageError(400, reading_words()["doc_lang"])
    return chosen


def _download(rendered: Any, name: str) -> Response:
    response = _pdf(rendered, name)
    ticket = request.args.get("ticket", "")
    if _TICKET.match(ticket):
        response.set_cookie(TICKET_COOKIE, ticket, max_age=120, path="/",
                            secure=request.is_secure, samesite="Strict")
    return response


@bp.route(f"{SECTION.path}/audit")
@section_page(SECTION)
def audit_download() -> Response:
    """The audit report of a programme at a log position or the end of a day (else: now)."""
    from documents.audit import audit_report

    program = (request.args.get("program") or "").strip()
    if not program:
        raise PageError(400, reading_words()["programme_unknown"])
    with read_side(position_arg(), date_arg("as_of")) as view:
        try:
            rendered = audit_report(view, program, lang=_lang())
        except NotFoundError:
            raise PageError(404, reading_words()["programme_unknown"]) from None
    return _download(rendered, f"laporan-audit-{program}-{rendered.position}.pdf")


@bp.route(f"{SECTION.path}/claims/<uuid:claim_id>")
@section_page(SECTION)
def claim_dossier(claim_id: UUID) -> Response:
    """A claim's dossier: history with inclusion proofs, computation, approval, payouts."""
    from documents.dossier import claim_dossier as dossier

    with read_side() as view:
        try:
            rendered = dossier(view, str(claim_id), _lang())
        except (NotFoundError, InvalidInputError) as missing:
            raise PageError(404, str(missing)) from None
    return _download(rendered, f"berkas-klaim-{claim_id}.pdf")


@bp.route(f"{SECTION.path}/handovers/<uuid:handover_id>")
@section_page(SECTION)
def handover_minutes(handover_id: UUID) -> Response:
    """A ceremony's minutes (Berita Acara Serah Terima)."""
    from documents.minutes import handover_minutes as minutes
    from projections.records import Records

    try:
        rendered = minutes(Records(ledger()), str(handover_id), _lang())
    except NotFoundError as missing:
        raise PageError(404, str(missing)) from None
    return _download(rendered, f"berita-acara-{handover_id}.pdf")


@bp.route(f"{SECTION.path}/<any(claims, handovers):kind>")
@section_page(SECTION)
def chosen_document(kind: str) -> Response:
    """The dossier or minutes chosen in a form's list (``?id=``), at its own address."""
    from flask import redirect, url_for

    try:
        chosen = UUID(request.args.get("id", ""))
    except ValueError:
        raise PageError(400, reading_words()["doc_" + ("claim" if kind == "claims"
                                                       else "handover")]) from None
    extra: dict[str, Any] = {name: request.args[name] for name in ("lang", "ticket")
                             if request.args.get(name)}
    if kind == "claims":
        return redirect(url_for("console.claim_dossier", claim_id=chosen, **extra), code=303)
    return redirect(url_for("console.handover_minutes", handover_id=chosen, **extra), code=303)
