"""Lookups by NIK: the NIK travels in a POST body, never in a URL.

A URL is written down in many places this service does not control: a proxy's access log, a
browser's history, a ``Referer`` header, a monitoring tool's trace. So every question asked by
NIK is a ``POST`` whose JSON body carries it (``POST /members/lookup``, ``/members/history``,
``/coverage/lookup``, ``/history/lookup``). Those POSTs are reads: they record no event, every
role may call them (as the GETs they replace), and they need no ``Idempotency-Key`` (one sent is
ignored: there is nothing to repeat, and an answer naming a person is not kept in the database).

The old forms (``GET /members?nik=``, ``GET /coverage?nik=&on=``, ``GET /history?nik=``,
``GET /members/by-nik/{nik}/history``), and a ``nik`` in any other URL of the API, are answered
``400`` with a sentence naming the POST route to use, after the token is checked and before
anything else is read. The request log never had the query string, and masks any long number
in a path (``api/logs.py``): a second line of defence, not the first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request

from api.auth import READERS, authorise
from api.errors import problem
from api.logs import mask
from ledger.errors import LedgerError

F = TypeVar("F", bound=Callable[..., Any])
API = "/api/v1"

#: The POST route that now answers what each GET answered with a NIK in its URL.
MOVED = {
    f"{API}/members": f"{API}/members/lookup",
    f"{API}/coverage": f"{API}/coverage/lookup",
    f"{API}/history": f"{API}/history/lookup",
}
#: The old ``GET /members/by-nik/{nik}/history``: the NIK was a path segment.
BY_NIK = f"{API}/members/by-nik/"
HISTORY_BY_NIK = f"{API}/members/history"
ROUTES = (MOVED[f"{API}/members"], HISTORY_BY_NIK, MOVED[f"{API}/coverage"],
          MOVED[f"{API}/history"])
RULE = "nik-in-url"

#: The attribute :func:`lookup` leaves on a POST view that only reads.
LOOKUP_ATTRIBUTE = "_ledger_lookup"
#: Said in the OpenAPI document of each lookup (``api/openapi.py`` reads it: no 403, no 409).
LOOKUP_DOC: dict[str, Any] = {"x-lookup": True}


def lookup(view: F) -> F:
    """Mark a POST view as a read by NIK: it records nothing, takes no ``Idempotency-Key``."""
    setattr(view, LOOKUP_ATTRIBUTE, True)
    return view


def is_lookup() -> bool:
    """Whether this request goes to a POST view marked :func:`lookup`."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, LOOKUP_ATTRIBUTE, False))


def refusal(path: str) -> str | None:
    """The sentence answering a NIK in this request's URL, or None when there is none."""
    if path.startswith(BY_NIK):
        return _sentence(HISTORY_BY_NIK)
    if not any("nik" in name.lower() for name in request.args):  # nik, NIK, subject_nik
        return None
    moved = MOVED.get(path.rstrip("/"))
    if moved is not None:
        return _sentence(moved)
    return ("A NIK is never taken in a URL: it would be kept in access logs and browser "
            "histories. The questions asked by NIK are POST routes that take it in their JSON "
            f"body: {', '.join(f'POST {r}' for r in ROUTES)}.")


def _sentence(route: str) -> str:
    return (f"A NIK is never taken in a URL: it would be kept in access logs and browser "
            f"histories. Send it in the JSON body of POST {route} instead, as "
            '{"nik": "<its 16 digits>"} with the other parameters: the answer has the same '
            "shape, and nothing is recorded.")


def _refuse_a_nik_in_the_url() -> Response | None:
    if not request.path.startswith(f"{API}/"):
        return None  # the console posts its NIKs already; /healthz and the docs take none
    sentence = refusal(request.path)
    if sentence is None:
        return None
    if request.endpoint is None:  # a path with no route: the token is checked here
        authorise(READERS)
    return problem(400, sentence, rule=RULE, title="A NIK does not belong in a URL",
                   instance=mask(request.path))


def register(app: Flask) -> None:
    """Refuse a NIK in a URL. Register it after the token check (a request without a valid
    token is told 401 first) and before the ``Idempotency-Key`` hook."""
    app.before_request(_refuse_a_nik_in_the_url)


#: What a lookup by a NIK the keyed index does not hold searches for: no row has it.
NOBODY = "nobody"


def person_of(ledger: Any, nik: str) -> str:
    """The person (data subject) a NIK is, through the ledger's keyed index: the read models
    find a NIK's rows by it, never by the NIK (:data:`NOBODY` when the index holds no such
    NIK: never recorded, or erased)."""
    try:
        subject = ledger.personal.subject_of(nik)
    except LedgerError:
        return NOBODY
    return NOBODY if subject is None else str(subject)
