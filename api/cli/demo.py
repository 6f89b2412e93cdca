"""``claims-ledger demo``: the seed scenario built, projected, signed and printed, with the
documents an inspector would ask for."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli.audit import print_findings
from api.cli.common import console, ledger_session, refusal
from api.cli.demo_summary import print_summary
from api.cli.project import catch_up
from documents.formatting import number_id
from ledger.application import Ledger
from ledger.errors import LedgerError
from projections.findings import findings
from projections.queries import Reader
from projections.runner import Projector
from seed.demo import DemoBuilder, DemoResult
from storage.settings import settings_from_url
from storage.store import init_store

_refusal = refusal


#: The programme whose audit report the demo writes (the seed articles' 100-day programme).
DEMO_AUDITED = "TNG-2025"


@click.command()
@click.option("--out", "out_dir", default="claims-ledger-demo", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the demo's embedded database (rebuilt from scratch each run).")
def demo(out_dir: Path) -> None:
    """Build the seed scenario in an embedded SQLite store and print a summary."""
    out_dir.mkdir(parents=True, exist_ok=True)
    database = (out_dir / "claims-ledger.sqlite").resolve()
    for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        stale.unlink(missing_ok=True)  # the demo is rebuilt, never appended to
    settings = settings_from_url(f"sqlite:///{database}")
    started = time.perf_counter()
    init_store(settings)
    with ledger_session(settings) as ledger:
        try:
            result = _build_with_progress(ledger)
            projector = Projector(ledger)
            try:
                catch_up(projector)  # the summary reads the projections, caught up first
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


def _demo_checkpoint(ledger: Ledger, projector: Projector, out_dir: Path) -> tuple[str, str]:
    """Sign the demo's journal head: with LEDGER_SIGNING_KEY, or a key kept in the demo folder
    so that an inspector can check the demo's proofs; say which."""
    from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
    from projections.journal import Journal
    from storage.settings import signing_key_from_environment

    key = signing_key_from_environment()
    origin = "LEDGER_SIGNING_KEY"
    if key is None:
        key_file = out_dir / "demo-signing.key"
        if not key_file.exists():
            key_file.write_text(new_private_key() + "\n")
            key_file.chmod(0o600)
        key = key_file.read_text().strip()
        origin = f"the demo key {key_file}"
    journal = Journal(ledger, projector.connection, projector.live)
    checkpoint = journal.checkpoint(key)
    (out_dir / "checkpoint.txt").write_text(checkpoint.to_text())
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
    from api.cli.reports import write_atomically
    from documents.audit import audit_report
    from documents.dossier import claim_dossier
    from documents.minutes import handover_minutes
    from projections.opening import open_read_side
    from projections.records import Records

    started = time.perf_counter()
    with open_read_side(ledger, signing_key=key) as view:
        documents = [(f"laporan-audit-{DEMO_AUDITED}.pdf",
                      audit_report(view, DEMO_AUDITED).content),
                     (f"berkas-klaim-{result.claim_ids[0][:8]}.pdf",
                      claim_dossier(view, result.claim_ids[0]).content)]
    for handover_id in result.handover_ids:
        minutes = handover_minutes(Records(ledger), handover_id)
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

