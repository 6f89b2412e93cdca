"""RFC 9457 problem details for every error, and the one table from ledger errors to HTTP.

A client never sees a stack trace: ledger refusals keep their plain-words message and rule name,
validation errors list the fields, anything unexpected is a bare 500 (and is logged). A database
that cannot be reached, or whose connection broke and stayed broken through the retries, is
``503`` with ``Retry-After``, never 500.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from api.state import read_again_on_primary
from ledger.erasure import AlreadyErasedError, ErasureRefusedError
from ledger.errors import (
    AlreadyCoveredError,
    AlreadyReversedError,
    ClaimStateError,
    ConflictError,
    CoverageEndedError,
    DuplicateDeathBenefitError,
    DuplicatePaymentOrderError,
    InvalidInputError,
    LedgerError,
    NotFoundError,
    ProgrammeExistsError,
    RuleViolationError,
    StaleVersionError,
    StoreError,
    StoreUnavailableError,
    TokenAlreadyRevokedError,
    TokenRefusedError,
)
from projections.standby import StandbyBehindError
from storage.outage import DatabaseUnreachableError, JobInterruptedError
from storage.settings import DATABASE_WAIT_SECONDS, RETRY_AFTER_SECONDS

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("claims_ledger.api")

#: Ledger error -> HTTP status, most specific first. The whole mapping lives here.
STATUS_OF: tuple[tuple[type[LedgerError], int], ...] = (
    (TokenRefusedError, 401),
    (ErasureRefusedError, 409),
    (AlreadyErasedError, 409),
    (TokenAlreadyRevokedError, 409),
    (StaleVersionError, 412),
    (ConflictError, 409),
    (NotFoundError, 404),
    (InvalidInputError, 422),
    (AlreadyCoveredError, 409),
    (ProgrammeExistsError, 409),
    (DuplicatePaymentOrderError, 409),
    (DuplicateDeathBenefitError, 409),
    (ClaimStateError, 409),
    (AlreadyReversedError, 409),
    (CoverageEndedError, 409),
    (RuleViolationError, 422),
    (StoreError, 503),
)

TITLES = {
    400: "The request could not be read",
    401: "A valid API token is needed",
    403: "Your role may not do this",
    404: "Not found",
    405: "This method is not allowed here",
    409: "This conflicts with what the ledger holds",
    412: "The record changed since you read it",
    415: "The body must be JSON",
    422: "The request breaks a rule",
    428: "This change needs If-Match",
    500: "Something went wrong in the ledger",
    503: "The ledger's database is not available",
}


def status_of(error: LedgerError) -> int:
    for kind, status in STATUS_OF:
        if isinstance(error, kind):
            return status
    return 422


def problem(status: int, detail: str, *, rule: str | None = None,
            errors: dict[str, list[str]] | None = None,
            headers: dict[str, str] | None = None, title: str | None = None,
            instance: str | None = None) -> Response:
    """A problem-details response (``title``: when the status's usual title would mislead;
    ``instance``: when the request's path should not be repeated as it came)."""
    body: dict[str, Any] = {
        "type": f"urn:claims-ledger:problem:{rule}" if rule else "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path if instance is None else instance,
    }
    if rule:
        body["rule"] = rule
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs' nested {location: {field: [msg]}} as {"field.sub": [msg]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if key not in ("json", "query", "headers", "view_args") or prefix \
                else ""
            path = ".".join(p for p in (prefix, name) if p)
            flat.update(_flatten(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "body"] = list(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "body"] = [str(messages)]
    return flat


def handle_ledger_error(error: LedgerError) -> Response:
    if isinstance(error, StoreUnavailableError):
        return store_unavailable(error)
    status = status_of(error)
    errors = {error.field: [error.message]} if status == 422 and error.field else None
    response = problem(status, error.message, rule=error.rule, errors=errors)
    if isinstance(error, ErasureRefusedError):  # every reason the data is still needed
        body = json.loads(response.get_data())
        body["reasons"] = [{"rule": reason.rule, "detail": reason.message}
                           for reason in error.reasons]
        response.set_data(json.dumps(body))
    return response


def is_store_trouble(error: Exception) -> bool:
    """A connection error the library's retries did not get past: the library's own
    (``OperationalError``, ``InterfaceError``) or psycopg's, raised on a connection of the
    projections (the pool's ``PoolTimeout`` among them)."""
    import psycopg  # here: the embedded SQLite mode needs no PostgreSQL driver
    from eventsourcing.persistence import InterfaceError, OperationalError

    return isinstance(error, OperationalError | InterfaceError | psycopg.OperationalError
                      | psycopg.InterfaceError)


def store_unavailable(error: Exception) -> Response:
    """``503`` with ``Retry-After``: the database is not reachable now; the client may retry.
    The driver's words are logged, not shown (they name hosts and ports); a long job that
    stopped (a roster upload) says what it recorded."""
    log.warning("database not available on %s %s: %s: %s", request.method, request.path,
                type(error).__name__, str(error).strip().splitlines()[0] if str(error) else "")
    if isinstance(error, JobInterruptedError | StandbyBehindError):
        detail, rule = error.message, error.rule  # in the ledger's words, no host named
    else:
        why = (f"no answer within {DATABASE_WAIT_SECONDS} s"
               if isinstance(error, DatabaseUnreachableError) else "the connection was lost")
        detail = (f"the ledger's database is not reachable right now ({why}); try again in "
                  f"{RETRY_AFTER_SECONDS} seconds")
        rule = StoreUnavailableError.rule
    return problem(503, detail, rule=rule, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if status == 422 and messages:
        errors = _flatten(messages)
        detail = "; ".join(f"{field}: {' '.join(text)}" for field, text in errors.items())
        return problem(422, detail, rule="invalid-input", errors=errors)
    if status == 400 and messages:
        return problem(400, "the body is not valid JSON", rule="malformed-json")
    detail = data.get("message") or error.description or TITLES.get(status, "error")
    headers = dict(data.get("headers") or {})
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        # RFC 9110: a 405 says which methods the resource does allow.
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return problem(status, str(detail), headers=headers, rule=data.get("rule"),
                   title=data.get("title"))


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    again = read_again_on_primary(error)  # the replica failed this read part-way
    if again is not None:
        return again
    if is_store_trouble(error):
        return store_unavailable(error)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return problem(500, "an unexpected error occurred; nothing of this request was recorded")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(LedgerError, handle_ledger_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
