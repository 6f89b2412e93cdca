"""Bearer tokens and roles. Each route names the roles it allows; every role may read."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request
from flask_smorest import abort

from api.state import ledger
from ledger.token import ROLES, ApiToken

F = TypeVar("F", bound=Callable[..., Any])
READERS = ROLES
BEARER: dict[str, list[str]] = {"bearerAuth": []}


#: A token found valid is trusted for this many seconds before it is looked up again, so a
#: revocation takes effect within that time; it saves a database read on every request.
TOKEN_TTL_SECONDS = 5.0
_recent: dict[str, tuple[float, ApiToken]] = {}
_recent_lock = threading.Lock()


def _authenticate(secret: str) -> ApiToken | None:
    now = time.monotonic()
    with _recent_lock:
        hit = _recent.get(secret)
    if hit is not None and now - hit[0] < TOKEN_TTL_SECONDS:
        return hit[1]
    token = ledger().authenticate(secret)
    if token is not None:
        with _recent_lock:
            if len(_recent) > 10_000:
                _recent.clear()
            _recent[secret] = (now, token)
    return token


def current_actor() -> str:
    """The name of the token this request speaks for (recorded on every event)."""
    actor: str = g.actor
    return actor


def requires(*roles: str) -> Callable[[F], F]:
    """Refuse the request unless it carries a valid token of one of ``roles``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                abort(401, message="send 'Authorization: Bearer <token>'; make a token with "
                      "'claims-ledger token create'",
                      headers={"WWW-Authenticate": 'Bearer realm="claims-ledger"'})
            token = _authenticate(secret.strip())
            if token is None:
                abort(401, message="this token is unknown or revoked",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            assert token is not None
            if token.role not in roles:
                abort(403, message=f"role '{token.role}' may not do this; allowed: "
                      f"{', '.join(roles)}")
            g.actor = token.name
            g.role = token.role
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate
