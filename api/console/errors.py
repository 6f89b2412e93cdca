"""The console's error pages: a title and one sentence in the page's language, never a trace.

Errors on console pages are pages; the JSON API's stay problem details (``api/errors.py``). A
URL that matches no route belongs to no blueprint, so its 404 is decided by its path.
"""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers import Response

from api.console.access import PageError, require_visitor
from api.console.blueprint import bp
from api.console.render import render_page, words_now
from api.console.sessions import ConsoleTablesMissingError, outside_console
from api.console.views import secure_headers
from api.errors import handle_http_exception, is_store_trouble
from api.state import read_again_on_primary
from ledger.errors import StoreError
from storage.settings import RETRY_AFTER_SECONDS

log = logging.getLogger("claims_ledger.console")


def error_page(status: int, sentence: str) -> Response:
    """The error page: its status, a title and the sentence (``#error-message``, which htmx
    puts in the alert region when a partial request fails)."""
    t = words_now()["t"]
    title = t.get(f"error_{status}", t["error"])
    body, code = render_page("console/error.html", status, partial=False, title=title,
                             sentence=sentence)
    return secure_headers(Response(body, status=code, mimetype="text/html"))


@bp.errorhandler(CSRFError)
def _csrf_refused(_: CSRFError) -> Response:
    return error_page(400, words_now()["t"]["csrf"])


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, PageError):
        return error_page(status, error.sentence)
    t = words_now()["t"]
    sentence = {404: t["not_found"], 403: t["error_403"]}.get(
        status, t.get(f"error_{status}", t["error_400"]))
    return error_page(status, str(sentence))


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _http_error(error)
    again = read_again_on_primary(error)  # the replica failed this page part-way
    if again is not None:
        return again
    t = words_now()["t"]
    if isinstance(error, ConsoleTablesMissingError):
        return error_page(503, t["not_initialised"])
    if isinstance(error, StoreError) or is_store_trouble(error):
        log.warning("database not available on %s %s: %s", request.method, request.path,
                    type(error).__name__)
        response = error_page(503, t["unavailable"])
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    log.exception("unexpected error on console page %s %s", request.method, request.path)
    return error_page(500, t["unexpected"])


def _not_found(error: NotFound) -> Response:
    if outside_console(request.path):
        return handle_http_exception(error)
    with contextlib.suppress(Exception):
        # No console hook ran (no route matched): show the navigation to someone signed in.
        require_visitor()
    return error_page(404, words_now()["t"]["not_found"])


def register_not_found(app: Flask) -> None:
    """A URL no route matches: the console's 404 page, or the API's problem outside it."""
    app.register_error_handler(NotFound, _not_found)
