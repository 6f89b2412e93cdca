"""``claims-ledger report ...``: the documents (PDF) the ledger writes for auditors and finance.

Each command catches the projections up, renders, and writes the file whole or not at all (a
temporary file renamed into place), then says where it is, its cut-off and its SHA-256 so the
reader can compare it with a regenerated copy.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import click

from api.cli.common import FORCE, console, ledger_session, refusal, require_output
from documents.audit import Report
from documents.labels import LANGUAGES
from ledger.application import Ledger
from ledger.errors import LedgerError
from ledger.limits import MAX_POSITION
from storage.settings import signing_key_from_environment

OUTPUT = click.option("-o", "--output", "output", required=True,
                      type=click.Path(dir_okay=False, path_type=Path),
                      help="The PDF file to write (in a folder that exists; an existing file "
                           "is replaced only with --force).")
LANG = click.option("--lang", default="id", show_default=True, type=click.Choice(LANGUAGES),
                    help="Bahasa Indonesia (id) or English (en).")


@click.group()
def report() -> None:
    """Write a document (PDF) from the ledger: audit report, claim dossier, minutes, ..."""


def write_atomically(path: Path, content: bytes) -> None:
    """The whole file or none of it: written beside, then renamed over ``path`` (whose folder
    must exist: see :func:`~api.cli.common.require_output`)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _render(make: Callable[[Ledger], Report], output: Path, what: str, force: bool) -> None:
    from projections.runner import Projector

    require_output(output, force)  # before the rendering, which may take a while
    try:
        with ledger_session() as ledger:
            projector = Projector(ledger)
            try:
                projector.catch_up()  # a report reads the projections: bring them up to date
            finally:
                projector.close()
            rendered = make(ledger)
    except LedgerError as error:
        raise refusal(error) from None
    write_atomically(output, rendered.content)
    digest = hashlib.sha256(rendered.content).hexdigest()
    console.print(f"[green]wrote[/green] {output}: {what} at log position {rendered.position}, "
                  f"{len(rendered.content):,} bytes, sha256 {digest}")
    for attached in rendered.attachments:
        console.print(f"  attached {attached.name}: sha256 {attached.sha256}")


@report.command("audit")
@click.option("--program", required=True, help="The programme's code, e.g. TNG-2025.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="As the ledger knew it on this day: every event recorded by the end of it "
                   "(WIB; recorded time, not when a payment or cover took effect).")
@click.option("--covered-on", "covered_on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="What had taken effect by this day (contributions paid, claims decided, "
                   "enrolments started by then), as the ledger knows it now (effective time).")
@click.option("--position", type=click.IntRange(1, MAX_POSITION),
              help="Cut off at this log position.")
@click.option("--roster", is_flag=True, help="Print the member roster as an annex.")
@LANG
@OUTPUT
@FORCE
def report_audit(program: str, as_of: datetime | None, covered_on: datetime | None,
                 position: int | None, roster: bool, lang: str, output: Path,
                 force: bool) -> None:
    """The audit report of a programme (default cut-off: everything recorded so far)."""
    from documents.audit import audit_report
    from projections.cosigning import configured_policy
    from projections.opening import open_read_side

    day: date | None = as_of.date() if as_of else None
    effective: date | None = covered_on.date() if covered_on else None

    def make(ledger: Ledger) -> Report:
        with open_read_side(ledger, position, as_of=day, covered_on=effective,
                            signing_key=signing_key_from_environment(),
                            policy=configured_policy()) as view:
            return audit_report(view, program, roster=roster, lang=lang)

    _render(make, output, f"audit report of {program}", force)


@report.command("claim")
@click.argument("claim_id")
@LANG
@OUTPUT
@FORCE
def report_claim(claim_id: str, lang: str, output: Path, force: bool) -> None:
    """The dossier of one claim: history with inclusion proofs, computation, approval, payouts."""
    from documents.dossier import claim_dossier
    from projections.cosigning import configured_policy
    from projections.opening import open_read_side

    def make(ledger: Ledger) -> Report:
        with open_read_side(ledger, signing_key=signing_key_from_environment(),
                            policy=configured_policy()) as view:
            return claim_dossier(view, claim_id, lang)

    _render(make, output, f"dossier of claim {claim_id}", force)


@report.command("handover")
@click.argument("handover_id")
@LANG
@OUTPUT
@FORCE
def report_handover(handover_id: str, lang: str, output: Path, force: bool) -> None:
    """The minutes (Berita Acara Serah Terima) of one handover ceremony."""
    from documents.minutes import handover_minutes
    from projections.records import Records

    _render(lambda ledger: handover_minutes(Records(ledger), handover_id, lang), output,
            f"minutes of ceremony {handover_id}", force)
