"""The command line, ``claims-ledger``: the product's face for operators and the demo.

Every refusal of the ledger is shown as its plain-words message and the command exits 2, having
recorded nothing; a traceback is never what a clerk sees.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli_audit import findings_command, history, print_findings
from api.cli_common import LedgerCommandError, console, open_ledger, refusal
from api.cli_import import generate_group, import_group, reconcile_group, reconciliation_report
from api.cli_programme import programme_group
from api.cli_reports import report
from api.cli_service import db_keygen, export_command, restore_command, status_command
from api.cli_tokens import token
from api.demo_summary import print_summary
from api.logs import QuietRequestHandler, log_commands
from documents.formatting import number_id
from ledger.application import Ledger, unavailable
from ledger.demo import (
    DEMO_KEY_NOTE,
    DEMO_SIGNING_KEY,
    DemoBuilder,
    DemoResult,
    clear_demo_folder,
    demo_ledger,
)
from ledger.errors import LedgerError, ProjectionStoppedError, StoreUnavailableError
from ledger.limits import MAX_POSITION
from ledger.settings import StoreSettings, settings_from_environment, settings_from_url
from ledger.store import init_store
from projections.findings import findings
from projections.queries import Reader
from projections.runner import Projector

_refusal = refusal

#: The programme whose audit report the demo writes (the seed articles' 100-day programme).
DEMO_AUDITED = "TNG-2025"


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


@cli.command()
@click.option("--out", "out_dir", default="claims-ledger-demo", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the demo's store, checkpoint and documents: empty, or holding "
                   "only an earlier demo's files, which are replaced.")
def demo(out_dir: Path) -> None:
    """Build the seed scenario in an embedded SQLite store and print a summary.

    Each step is recorded on its story date (24 March 2025 to March 2026), with ids from a fixed
    seed: every run gives the same log, journal root, checkpoint and documents, byte for byte.
    """
    try:
        clear_demo_folder(out_dir)
    except LedgerError as error:
        raise _refusal(error) from None
    database = (out_dir / "claims-ledger.sqlite").resolve()
    settings = settings_from_url(f"sqlite:///{database}")
    started = time.perf_counter()
    init_store(settings)
    ledger = demo_ledger(settings)  # the story's dates and the seed's ids: the same bytes
    try:
        result = _build_with_progress(ledger)
        projector = Projector(ledger)
        try:
            _catch_up(projector)  # the summary reads the projections, caught up first
            signed, key = _demo_checkpoint(ledger, projector, out_dir)
            elapsed = time.perf_counter() - started
            reader = Reader(projector.connection, projector.live)
            print_summary(console, reader, result, elapsed, database, projector.position())
            print_findings(findings(reader), projector.position(), per_rule=3)
            console.print(signed)
            _demo_documents(ledger, result, out_dir, key)
        finally:
            projector.close()
    except LedgerError as error:
        raise _refusal(error) from None
    finally:
        ledger.close()
    console.print(f"\nTo open it: [bold]export LEDGER_DATABASE_URL=sqlite:///{database}[/bold], "
                  "then 'claims-ledger serve' (or 'history', 'report audit', 'findings').")


def _demo_checkpoint(ledger: Ledger, projector: Projector, out_dir: Path) -> tuple[str, str]:
    """Sign the demo's journal head at the story's last moment: with LEDGER_SIGNING_KEY, or the
    demo key derived from the seed (kept in the demo folder, so that an inspector can check the
    demo's proofs; the checkpoint says it is a demo key); say which."""
    from ledger.journal.checkpoint import private_key, public_key_text
    from ledger.settings import signing_key_from_environment
    from projections.journal import Journal

    key = signing_key_from_environment()
    origin, note = "LEDGER_SIGNING_KEY", ""
    if key is None:
        key_file = out_dir / "demo-signing.key"
        key = DEMO_SIGNING_KEY
        key_file.write_text(key + "\n")
        key_file.chmod(0o600)
        origin = f"the demo key {key_file}, derived from the seed: never a real ledger's"
        note = DEMO_KEY_NOTE
    journal = Journal(ledger, projector.connection, projector.live)
    checkpoint = journal.checkpoint(key, at=ledger.last_recorded_time())
    (out_dir / "checkpoint.txt").write_text(checkpoint.to_text() + note)
    verified = journal.verify(public_key_text(private_key(key)))
    status = "verified" if verified.ok else f"MISMATCH: {verified.reason}"
    return (f"\n[bold]Journal head[/bold]: {number_id(checkpoint.size)} events, root "
            f"{checkpoint.root.hex()}\nsigned {checkpoint.time} by key "
            f"{checkpoint.key_fingerprint} ({origin}); verify: {status}\n"
            f"checkpoint: {out_dir / 'checkpoint.txt'}; public key "
            f"{public_key_text(private_key(key))}"), key


def _demo_documents(ledger: Ledger, result: DemoResult, out_dir: Path, key: str) -> None:
    """The documents an inspector would ask for: the audit report of the 100-day programme, the
    dossier of its first claim and the minutes of both seed ceremonies."""
    from api.cli_reports import write_atomically
    from documents.audit import audit_report
    from documents.dossier import claim_dossier
    from documents.minutes import handover_minutes

    started = time.perf_counter()
    documents = [(f"laporan-audit-{DEMO_AUDITED}.pdf",
                  audit_report(ledger, DEMO_AUDITED, signing_key=key).content),
                 (f"berkas-klaim-{result.claim_ids[0][:8]}.pdf",
                  claim_dossier(ledger, result.claim_ids[0], signing_key=key).content)]
    for handover_id in result.handover_ids:
        minutes = handover_minutes(ledger, handover_id)
        held_on = ledger.handover(handover_id).held_on.isoformat()
        documents.append((f"berita-acara-{held_on}.pdf", minutes.content))
    for name, content in documents:
        write_atomically(out_dir / name, content)
    console.print(f"\n[bold]Documents[/bold] ({time.perf_counter() - started:.1f} s): "
                  + ", ".join(str(out_dir / name) for name, _ in documents))


def _build_with_progress(ledger: Ledger) -> DemoResult:
    with Progress(TextColumn("{task.description:<40}"), BarColumn(),
                  TextColumn("{task.completed:>6}/{task.total}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("building the seed scenario", total=DemoBuilder.total_steps())

        def advance(steps: int, what: str) -> None:
            progress.update(task, advance=steps, description=what)

        return DemoBuilder(ledger, advance).build()


def _catch_up(projector: Projector, rebuild: bool = False) -> int:
    with Progress(TextColumn("{task.description:<40}"), BarColumn(),
                  TextColumn("{task.completed:>9}/{task.total}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("rebuilding projections" if rebuild else "projecting",
                                 total=projector.head(), completed=projector.position())

        def advance(position: int, head: int) -> None:
            progress.update(task, completed=position, total=head)

        return projector.rebuild(advance) if rebuild else projector.catch_up(progress=advance)


@cli.command()
@click.option("--follow", is_flag=True, help="Keep the projections live until stopped.")
@click.option("--rebuild", is_flag=True,
              help="Rebuild from position 0 into fresh tables, swapped in when complete.")
@click.option("--batch", default=2000, show_default=True, type=click.IntRange(1, 100_000),
              help="Events per transaction.")
def project(follow: bool, rebuild: bool, batch: int) -> None:
    """Catch the projections up with the log (and exit, unless --follow).

    With --follow nothing but Ctrl-C or SIGTERM ends it: a database that cannot be reached is
    waited for (with backoff), an event that cannot be applied is reported and tried again.
    """
    stop = threading.Event()
    if follow:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        opened = _open_projector(settings_from_environment(), batch, stop if follow else None)
        if opened is None:
            return  # stopped while waiting for the database
        ledger, projector = opened
        try:
            _project(projector, follow, rebuild, stop)
        finally:
            projector.close()
            ledger.close()
    except LedgerError as error:
        raise _refusal(error) from None


def _open_projector(settings: StoreSettings, batch: int,
                    stop: threading.Event | None) -> tuple[Ledger, Projector] | None:
    """The ledger and its projector, once the database answers: at once, or (following,
    ``stop`` given) after waiting for it with backoff; None if stopped while waiting."""
    import logging

    from ledger.store import require_reachable
    from projections.runner import BACKOFF_CAP_SECONDS, unreachable

    log = logging.getLogger("claims_ledger.projections")
    delay, said = 0.5, ""
    while True:
        ledger: Ledger | None = None
        try:
            try:
                # One direct attempt first: it fails at once when the server is down, where
                # the library's pool waits for it.
                require_reachable(settings)
                ledger = Ledger(settings)
            except Exception as error:
                if not unreachable(error):
                    raise
                raise unavailable(settings, error) from error
            ledger.require_initialised()
            return ledger, Projector(ledger, batch_size=batch)
        except StoreUnavailableError as error:
            if ledger is not None:
                ledger.close()
            if stop is None:
                raise
            reason = str(error).splitlines()[0]
            if reason != said:  # once per reason, not once per try
                said = reason
                log.warning("projector: %s; trying again in %.1f s, then backing off up to "
                            "%.0f s", reason, delay, BACKOFF_CAP_SECONDS)
            stop.wait(delay)
            if stop.is_set():
                return None
            delay = min(delay * 2, BACKOFF_CAP_SECONDS)
        except BaseException:
            if ledger is not None:
                ledger.close()
            raise


def _project(projector: Projector, follow: bool, rebuild: bool, stop: threading.Event) -> None:
    started = time.perf_counter()
    try:
        applied = _catch_up(projector, rebuild=rebuild)
        position = projector.position()
    except (ProjectionStoppedError, StoreUnavailableError) as error:
        if not follow:
            raise
        console.print(f"Error: {error} [{error.rule}]")  # the follower goes on trying
    else:
        took = time.perf_counter() - started
        console.print(f"{'rebuilt' if rebuild else 'applied'} {number_id(applied)} events in "
                      f"{took:.1f} s; projections at position {number_id(position)}")
    if follow:
        console.print("following the log (Ctrl-C or SIGTERM to stop)")
        sys.stdout.flush()  # a service's log shows it now, not when the buffer fills
        try:
            projector.follow(stop)
        except KeyboardInterrupt:
            stop.set()


@cli.group()
def journal() -> None:
    """The tamper-evident journal: keys, signed checkpoints, proofs."""


@journal.command("keygen")
def journal_keygen() -> None:
    """Make an Ed25519 signing key; set it as LEDGER_SIGNING_KEY, publish the public key."""
    from ledger.journal.checkpoint import new_private_key, private_key, public_key_text

    secret = new_private_key()
    click.echo(f"LEDGER_SIGNING_KEY={secret}")
    click.echo(f"public key: {public_key_text(private_key(secret))}")


def _journal_service() -> tuple[Ledger, Projector, Any]:
    from projections.journal import Journal

    ledger = open_ledger()
    projector = Projector(ledger)
    projector.catch_up()
    return ledger, projector, Journal(ledger, projector.connection, projector.live)


@journal.command("checkpoint")
def journal_checkpoint() -> None:
    """Catch the journal up, sign its head with LEDGER_SIGNING_KEY, keep and print it."""
    from ledger.settings import signing_key_from_environment

    key = signing_key_from_environment()
    if key is None:
        raise LedgerCommandError("set LEDGER_SIGNING_KEY first ('claims-ledger journal keygen')")
    try:
        ledger, projector, service = _journal_service()
        try:
            click.echo(service.checkpoint(key).to_text(), nl=False)
        finally:
            projector.close()
            ledger.close()
    except LedgerError as error:
        raise _refusal(error) from None


@journal.command("export")
def journal_export() -> None:
    """Print every kept checkpoint as text, oldest first."""
    try:
        ledger, projector, service = _journal_service()
        try:
            for kept in service.checkpoints():
                click.echo(kept.to_text())
        finally:
            projector.close()
            ledger.close()
    except LedgerError as error:
        raise _refusal(error) from None


@journal.command("prove")
@click.argument("position", type=click.IntRange(1, MAX_POSITION))
def journal_prove(position: int) -> None:
    """Print the inclusion proof (JSON) of the event at POSITION in the latest checkpoint."""
    try:
        ledger, projector, service = _journal_service()
        try:
            click.echo(json.dumps(service.prove(position), indent=2))
        finally:
            projector.close()
            ledger.close()
    except LedgerError as error:
        raise _refusal(error) from None


@journal.command("check")
@click.argument("proof_file", type=click.File("r"))
@click.option("--public-key", required=True, help="The trusted public key (ed25519:...).")
def journal_check(proof_file: Any, public_key: str) -> None:
    """Check a proof against its checkpoint and a trusted key, with no database at all."""
    from ledger.journal.verify_proof import check_inclusion

    try:
        verdict = check_inclusion(json.load(proof_file), public_key)
    except (ValueError, KeyError, TypeError) as error:
        raise LedgerCommandError(f"this is not a proof made by 'journal prove': {error}") from None
    if not verdict.ok:
        raise LedgerCommandError(f"REFUSED: {verdict.reason}")
    click.echo(f"OK: {verdict.reason}")


@cli.command()
@click.option("--checkpoint", "checkpoint_file", type=click.File("r"),
              help="A checkpoint kept outside the ledger (text from 'journal checkpoint').")
@click.option("--public-key", help="Trust only checkpoints signed by this key.")
def verify(checkpoint_file: Any, public_key: str | None) -> None:
    """Recompute the journal from the stored rows; exit 1 naming the first position that differs."""
    from ledger.journal.checkpoint import Checkpoint
    from projections.journal import Journal

    try:
        external = Checkpoint.from_text(checkpoint_file.read()) if checkpoint_file else None
        ledger = open_ledger()
        projector = Projector(ledger)
        try:
            report = Journal(ledger, projector.connection, projector.live).verify(
                public_key, external)
        finally:
            projector.close()
            ledger.close()
    except LedgerError as error:
        raise _refusal(error) from None
    if not report.ok:
        where = f"position {report.position}: " if report.position is not None else ""
        click.echo(f"MISMATCH at {where}{report.reason}", err=True)
        sys.exit(1)
    click.echo(f"OK: {number_id(report.events)} events, root {report.root.hex()}, "
               f"{report.checkpoints} checkpoint(s) match")


cli.add_command(token)
cli.add_command(history)
cli.add_command(findings_command)
cli.add_command(report)
cli.add_command(programme_group)
cli.add_command(import_group)
cli.add_command(generate_group)
cli.add_command(reconcile_group)
report.add_command(reconciliation_report)
cli.add_command(export_command)
cli.add_command(restore_command)
cli.add_command(status_command)
db.add_command(db_keygen)
log_commands(cli)  # last: it wraps every command registered above


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="claims-ledger")
