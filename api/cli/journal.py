"""The tamper-evident journal's commands (keys, signed checkpoints, proofs) and ``verify``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from api.cli.common import LedgerCommandError, ledger_session, refusal
from documents.formatting import number_id
from ledger.errors import LedgerError
from ledger.limits import MAX_POSITION
from projections.runner import Projector

_refusal = refusal


@click.group()
def journal() -> None:
    """The tamper-evident journal: keys, signed checkpoints, proofs."""


@journal.command("keygen")
def journal_keygen() -> None:
    """Make an Ed25519 signing key; set it as LEDGER_SIGNING_KEY, publish the public key."""
    from ledger.journal.checkpoint import new_private_key, private_key, public_key_text

    secret = new_private_key()
    click.echo(f"LEDGER_SIGNING_KEY={secret}")
    click.echo(f"public key: {public_key_text(private_key(secret))}")


@contextmanager
def _journal_session() -> Iterator[Any]:
    """The journal of the ledger's session, its projections caught up first."""
    from projections.journal import Journal

    with ledger_session() as ledger:
        projector = Projector(ledger)
        try:
            projector.catch_up()
            yield Journal(ledger, projector.connection, projector.live)
        finally:
            projector.close()


@journal.command("checkpoint")
def journal_checkpoint() -> None:
    """Catch the journal up, sign its head with LEDGER_SIGNING_KEY, keep and print it."""
    from storage.settings import signing_key_from_environment

    key = signing_key_from_environment()
    if key is None:
        raise LedgerCommandError("set LEDGER_SIGNING_KEY first ('claims-ledger journal keygen')")
    try:
        with _journal_session() as service:
            click.echo(service.checkpoint(key).to_text(), nl=False)
    except LedgerError as error:
        raise _refusal(error) from None


@journal.command("export")
def journal_export() -> None:
    """Print every kept checkpoint as text, oldest first."""
    try:
        with _journal_session() as service:
            for kept in service.checkpoints():
                click.echo(kept.to_text())
    except LedgerError as error:
        raise _refusal(error) from None


@journal.command("prove")
@click.argument("position", type=click.IntRange(1, MAX_POSITION))
def journal_prove(position: int) -> None:
    """Print the inclusion proof (JSON) of the event at POSITION in the latest checkpoint."""
    try:
        with _journal_session() as service:
            click.echo(json.dumps(service.prove(position), indent=2))
    except LedgerError as error:
        raise _refusal(error) from None


@journal.command("check")
@click.argument("proof_file", type=click.File("r"), required=False)
@click.option("--public-key", help="The trusted public key (ed25519:...).")
@click.option("--policy", "policy_file", type=click.Path(path_type=Path, dir_okay=False,
                                                         exists=True),
              help="A tlog-policy file: with PROOF_FILE (a .tlog-proof) check it offline; "
                   "without, check the database's co-signed checkpoint and journal.")
@click.option("--leaf-hash", help="With --policy and a .tlog-proof: the event's leaf hash (hex).")
def journal_check(proof_file: Any, public_key: str | None, policy_file: Path | None,
                  leaf_hash: str | None) -> None:
    """Check a proof against its checkpoint and a trusted key, with no database at all; or,
    with --policy, whether the witnesses' quorum co-signed what the journal holds."""
    from api.cli.witness import check_tlog_proof_file, verify_with_policy
    from ledger.journal.verify_proof import check_inclusion

    if policy_file is not None:
        if proof_file is None:
            verify_with_policy(policy_file, None)
        else:
            check_tlog_proof_file(Path(proof_file.name), policy_file, leaf_hash)
        return
    if proof_file is None or public_key is None:
        raise LedgerCommandError("give a proof file and --public-key (or --policy FILE)")
    try:
        verdict = check_inclusion(json.load(proof_file), public_key)
    except (ValueError, KeyError, TypeError) as error:
        raise LedgerCommandError(f"this is not a proof made by 'journal prove': {error}") from None
    if not verdict.ok:
        raise LedgerCommandError(f"REFUSED: {verdict.reason}")
    click.echo(f"OK: {verdict.reason}")


@click.command()
@click.option("--checkpoint", "checkpoint_file", type=click.File("r"),
              help="A checkpoint kept outside the ledger (text from 'journal checkpoint').")
@click.option("--public-key", help="Trust only checkpoints signed by this key.")
@click.option("--policy", "policy_file", type=click.Path(path_type=Path, dir_okay=False,
                                                         exists=True),
              help="A tlog-policy file: trust only a checkpoint the witnesses' quorum co-signed "
                   "(kept in the database, or given with --checkpoint).")
def verify(checkpoint_file: Any, public_key: str | None, policy_file: Path | None) -> None:
    """Recompute the journal from the stored rows; exit 1 naming the first position that differs."""
    from api.cli.migrate import check_migration
    from ledger.journal.checkpoint import Checkpoint
    from projections.journal import Journal

    if policy_file is not None:
        from api.cli.witness import verify_with_policy

        verify_with_policy(policy_file, checkpoint_file.read() if checkpoint_file else None)
        return
    try:
        external = Checkpoint.from_text(checkpoint_file.read()) if checkpoint_file else None
        with ledger_session() as ledger:
            migration = check_migration(ledger, public_key)
            projector = Projector(ledger)
            try:
                report = Journal(ledger, projector.connection, projector.live).verify(
                    public_key, external,
                    migrated=migration.new_head if migration is not None else None)
            finally:
                projector.close()
    except LedgerError as error:
        raise _refusal(error) from None
    if not report.ok:
        where = f"position {report.position}: " if report.position is not None else ""
        click.echo(f"MISMATCH at {where}{report.reason}", err=True)
        sys.exit(1)
    click.echo(f"OK: {number_id(report.events)} events, root {report.root.hex()}, "
               f"{report.checkpoints} checkpoint(s) match")
    if migration is not None:
        click.echo(f"OK: {migration.summary}")
