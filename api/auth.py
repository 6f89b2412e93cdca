"""Bearer tokens and roles. Each route names the roles it allows; every role may read."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request
from flask_smorest import abort

from api.state import ledger
from ledger.token import ROLES

F = TypeVar("F", bound=Callable[..., Any])
READERS = ROLES
BEARER: dict[str, list[str]] = {"bearerAuth": []}


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
            token = ledger().authenticate(secret.strip())
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
