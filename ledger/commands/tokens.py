"""API tokens: issued to one person or system with one role, checked on every request,
revoked at once."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.commands.base import Commands
from ledger.errors import (
    AmbiguousTokenError,
    InvalidInputError,
    TokenNotFoundError,
    TokenUnknownError,
)
from ledger.token import (
    TOKEN_PREFIX,
    ApiToken,
    requested_expiry,
    token_hash,
    token_id,
    validate_grant,
)

#: What a token the ledger never issued is told (also a mistyped or truncated one).
_UNKNOWN_TOKEN = ("this token is not known to the ledger (mistyped, cut short, or from another "
                  "ledger); an admin makes one with 'claims-ledger token create'")


class TokenCommands(Commands):
    """Issuing, finding, authenticating and revoking API tokens."""

    def issue_token(self, name: str, role: str, actor: str,
                    expires_at: datetime | None = None,
                    now: datetime | None = None) -> tuple[str, ApiToken]:
        """A new token (returned once, never stored) for a person or system with one role,
        valid until ``expires_at`` (default: :data:`~ledger.token.DEFAULT_EXPIRY_DAYS` days)."""
        validate_grant(name, role)
        expiry = requested_expiry(expires_at, now or datetime.now(UTC))
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)

        def build() -> tuple[ApiToken, list[Aggregate]]:
            token = ApiToken(hashed=token_hash(secret), name=name.strip(), role=role,
                             actor=actor, expires_at=expiry)
            return token, [token]

        # A new secret's id is new: nothing to retry.
        return secret, self._command(build, retry=False)

    def authenticate(self, secret: str, now: datetime | None = None) -> ApiToken:
        """The token a presented secret belongs to, if it may still be used; else a
        :class:`~ledger.errors.TokenRefusedError` saying whether it is unknown, expired or
        revoked (and since when).

        Nothing is cached here beyond the library's aggregate cache, which reads the token's
        events newer than the cached version on every call (one indexed read, usually of no
        row): a revocation recorded by any process is seen by the next request."""
        if not secret.startswith(TOKEN_PREFIX):
            raise TokenUnknownError(_UNKNOWN_TOKEN)
        try:
            # Read only: the cached instance itself, not the copy made for a command (the
            # copy cost more than the rest of the check; a revocation changes its own copy).
            found: object = self.repository.get(token_id(token_hash(secret)),
                                                deepcopy_from_cache=False)
        except AggregateNotFoundError:
            raise TokenUnknownError(_UNKNOWN_TOKEN) from None
        if not isinstance(found, ApiToken):
            raise TokenUnknownError(_UNKNOWN_TOKEN)
        found.require_usable(now or datetime.now(UTC))
        return found

    def token(self, token_id_value: UUID | str) -> ApiToken:
        """One token by its id (never by its secret)."""
        return self._get(token_id_value, ApiToken, TokenNotFoundError, "API token")

    def tokens(self) -> list[ApiToken]:
        """Every token ever issued, in the order issued (revoked and expired ones too)."""
        topic = get_topic(ApiToken.Issued)  # type: ignore[attr-defined]
        found: list[ApiToken] = []
        position = 0
        while True:
            page = self.recorder.select_notifications(start=position + 1, limit=500,
                                                      topics=[topic])
            if not page:
                return found
            for notification in page:
                position = notification.id
                found.append(self.token(notification.originator_id))

    def find_token(self, name_or_id: str, now: datetime | None = None) -> ApiToken:
        """The token an operator means by a name or an id (or the first 8+ characters of one).

        A name may belong to several tokens (a new one issued before the old is revoked): the
        active one is meant; if several are active, the id must be given."""
        wanted = name_or_id.strip()
        if not wanted:
            raise InvalidInputError("name the token (its name or id)", field="token")
        now = now or datetime.now(UTC)
        every = self.tokens()
        named = [t for t in every if t.name == wanted]
        if not named and len(wanted) >= 8:
            named = [t for t in every if str(t.id).startswith(wanted.lower())]
        if not named:
            raise TokenNotFoundError(f"there is no token named or with id '{wanted}'; "
                                     "'claims-ledger token list' shows them")
        for status in ("active", "expired"):
            candidates = [t for t in named if t.status(now) == status]
            if len(candidates) == 1:
                return candidates[0]
            if candidates:
                ids = ", ".join(str(t.id)[:8] for t in candidates)
                raise AmbiguousTokenError(
                    f"{len(candidates)} {status} tokens are named '{wanted}' ({ids}); "
                    "name the one meant by its id")
        return named[-1]  # all revoked: revoking again says when it was

    def revoke_token(self, name_or_id: str | UUID, reason: str, actor: str) -> ApiToken:
        """Revoke a token at once, with the reason: the next request that presents it, in
        any process, is refused."""
        # Two admins revoking at once: the second is retried and told it was revoked already.
        return self._update(
            lambda: (self.token(name_or_id) if isinstance(name_or_id, UUID)
                     else self.find_token(name_or_id)),
            lambda token: token.revoke_now(reason, actor))
