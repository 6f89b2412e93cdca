"""/tokens: API tokens, issued, listed and revoked by admins. A secret is shown once, at issue;
the list never shows a secret or its hash."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema

from api.auth import BEARER, current_actor, requires
from api.fields import Page, PageQuery, StrictSchema, Written, text
from api.resources.common import page, read, written
from api.state import ledger
from ledger.history import scan
from ledger.token import (
    DEFAULT_EXPIRY_DAYS,
    MAX_EXPIRY_DAYS,
    ROLES,
    ApiToken,
    expiry_after_days,
    expiry_on,
)

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens",
                description="API tokens: issue, list and revoke (admin)")

STATUSES = ("active", "expired", "revoked")


class TokenIn(StrictSchema):
    name = text(100, min_length=1, required=True,
                metadata={"description": "who the token speaks for (recorded as actor)"})
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    expires_in_days = fields.Integer(
        validate=validate.Range(min=1, max=MAX_EXPIRY_DAYS),
        metadata={"description": f"the token's life in days (default {DEFAULT_EXPIRY_DAYS}); "
                                 "not with expires_on"})
    expires_on = fields.Date(metadata={
        "description": "the last day the token is valid, through the end of that day in WIB; "
                       "not with expires_in_days"})

    @validates_schema
    def _one_expiry(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("expires_in_days") is not None and data.get("expires_on") is not None:
            raise ValidationError("give expires_in_days or expires_on, not both",
                                  field_name="expires_on")


class TokenOut(Written):
    id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    issued_at = fields.DateTime(required=True)
    issued_by = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True)
    revoked_by = fields.String(allow_none=True)
    revoked_reason = fields.String(allow_none=True)


class IssuedTokenOut(TokenOut):
    token = fields.String(required=True, metadata={"description": "shown once; keep it secret"})


class TokenPage(Page):
    items = fields.List(fields.Nested(TokenOut), required=True)


class TokenQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))


class TokenRevokeIn(StrictSchema):
    reason = text(500, min_length=1, required=True,
                  metadata={"description": "why; kept with the token for whoever reads it"})


def view(token: ApiToken, now: datetime | None = None) -> dict[str, Any]:
    """What an admin may see of a token: never its secret, nor its hash."""
    return {
        "id": str(token.id), "name": token.name, "role": token.role,
        "status": token.status(now or datetime.now(UTC)),
        "issued_at": token.issued_at, "issued_by": token.issued_by,
        "expires_at": token.expires_at, "revoked_at": token.revoked_at,
        "revoked_by": token.revoked_by, "revoked_reason": token.revoked_reason,
        "version": token.version,
    }


@blp.route("")
class Tokens(MethodView):
    @blp.doc(security=[BEARER])
    @requires("admin")
    @blp.arguments(TokenQuery, location="query")
    @blp.response(200, TokenPage)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Every token issued, in the order issued, with its status (admin)."""
        now = datetime.now(UTC)
        wanted = query.get("status")
        found, after = scan(ledger(), ApiToken.Issued,  # type: ignore[attr-defined]
                            query["after"], query["limit"], lambda _: True,
                            ledger().token, lambda t: wanted in (None, t.status(now)))
        return page([view(t, now) for t in found], after)

    @blp.doc(security=[BEARER])
    @requires("admin")
    @blp.arguments(TokenIn)
    @blp.response(201, IssuedTokenOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Issue an API token for a person or system with one role (admin). It expires after
        `expires_in_days` days or at the end of `expires_on`, by default after 90 days."""
        now = datetime.now(UTC)
        expires_at = None
        if body.get("expires_on") is not None:
            expires_at = expiry_on(body["expires_on"], now)
        elif body.get("expires_in_days") is not None:
            expires_at = expiry_after_days(body["expires_in_days"], now)
        secret, token = ledger().issue_token(body["name"], body["role"], actor=current_actor(),
                                             expires_at=expires_at, now=now)
        return written(token, {**view(token, now), "token": secret}, 201,
                       location=f"/api/v1/tokens/{token.id}")


@blp.route("/<uuid:token_id>")
class OneToken(MethodView):
    @blp.doc(security=[BEARER])
    @requires("admin")
    @blp.response(200, TokenOut)
    def get(self, token_id: UUID) -> Any:
        """One token, by its id (admin)."""
        token = ledger().token(token_id)
        return read(token, view(token))


@blp.route("/<uuid:token_id>/revoke", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("admin")
@blp.arguments(TokenRevokeIn)
@blp.response(200, TokenOut)
def revoke(body: dict[str, Any], token_id: UUID) -> Any:
    """Revoke a token at once: its next request, to any worker, is refused (admin)."""
    token = ledger().revoke_token(token_id, body["reason"], actor=current_actor())
    return written(token, view(token))
