"""API tokens, issued and revoked as events; only a token's SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.errors import InvalidInputError
from ledger.names import require_visible

TOKEN_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:api-token")
TOKEN_PREFIX = "clt_"

#: What each role may do; every role may read.
ROLES = ("clerk", "approver", "finance", "auditor", "admin")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_id(hashed: str) -> UUID:
    """A token's aggregate id follows from its hash, so a presented token is found directly."""
    return uuid5(TOKEN_NAMESPACE, hashed)


def validate_grant(name: str, role: str) -> None:
    if role not in ROLES:
        raise InvalidInputError(
            f"role must be one of {', '.join(ROLES)}; got '{role}'", field="role"
        )
    if not name.strip() or len(name) > 100:
        raise InvalidInputError(
            "name the person or system the token is for (1-100 characters)", field="name"
        )
    require_visible(name, "the token's name", "name")


class ApiToken(Aggregate):
    """Who a token speaks for, with which role; revoked tokens stop working."""

    @staticmethod
    def create_id(hashed: str, **_: Any) -> UUID:
        return token_id(hashed)

    @event("Issued")
    def __init__(self, hashed: str, name: str, role: str, actor: str) -> None:
        self.hashed = hashed
        self.name = name
        self.role = role
        self.issued_by = actor
        self.revoked = False

    @event("Revoked")
    def revoke(self, reason: str, actor: str) -> None:
        self.revoked = True
