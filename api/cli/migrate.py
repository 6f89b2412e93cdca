"""``claims-ledger migrate``: a store of an earlier release rewritten, once, into this one's
form (:mod:`storage.migration`); and what ``verify`` checks of a store that was migrated."""

from __future__ import annotations

from dataclasses import dataclass

import click

from api.cli.common import LedgerCommandError, LedgerFailureError, console, ledger_session, refusal
from documents.formatting import number_id
from ledger.application import Ledger
from ledger.errors import ConfigurationError, LedgerError


def _progress(done: int, total: int) -> None:
    click.echo(f"migrated {number_id(done)} of {number_id(total)} events", err=True)


@click.command("migrate")
@click.option("--from", "source_url", required=True, metavar="OLD_DATABASE_URL",
              help="The store of the earlier release (postgresql://... or sqlite:///...); it "
                   "is only read.")
@click.option("--old-cipher-key", metavar="KEY",
              help="The earlier release's LEDGER_CIPHER_KEY, if its store was encrypted "
                   "(or set LEDGER_OLD_CIPHER_KEY).")
def migrate_command(source_url: str, old_cipher_key: str | None) -> None:
    """Rewrite an earlier release's store into the configured store (LEDGER_DATABASE_URL:
    initialised, empty), sealing the personal data: a new log, the old checkpoints kept as
    history, a statement signed with LEDGER_SIGNING_KEY linking the old root to the new one.
    All or nothing; it runs once."""
    from projections.journal import Journal
    from projections.runner import Projector
    from storage.migration import migrate, subjects_of
    from storage.migration_source import OldStore
    from storage.settings import (
        old_cipher_key_from_environment,
        origin_from_environment,
        settings_from_url,
        signing_key_from_environment,
    )

    signing_key = signing_key_from_environment()
    if signing_key is None:
        raise LedgerCommandError(
            "set LEDGER_SIGNING_KEY first (the journal's key, 'claims-ledger journal keygen'): "
            "it signs the statement linking the old log to the new one. Nothing was changed")
    try:
        if not source_url.strip():
            raise ConfigurationError("empty")
        source = settings_from_url(source_url)
    except ConfigurationError:
        raise LedgerCommandError(
            "--from must be the earlier release's database URL, postgresql://user@host:5432/db"
            " or sqlite:///path/to/file.sqlite; nothing was changed") from None
    try:
        old = OldStore(source, old_cipher_key or old_cipher_key_from_environment())
    except LedgerError as error:
        raise refusal(error) from None
    try:
        with ledger_session() as ledger:
            report = migrate(ledger, old, subjects_of(ledger), signing_key, _progress)
            projector = Projector(ledger)
            try:
                projector.rebuild()
                head = Journal(ledger, projector.connection, projector.live).head()
            finally:
                projector.close()
    except LedgerError as error:
        raise refusal(error) from None
    link = report.link
    console.print(
        f"migrated {number_id(link.old_size)} events of {old.describe()} "
        f"({number_id(report.people)} people given new subject ids)\n"
        f"old journal root {link.old_root.hex()} ({number_id(report.history)} checkpoint(s) "
        f"kept as history)\nnew journal root {link.new_root.hex()}\n"
        f"signed: the statement linking the two (key {link.key_fingerprint}) and the new "
        f"log's first checkpoint; 'claims-ledger verify' checks both", highlight=False)
    origin = origin_from_environment()
    if origin in report.witnessed:
        console.print(
            f"[yellow]note[/yellow]: witnesses co-signed the old log as {origin}; they keep "
            "its old tree and will refuse this new log under the same origin. Set LEDGER_ORIGIN"
            " to a new origin for this store and add it to the witnesses (and the policy), "
            "with the statement above.", highlight=False)
    if head.root != link.new_root:
        raise LedgerFailureError(f"the projected journal's root {head.root.hex()} is not the "
                                 "migrated log's: run 'claims-ledger verify'")


@dataclass(frozen=True)
class MigrationCheck:
    """What ``verify`` checked of a store's migration: the new head its signed statement names
    (for the journal to compare with the log), and the sentence to show."""

    new_head: tuple[int, bytes]
    summary: str


def check_migration(ledger: Ledger, trusted_key: str | None) -> MigrationCheck | None:
    """Check the migration statement (signed by the trusted key, or by the key it names; the
    same heads as the record) and the old checkpoints kept as history (each validly signed,
    none past the old head, the one at the old head with its root). None: never migrated.
    Refused (exit 1, as a failed ``verify``) naming what does not hold."""
    from ledger.journal.checkpoint import Checkpoint
    from ledger.journal.migration_link import MigrationLink
    from ledger.journal.tlog import parse_checkpoint
    from storage.migration_tables import checkpoints_before_migration, migration_record

    record = migration_record(ledger)
    if record is None:
        return None
    link = MigrationLink.from_text(record.statement)
    if not link.verifies_with(trusted_key or link.public_key):
        raise LedgerFailureError("MISMATCH: the migration statement is not signed by the "
                                 "trusted key")
    if (link.old_size, link.old_root.hex(), link.new_size, link.new_root.hex()) != (
            record.old_size, record.old_root, record.new_size, record.new_root):
        raise LedgerFailureError("MISMATCH: the migration's record differs from its signed "
                                 "statement")
    history = checkpoints_before_migration(ledger)
    for kept in history:
        if kept.witness:
            body = parse_checkpoint(kept.text).body
            size, root, signed = body.size, body.root_hash.hex(), True
        else:
            old = Checkpoint.from_text(kept.text)
            size, root, signed = old.size, old.root.hex(), old.verifies_with(old.public_key)
        what = f"the old log's checkpoint of {size} events"
        if not signed or (size, root) != (kept.size, kept.root):
            raise LedgerFailureError(f"MISMATCH: {what} kept as history is not as it was "
                                     "signed")
        if size > link.old_size or (size == link.old_size and root != link.old_root.hex()):
            raise LedgerFailureError(f"MISMATCH: {what} kept as history does not lead to the "
                                     "old root the migration statement names")
    return MigrationCheck(
        (link.new_size, link.new_root),
        f"migrated on {record.ran_at} from {record.source}: the old log of "
        f"{number_id(link.old_size)} events, root {link.old_root.hex()}, became this log's "
        f"first {number_id(link.new_size)} events (statement signed by key "
        f"{link.key_fingerprint}); {len(history)} checkpoint(s) of the old log kept as "
        "history")
