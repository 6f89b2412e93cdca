"""Commands for running the ledger as a service: export, restore, status, ``db keygen``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

import click

from api.cli.common import FORCE, console, ledger_session, refusal, require_output
from ledger.errors import LedgerError
from storage.archive import export_log, restore_log
from storage.log_index import settings_of
from storage.settings import CIPHER_KEY_VARIABLE


@click.command("export")
@click.option("-o", "--output", "output", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (JSON Lines: a manifest, then one stored event a line).")
@FORCE
def export_command(output: Path, force: bool) -> None:
    """Write the whole log, exactly as stored, with a manifest (count, journal root)."""
    require_output(output, force)
    try:
        with ledger_session() as ledger:
            manifest = export_log(ledger, output)
    except LedgerError as error:
        raise refusal(error) from None
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
    encrypted = (" (personal fields sealed: a restore needs the same master key, "
                 "LEDGER_CIPHER_KEY or LEDGER_KEY_FILE)") if manifest.encrypted else ""
    console.print(f"exported {manifest.count} events and {manifest.checkpoints} checkpoint(s) "
                  f"to {output}{encrypted}\njournal root {manifest.root}")


@click.command("restore")
@click.argument("source", type=click.File("r", encoding="utf-8"))
def restore_command(source: IO[str]) -> None:
    """Restore an export into an empty, initialised ledger (all or nothing), then project it."""
    from projections.journal import Journal
    from projections.runner import Projector

    try:
        with ledger_session() as ledger:
            manifest = restore_log(ledger, source)
            projector = Projector(ledger)
            try:
                projector.rebuild()
                head = Journal(ledger, projector.connection, projector.live).head()
                position = projector.position()
            finally:
                projector.close()
    except LedgerError as error:
        raise refusal(error) from None
    same = "matches the export" if head.root.hex() == manifest.root else "DIFFERS from the export"
    console.print(f"restored {manifest.count} events and {manifest.checkpoints} checkpoint(s) "
                  f"from {manifest.created_from}\njournal root {head.root.hex()} ({same}); "
                  f"projections at position {position}")
    if head.root.hex() != manifest.root:
        sys.exit(1)


@click.command("status")
@click.option("--quiet", is_flag=True, help="Print nothing; only the exit status (health checks).")
def status_command(quiet: bool) -> None:
    """The log head and each projection's position and lag, the standbys, and the read replica
    (as /readyz: reachable, how far behind, ``degraded`` when its reads go to the primary);
    exit 1 when beyond the readiness bound (LEDGER_READY_MAX_LAG_SECONDS), when a projection
    has stopped at an event it cannot apply, or when the projections were never built (a
    degraded replica alone is not a failure)."""
    from projections.db import Connection
    from projections.lag import ProjectionsMissingError, measure
    from projections.replica import replica_state
    from projections.standby import replication
    from storage.settings import max_lag_from_environment

    try:
        bound = max_lag_from_environment()
        with ledger_session() as ledger:
            connection = Connection(settings_of(ledger))
            try:
                lag = measure(ledger, connection)
                replicas = replication(connection)
                read = replica_state(ledger, connection, lag.position)
            finally:
                connection.close()
    except ProjectionsMissingError as error:
        if not quiet:
            click.echo(json.dumps({"status": "not ready", "reason": str(error)}))
        sys.exit(1)
    except LedgerError as error:
        raise refusal(error) from None
    reason = lag.not_ready(bound)
    if not quiet:
        answer = {"status": "ready" if reason is None else "not ready", **lag.as_json(),
                  "max_lag_seconds": bound}
        if replicas is not None:  # PostgreSQL: the standbys, their lag, what each applied
            answer["replication"] = replicas.as_json()
        if read is not None:  # degraded (down, paused, behind) is said, and is not a failure
            answer["read_replica"] = read.as_json()
            degraded = read.degraded(bound)
            if degraded is not None:
                answer["degraded"] = degraded
        if reason is not None:
            answer["reason"] = reason
        click.echo(json.dumps(answer, indent=2))
    if reason is not None:
        sys.exit(1)


@click.command("keygen")
def db_keygen() -> None:
    """Make a master key (32 random bytes, base64): set it as LEDGER_CIPHER_KEY, or put it in
    the file LEDGER_KEY_FILE names, before 'db init'."""
    from storage.master_key import new_key_text

    click.echo(f"{CIPHER_KEY_VARIABLE}={new_key_text()}")
    click.echo("Keep it safe and apart from the database backups: it wraps every person's data "
               "key, so without it no personal field can be read, and an export restores only "
               "under the same key.", err=True)
