"""API tokens, issued and revoked as events; only a token's SHA-256 is ever stored.

A token speaks for one person or system with one role until it expires or is revoked. Every
token has an expiry: the issuer's choice, 90 days by default. Tokens issued before expiries were
recorded (their ``Issued`` event has no ``expires_at``) get that same default: they expire 90
days after they were issued. Revocation is an event too, with its reason and who revoked.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.errors import (
    InvalidInputError,
    TokenAlreadyRevokedError,
    TokenExpiredError,
    TokenRevokedError,
)
from ledger.names import require_visible

TOKEN_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:api-token")
TOKEN_PREFIX = "clt_"

#: The audit board's machine reader (BPK e-Audit): its tokens read the audit feed and nothing
#: else, and write nothing.
FEED_ROLE = "audit-feed"

#: What each role may do; every role but ``audit-feed`` may read the whole API.
ROLES = ("clerk", "approver", "finance", "auditor", "admin", FEED_ROLE)

#: A token's life when its issuer does not choose one (and that of tokens issued before expiries
#: were recorded, counted from their issue).
DEFAULT_EXPIRY_DAYS = 90
#: The longest life a token may be given: a forgotten token should not outlive two budget years.
MAX_EXPIRY_DAYS = 730

#: The ledger's clerks and auditors read days and times in WIB (UTC+7, no daylight saving).
WIB = timezone(timedelta(hours=7), "WIB")

TokenStatus = Literal["active", "expired", "revoked"]


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a token's secret: all the ledger keeps of it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_id(hashed: str) -> UUID:
    """A token's aggregate id follows from its hash, so a presented token is found directly."""
    return uuid5(TOKEN_NAMESPACE, hashed)


def validate_grant(name: str, role: str) -> None:
    """Refuse a token for an unknown role or without a usable name."""
    if role not in ROLES:
        raise InvalidInputError(
            f"role must be one of {', '.join(ROLES)}; got '{role}'", field="role"
        )
    if not name.strip() or len(name) > 100:
        raise InvalidInputError(
            "name the person or system the token is for (1-100 characters)", field="name"
        )
    require_visible(name, "the token's name", "name")


def wib(moment: datetime) -> str:
    """A moment as clerks read it: ``2026-03-02 14:05 WIB``."""
    return f"{moment.astimezone(WIB):%Y-%m-%d %H:%M} WIB"


def expiry_after_days(days: int, now: datetime) -> datetime:
    """The moment ``days`` days from ``now``; 1 to :data:`MAX_EXPIRY_DAYS` days."""
    if isinstance(days, bool) or not 1 <= days <= MAX_EXPIRY_DAYS:
        raise InvalidInputError(
            f"a token lives 1 to {MAX_EXPIRY_DAYS} days; got {days}", field="expires")
    return now + timedelta(days=days)


def expiry_on(day: date, now: datetime) -> datetime:
    """A token that is valid through ``day`` (WIB) expires at the midnight after it."""
    moment = datetime.combine(day + timedelta(days=1), time(0), tzinfo=WIB).astimezone(UTC)
    if moment <= now:
        raise InvalidInputError(
            f"the expiry date {day.isoformat()} has passed; give a date from today on",
            field="expires")
    if moment > now + timedelta(days=MAX_EXPIRY_DAYS + 1):
        raise InvalidInputError(
            f"a token lives at most {MAX_EXPIRY_DAYS} days; {day.isoformat()} is later",
            field="expires")
    return moment


def requested_expiry(expires_at: datetime | None, now: datetime) -> datetime:
    """The expiry (UTC) of a token issued ``now`` with ``expires_at`` asked for: the default
    life when none is asked; a moment with a time zone, in the future, within the longest."""
    if expires_at is None:
        expires_at = now + timedelta(days=DEFAULT_EXPIRY_DAYS)
    elif expires_at.tzinfo is None:
        raise InvalidInputError("a token's expiry needs a time zone", field="expires")
    elif expires_at <= now:
        raise InvalidInputError(f"a token's expiry must be in the future; "
                                f"{wib(expires_at)} has passed", field="expires")
    elif expires_at > now + timedelta(days=MAX_EXPIRY_DAYS + 1):
        raise InvalidInputError(f"a token lives at most {MAX_EXPIRY_DAYS} days",
                                field="expires")
    return expires_at.astimezone(UTC)


_DAYS = re.compile(r"^\s*(\d{1,6})\s*$")
_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*$")


def parse_expiry(text: str, now: datetime) -> datetime:
    """``--expires``: a number of days (``90``) or the last day the token is valid
    (``2026-06-30``, through the end of that day in WIB)."""
    days = _DAYS.match(text)
    if days:
        return expiry_after_days(int(days.group(1)), now)
    day = _DATE.match(text)
    if day:
        try:
            return expiry_on(date.fromisoformat(day.group(1)), now)
        except ValueError:
            pass  # a date that does not exist, e.g. 2026-02-30: refused below
    raise InvalidInputError(
        f"give the token's life as a number of days (e.g. 90) or the last day it is valid "
        f"(e.g. 2026-06-30); got '{text}'", field="expires")


def validate_reason(reason: str) -> str:
    """A revocation says why (1-500 characters), for whoever reads the token list later."""
    cleaned = reason.strip()
    if not cleaned or len(cleaned) > 500:
        raise InvalidInputError("say why the token is revoked (1-500 characters)",
                                field="reason")
    return cleaned


class ApiToken(LedgerAggregate):
    """Who a token speaks for, with which role, until when; revoked tokens stop working."""

    @staticmethod
    def create_id(hashed: str, **_: Any) -> UUID:
        return token_id(hashed)

    # ``expires_at`` defaults to None so that ``Issued`` events recorded before expiries existed
    # are replayed as they are (the library passes only the attributes an event has).
    @event("Issued")
    def __init__(self, hashed: str, name: str, role: str, actor: str,
                 expires_at: datetime | None = None) -> None:
        self.hashed = hashed
        self.name = name
        self.role = role
        self.issued_by = actor
        self.recorded_expiry = expires_at
        self.revoked = False
        self.revoked_by: str | None = None
        self.revoked_reason: str | None = None

    @event("Revoked")
    def revoke(self, reason: str, actor: str) -> None:
        self.revoked = True
        self.revoked_by = actor
        self.revoked_reason = reason

    def revoke_now(self, reason: str, actor: str) -> None:
        """Revoke this token (once; a second revocation is refused and says when)."""
        if self.revoked:
            raise TokenAlreadyRevokedError(
                f"token '{self.name}' ({self.id}) was already revoked at "
                f"{wib(self.modified_on)} by {self.revoked_by}")
        self.revoke(validate_reason(reason), actor)

    @property
    def issued_at(self) -> datetime:
        """When the token was issued (its first event)."""
        return self.created_on

    @property
    def expires_at(self) -> datetime:
        """When the token stops working; tokens issued without an expiry expire
        :data:`DEFAULT_EXPIRY_DAYS` days after their issue."""
        if self.recorded_expiry is not None:
            return self.recorded_expiry
        return self.created_on + timedelta(days=DEFAULT_EXPIRY_DAYS)

    @property
    def revoked_at(self) -> datetime | None:
        """When it was revoked: revocation is the last event a token can get."""
        return self.modified_on if self.revoked else None

    def status(self, now: datetime) -> TokenStatus:
        """``revoked``, ``expired`` (at or after its expiry) or ``active``."""
        if self.revoked:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        return "active"

    def require_usable(self, now: datetime) -> None:
        """Refuse a revoked or expired token, saying which and since when."""
        if self.revoked:
            raise TokenRevokedError(
                f"this token ('{self.name}') was revoked at {wib(self.modified_on)}; ask an "
                "admin for a new one")
        if now >= self.expires_at:
            raise TokenExpiredError(
                f"this token ('{self.name}') expired at {wib(self.expires_at)}; ask an admin "
                "for a new one")
