"""``claims-ledger token create|list|revoke``: API tokens for people and systems.

``create`` prints the secret alone on standard output (scripts capture it) and what it is on
standard error; ``list`` never shows a secret or its hash; ``revoke`` takes effect at once, in
every process serving the API.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click
from rich.table import Table

from api.cli.common import ACTOR, console, ledger_session, refusal
from ledger.errors import LedgerError
from ledger.token import DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS, ROLES, ApiToken, parse_expiry, wib


@click.group()
def token() -> None:
    """API tokens: each speaks for one person or system with one role, until it expires."""


@token.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="clerk, approver, finance, auditor or admin")
@click.option("--name", "who", required=True, help="Who the token is for (recorded as actor).")
@click.option("--expires", default=str(DEFAULT_EXPIRY_DAYS), show_default=True,
              metavar="DAYS|DATE",
              help=f"The token's life: a number of days (1-{MAX_EXPIRY_DAYS}) or the last day "
                   "it is valid (YYYY-MM-DD, through the end of that day in WIB).")
@ACTOR
def token_create(role: str, who: str, expires: str, actor: str) -> None:
    """Make a token; it is printed once and only its hash is stored."""
    try:
        now = datetime.now(UTC)
        expires_at = parse_expiry(expires, now)
        with ledger_session() as ledger:
            secret, made = ledger.issue_token(who, role, actor=actor, expires_at=expires_at,
                                              now=now)
    except LedgerError as error:
        raise refusal(error) from None
    click.echo(secret)
    # Beside the secret, on standard error: TOKEN=$(claims-ledger token create ...) captures
    # the secret alone.
    click.echo(f"token '{made.name}' ({made.role}, id {made.id}) expires at "
               f"{wib(made.expires_at)}; it is shown once, keep it secret", err=True)


def _row(made: ApiToken, now: datetime) -> dict[str, Any]:
    return {"id": str(made.id), "name": made.name, "role": made.role,
            "status": made.status(now), "issued_at": made.issued_at.isoformat(),
            "issued_by": made.issued_by, "expires_at": made.expires_at.isoformat(),
            "revoked_at": made.revoked_at.isoformat() if made.revoked_at else None,
            "revoked_by": made.revoked_by, "revoked_reason": made.revoked_reason}


@token.command("list")
@click.option("--active", "only_active", is_flag=True, help="Only the tokens that still work.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token, one a line.")
def token_list(only_active: bool, as_json: bool) -> None:
    """Every token issued: name, role, issued, expires, revoked (never a secret or its hash)."""
    try:
        with ledger_session() as ledger:
            tokens = ledger.tokens()
    except LedgerError as error:
        raise refusal(error) from None
    now = datetime.now(UTC)
    if only_active:
        tokens = [t for t in tokens if t.status(now) == "active"]
    if as_json:
        for made in tokens:
            click.echo(json.dumps(_row(made, now)))
        return
    table = Table(title=f"API tokens ({len(tokens)})")
    for column in ("id", "name", "role", "issued", "expires", "status"):
        table.add_column(column, no_wrap=column in ("id", "issued", "expires"))
    for made in tokens:
        status: str = made.status(now)
        if made.revoked_at is not None:
            status = (f"revoked {wib(made.revoked_at)} by {made.revoked_by}: "
                      f"{made.revoked_reason}")
        table.add_row(str(made.id)[:8], made.name, made.role,
                      f"{wib(made.issued_at)} by {made.issued_by}", wib(made.expires_at),
                      status)
    console.print(table)


@token.command("revoke")
@click.argument("name_or_id")
@click.option("--reason", required=True, help="Why: kept with the token for whoever reads it.")
@ACTOR
def token_revoke(name_or_id: str, reason: str, actor: str) -> None:
    """Revoke a token (by its name, or its id or the first 8 characters of it) at once: the
    next request that presents it is refused, in every process."""
    try:
        with ledger_session() as ledger:
            revoked = ledger.revoke_token(name_or_id, reason, actor=actor)
    except LedgerError as error:
        raise refusal(error) from None
    assert revoked.revoked_at is not None
    console.print(f"revoked: token '{revoked.name}' ({revoked.role}, id {revoked.id}) at "
                  f"{wib(revoked.revoked_at)}")
