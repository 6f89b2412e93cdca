"""``claims-ledger migrate``: a store of an earlier release rewritten, once, into this one's
form (:mod:`storage.migration`); and what ``verify`` checks of a store that was migrated."""

from __future__ import annotations

import click

from api.cli.common import LedgerCommandError, LedgerFailureError, console, ledger_session, refusal
from documents.formatting import number_id
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
        settings_from_url,
        signing_key_from_environment,
    )

    signing_key = signing_key_from_environment()
    if signing_key is None:
        raise LedgerCommandError(
            "set LEDGER_SIGNING_KEY first (the journal's key, 'claims-ledger journal keygen'): "
            "it signs the statement linking the old log to the new one. Nothing was changed")
    try:
        old = OldStore(settings_from_url(source_url),
                       old_cipher_key or old_cipher_key_from_environment())
    except ConfigurationError as error:
        said = str(error).replace("LEDGER_DATABASE_URL", "--from").replace(
            "LEDGER_CIPHER_KEY", "--old-cipher-key")
        raise LedgerCommandError(f"{said} [{error.rule}]") from None
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
    if head.root != link.new_root:
        raise LedgerFailureError(f"the projected journal's root {head.root.hex()} is not the "
                                 "migrated log's: run 'claims-ledger verify'")
