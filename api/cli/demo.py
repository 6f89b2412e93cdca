"""``claims-ledger demo``: the seed scenario built, projected, signed and printed, with the
documents an inspector would ask for."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli.audit import print_findings
from api.cli.common import console, ledger_session, refusal
from api.cli.demo_summary import print_summary
from api.cli.project import catch_up
from documents.formatting import datetime_wib, number_id
from ledger.application import Ledger
from ledger.clock import WIB, ScriptedClock
from ledger.errors import LedgerError
from ledger.journal.policy import Policy
from ledger.journal.tlog import Checkpoint
from projections.findings import findings
from projections.queries import Reader
from projections.runner import Projector
from seed.demo import (
    DEMO_KEY_NOTE,
    DEMO_SIGNING_KEY,
    DEMO_WITNESS_NAME,
    DEMO_WITNESS_SEED,
    JAKBAR_2025,
    DemoBuilder,
    DemoResult,
    clear_demo_folder,
    demo_clock,
    demo_ids,
    demo_secrets,
)
from storage.settings import settings_from_url, with_master_key
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
    # The demo's own master key file, beside its database (whatever LEDGER_KEY_FILE says).
    settings = with_master_key(settings_from_url(f"sqlite:///{database}"), None,
                               str(out_dir.resolve() / "claims-ledger.key"))
    started = time.perf_counter()
    init_store(settings)
    # The story's dates and the seed's ids: the same bytes on every run.
    with ledger_session(settings, clock=demo_clock(), ids=demo_ids(),
                        secrets=demo_secrets()) as ledger:
        try:
            result = _build_with_progress(ledger)
            projector = Projector(ledger)
            try:
                catch_up(projector)  # the summary reads the projections, caught up first
                signed, key = _demo_checkpoint(ledger, projector, out_dir)
                cosigned, policy = _demo_witness(ledger, projector, out_dir, key)
                elapsed = time.perf_counter() - started
                reader = Reader(projector.connection, projector.live)
                print_summary(console, reader, result, elapsed, database, projector.position(),
                              _story_day(ledger))
                print_findings(findings(reader), projector.position(), per_rule=3)
                console.print(signed)
                console.print(cosigned)
                _demo_documents(ledger, result, out_dir, key, policy)
            finally:
                projector.close()
        except LedgerError as error:
            raise _refusal(error) from None
    console.print(f"\nTo open it: [bold]export LEDGER_DATABASE_URL=sqlite:///{database}[/bold], "
                  "then 'claims-ledger serve' (or 'history', 'report audit', 'findings').")

def _story_day(ledger: Ledger) -> date:
    """The story's last day (WIB): what is still owed is counted from it."""
    clock = getattr(ledger, "clock", None)
    moment = clock.current if isinstance(clock, ScriptedClock) else datetime.now(UTC)
    return moment.astimezone(WIB).date()


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


def _demo_witness(ledger: Ledger, projector: Projector, out_dir: Path, key: str
                  ) -> tuple[str, Policy]:
    """One witness in-process, on the demo's clock and its seeded key: it co-signs the
    journal's head as a C2SP checkpoint (the story's last moment is its time), the cosignature
    is kept with the log, and a policy (the log's key, this witness, quorum 1) is written
    beside the store, so that 'verify --policy' can be run on the demo."""
    from ledger.journal.note import COSIGNATURE_V1, SignerKey
    from ledger.journal.policy import parse_policy
    from projections.journal import Journal
    from projections.witnessing import Witnessing
    from storage.settings import ConfiguredWitness, origin_from_environment
    from witness.core import Witness, WitnessConfig
    from witness.protocol import Answer, format_add_checkpoint

    origin = origin_from_environment()
    service = Witnessing(Journal(ledger, projector.connection, projector.live), origin)
    log_key = service.log_key(key)
    cosigner = SignerKey(DEMO_WITNESS_NAME, COSIGNATURE_V1, DEMO_WITNESS_SEED)
    last = ledger.last_recorded_time()
    assert last is not None  # the story was just recorded
    moment = int(last.timestamp())
    witness = Witness(WitnessConfig(cosigner, {origin: (log_key,)},
                                    out_dir / "demo-witness-state.json"), lambda: moment)

    def in_process(url: str, checkpoint: Checkpoint, proof_from: Callable[[int], Any],
                   old_size: int) -> Answer:
        proof = proof_from(old_size) if 0 < old_size < checkpoint.body.size else ()
        return witness.handle(format_add_checkpoint(old_size, proof, checkpoint))

    checkpoint = service.checkpoint(key)
    name = "demo"
    [outcome] = service.ask([ConfiguredWitness(name, "in-process",
                                               cosigner.verifier().to_text())],
                            checkpoint, in_process)
    policy_text = (f"# The demo's policy: its log key, its in-process witness, quorum 1\n"
                   f"log {log_key.to_text()}\nwitness {name} {cosigner.verifier().to_text()}\n"
                   f"quorum {name}\n")
    (out_dir / "demo-policy.txt").write_text(policy_text)
    kept = service.cosigned()
    if kept:
        (out_dir / "checkpoint-cosigned.txt").write_text(kept[0])
    said = (f"the demo witness {DEMO_WITNESS_NAME} co-signed the C2SP checkpoint of "
            f"{number_id(checkpoint.body.size)} events on {datetime_wib(_utc(moment))}"
            if outcome.ok else f"the demo witness did not co-sign: {outcome.message}")
    return (f"\n[bold]Witness[/bold]: {said}\npolicy (log key, this witness, quorum 1): "
            f"{out_dir / 'demo-policy.txt'}; co-signed checkpoint: "
            f"{out_dir / 'checkpoint-cosigned.txt'}\nto check: claims-ledger verify --policy "
            f"{out_dir / 'demo-policy.txt'}"), parse_policy(policy_text)


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _demo_documents(ledger: Ledger, result: DemoResult, out_dir: Path, key: str,
                    policy: Policy) -> None:
    """The documents an inspector would ask for: the audit report of the 100-day programme, the
    dossier of its first claim and the minutes of both seed ceremonies."""
    from api.cli.reports import write_atomically
    from documents.audit import audit_report
    from documents.dossier import claim_dossier
    from documents.minutes import handover_minutes
    from projections.opening import open_read_side
    from projections.records import Records

    started = time.perf_counter()
    with open_read_side(ledger, signing_key=key, policy=policy) as view:
        documents = [*((f"laporan-audit-{code}.pdf", audit_report(view, code).content)
                       for code in (DEMO_AUDITED, JAKBAR_2025.code)),
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

