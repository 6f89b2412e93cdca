"""Bearer tokens and roles. Each route names the roles it allows; every role may read, but
the audit feed's role (``audit-feed``) reads only the feed (:data:`FEED_READERS`).

The token and its role are checked before anything else of the request is looked at: a
``before_request`` hook finds the roles the route's view declares (:func:`requires`) and refuses
the request (401 or 403) before flask-smorest parses and validates its body, and before a kept
``Idempotency-Key`` answer is replayed. So a clerk sending ``{}`` to an admin's route is told
403, not which fields are missing.

A token is looked up on every request, never remembered by this module: the ledger's aggregate
cache asks the store only for the token's events newer than the cached ones (one indexed read,
usually of no row), so a revocation recorded by any process refuses the very next request in
every worker, and an expiry is compared with the clock each time.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, request
from flask_smorest import abort

from api.state import ledger
from ledger.errors import TokenRefusedError
from ledger.token import FEED_ROLE, ROLES, ApiToken

F = TypeVar("F", bound=Callable[..., Any])
#: Who may read the API's routes: every role but the audit feed's, which reads only the feed.
READERS = tuple(role for role in ROLES if role != FEED_ROLE)
#: Who may read the audit feed: its own role, the auditors and the admins (a bundle holds every
#: personal field of a programme's events, so clerks, approvers and finance are refused).
FEED_READERS = ("auditor", "admin", FEED_ROLE)
BEARER: dict[str, list[str]] = {"bearerAuth": []}

#: The attribute :func:`requires` leaves on a view: the roles it allows. flask-smorest's and
#: webargs' decorators copy it outwards (``functools.wraps``), whatever their order.
ROLES_ATTRIBUTE = "_ledger_roles"

#: RFC 6750's description for each kind of refused token.
_BEARER_ERRORS = {
    "token-unknown": "The access token is not known",
    "token-expired": "The access token expired",
    "token-revoked": "The access token was revoked",
}


def current_actor() -> str:
    """The name of the token this request speaks for (recorded on every event)."""
    actor: str = g.actor
    return actor


def current_token() -> ApiToken:
    """The token this request was authenticated with."""
    token: ApiToken = g.token
    return token


def _authenticated() -> ApiToken:
    """This request's token, looked up once per request; 401 if missing or refused."""
    found: ApiToken | None = g.get("token")
    if found is not None:
        return found
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        abort(401, message="send 'Authorization: Bearer <token>'; make a token with "
              "'claims-ledger token create'",
              headers={"WWW-Authenticate": 'Bearer realm="claims-ledger"'})
    try:
        token = ledger().authenticate(secret.strip(), now=datetime.now(UTC))
    except TokenRefusedError as refused:
        description = _BEARER_ERRORS.get(refused.rule, "The access token is not valid")
        abort(401, message=refused.message, rule=refused.rule, headers={
            "WWW-Authenticate": f'Bearer realm="claims-ledger", error="invalid_token", '
                                f'error_description="{description}"'})
    g.token = token
    g.actor = token.name
    g.role = token.role
    return token


def authorise(roles: tuple[str, ...]) -> ApiToken:
    """Refuse the request unless it carries a usable token of one of ``roles``."""
    token = _authenticated()
    if token.role not in roles:
        abort(403, message=f"role '{token.role}' may not do this; allowed: {', '.join(roles)}")
    return token


def requires(*roles: str) -> Callable[[F], F]:
    """Declare the roles allowed to call a view; the request is refused (401/403) otherwise.

    The check runs in the ``before_request`` hook (:func:`register`), ahead of the body's
    validation; the view checks again in case it is ever called without that hook."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            authorise(roles)
            return view(*args, **kwargs)

        setattr(guarded, ROLES_ATTRIBUTE, roles)
        # Said in the OpenAPI document too, where a client's developer reads what to ask for.
        allowed = (f"Every role but {FEED_ROLE} (which reads only the audit feed) may call "
                   "this." if set(roles) == set(READERS)
                   else f"Roles allowed: {', '.join(roles)}.")
        guarded.__doc__ = f"{inspect.cleandoc(view.__doc__ or '')}\n\n{allowed}".lstrip()
        return cast(F, guarded)

    return decorate


def roles_of(view: Callable[..., Any] | None, method: str) -> tuple[str, ...] | None:
    """The roles a view (a function, or a method of a MethodView) allows for ``method``;
    None for views that need no token (health, the OpenAPI document, the docs pages)."""
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        view = handler
    found: tuple[str, ...] | None = getattr(view, ROLES_ATTRIBUTE, None)
    return found


def _check_before_parsing() -> None:
    if request.endpoint is None or request.method == "OPTIONS":
        return  # no route (404/405 follow) or a CORS preflight
    roles = roles_of(current_app.view_functions.get(request.endpoint), request.method)
    if roles:
        authorise(roles)


def register(app: Flask) -> None:
    """Check the token and role of every request before its body is read. Register it before
    the ``Idempotency-Key`` hook, so that a kept answer is only replayed to a valid token."""
    app.before_request(_check_before_parsing)
