"""The command line, ``claims-ledger``: the product's face for operators and the demo.

One module per command group (``api/cli/*.py``), registered here. Every refusal of the
ledger is shown as its plain-words message and the command exits 2, having recorded
nothing; a traceback is never what a clerk sees.
"""

from __future__ import annotations

import click

from api.cli.audit import findings_command, history
from api.cli.audit_feed import audit_feed
from api.cli.common import console, refusal
from api.cli.demo import demo
from api.cli.drift import findings_drift
from api.cli.erase import erase_command
from api.cli.imports import generate_group, import_group, reconcile_group, reconciliation_report
from api.cli.journal import journal, verify
from api.cli.migrate import migrate_command
from api.cli.pdp import pdp
from api.cli.programme import programme_group
from api.cli.project import project
from api.cli.reports import report
from api.cli.service import db_keygen, export_command, restore_command, status_command
from api.cli.tokens import token
from api.cli.witness import (
    journal_cosigned,
    journal_log_key,
    journal_proof,
    journal_witness,
    witness_group,
)
from api.logs import QuietRequestHandler, log_commands
from ledger.errors import LedgerError
from storage.settings import settings_from_environment
from storage.store import init_store

_refusal = refusal


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="claims-ledger")
def cli() -> None:
    """claims-ledger: the event-sourced record of city-funded BPJS Ketenagakerjaan cover.

    The store is LEDGER_DATABASE_URL: unset for ./claims-ledger.sqlite, or
    postgresql://user:pass@host:5432/db for PostgreSQL.
    """


@cli.group()
def db() -> None:
    """The database: create its tables."""


@db.command("init")
def db_init() -> None:
    """Create the ledger's tables and the append-only guard (safe to run again)."""
    try:
        settings = settings_from_environment()
        init_store(settings)
    except LedgerError as error:
        raise _refusal(error) from None
    console.print(f"[green]ready[/green]: {settings.describe()}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """The HTTP API for development (use gunicorn in production, see the README)."""
    from api.app import create_app

    try:
        app = create_app()
    except LedgerError as error:
        raise _refusal(error) from None
    console.print(f"claims-ledger API on http://{host}:{port}/api/v1/docs (development server; "
                  "gunicorn in production)")
    # The server's own access line would print the raw URL (a NIK in a query string, unmasked);
    # the application logs each request itself, masked (api/logs.py).
    app.run(host=host, port=port, threaded=True, request_handler=QuietRequestHandler)


cli.add_command(demo)
cli.add_command(project)
cli.add_command(journal)
cli.add_command(verify)
journal.add_command(journal_log_key)
journal.add_command(journal_witness)
journal.add_command(journal_proof)
journal.add_command(journal_cosigned)
cli.add_command(witness_group)
cli.add_command(audit_feed)
cli.add_command(token)
cli.add_command(history)
cli.add_command(findings_command)
findings_command.add_command(findings_drift)
cli.add_command(report)
cli.add_command(programme_group)
cli.add_command(pdp)
cli.add_command(erase_command)
cli.add_command(import_group)
cli.add_command(generate_group)
cli.add_command(reconcile_group)
report.add_command(reconciliation_report)
cli.add_command(export_command)
cli.add_command(restore_command)
cli.add_command(migrate_command)
cli.add_command(status_command)
db.add_command(db_keygen)
log_commands(cli)  # last: it wraps every command registered above


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="claims-ledger")
