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
from seed.demo import (
    DEMO_KEY_NOTE,
    DEMO_SIGNING_KEY,
    DemoBuilder,
    DemoResult,
    clear_demo_folder,
    demo_clock,
    demo_ids,
)
from storage.settings import settings_from_url
from storage.store import init_store

_refusal = refusal


#: The programme whose audit report the demo writes (the seed articles' 100-day programme).
DEMO_AUDITED = "TNG-2025"


@click.command()
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
    # The story's dates and the seed's ids: the same bytes on every run.
    with ledger_session(settings, clock=demo_clock(), ids=demo_ids()) as ledger:
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
    console.print(f"\nTo open it: [bold]export LEDGER_DATABASE_URL=sqlite:///{database}[/bold], "
                  "then 'claims-ledger serve' (or 'history', 'report audit', 'findings').")

def _demo_checkpoint(ledger: Ledger, projector: Projector, out_dir: Path) -> tuple[str, str]:
    """Sign the demo's journal head at the story's last moment: with LEDGER_SIGNING_KEY, or the
    demo key derived from the seed (kept in the demo folder, so that an inspector can check the
    demo's proofs; the checkpoint says it is a demo key); say which."""
    from ledger.journal.checkpoint import private_key, public_key_text
    from projections.journal import Journal
    from storage.settings import signing_key_from_environment

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

