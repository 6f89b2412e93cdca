"""``claims-ledger import ...``, ``generate ...`` and ``reconcile ...``: rosters and money in bulk.

A file that cannot be read at all is refused before anything is recorded (exit 2). Rows the
ledger refuses are written to an error file (the same columns plus the reason in Indonesian and
English) and counted; the good rows are recorded. Re-running a file records nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import (
    ACTOR,
    FORCE,
    LedgerCommandError,
    console,
    ledger_session,
    refusal,
    require_output,
)
from documents.formatting import number_id
from ledger.application import Ledger
from ledger.errors import LedgerError
from storage.settings import IMPORT_PATIENCE_SECONDS


@contextmanager
def _progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    with Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)

        def advance(rows: int) -> None:
            progress.update(task, advance=rows)

        yield advance


def _counts(title: str, rows: list[tuple[str, int | str]]) -> None:
    table = Table(title=title, show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in rows:
        table.add_row(label, number_id(value) if isinstance(value, int) else value)
    console.print(table)


def _errors_path(source: Path, given: Path | None) -> Path:
    if given is not None:
        return given
    return source.with_name(f"{source.stem}.errors{source.suffix.lower()}")


@click.group("import")
def import_group() -> None:
    """Bulk input from spreadsheets: rosters, payment orders, statements."""


@import_group.command("members")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--program", "code", required=True, help="The programme code, e.g. TNG-2025.")
@click.option("--enrolled-on", type=click.DateTime(["%Y-%m-%d"]),
              help="Enrolment date for rows without one (default: today).")
@click.option("--branch", help="BPJS branch for rows without one (default: the programme's "
              "first branch).")
@click.option("--register", default="DTSEN", show_default=True,
              type=click.Choice(["DTKS", "DTSEN"]), help="Welfare register of the roster.")
@click.option("--register-date", type=click.DateTime(["%Y-%m-%d"]),
              help="Date of the register snapshot (default: the enrolment date).")
@click.option("--errors", "errors_file", type=click.Path(path_type=Path),
              help="Where the rejected rows go (default: FILE.errors.csv/.xlsx beside FILE); "
                   "an existing file is not replaced without --force.")
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(1, 10_000),
              help="Rows per all-or-nothing batch.")
@ACTOR
@FORCE
@click.option("--wait-for-database", "patience", default=IMPORT_PATIENCE_SECONDS,
              show_default=True, type=click.FloatRange(0, 3600),
              help="Seconds to wait for the database to come back (a restart) before stopping.")
def import_members(file: Path, code: str, enrolled_on: Any, branch: str | None, register: str,
                   register_date: Any, errors_file: Path | None, batch: int,
                   actor: str, force: bool, patience: float) -> None:
    """Enrol the workers of a roster (CSV or XLSX) in a programme."""
    from intake.importing import (
        ImportOptions,
        error_cells,
        error_headers,
        import_roster,
        read_roster,
    )
    from intake.roster import SheetWriter

    options = ImportOptions(
        enrolled_on=enrolled_on.date() if enrolled_on else date.today(), branch=branch,
        register=register, register_snapshot=register_date.date() if register_date else None)
    target = _errors_path(file, errors_file)
    try:
        sheet = read_roster(file)
        require_output(target, force, reading=file)
        with ledger_session() as ledger:
            writer: SheetWriter | None = None

            def rejected(item: Any) -> None:
                nonlocal writer
                if writer is None:
                    writer = SheetWriter(target, error_headers(sheet))
                writer.write(error_cells(sheet, item))

            try:
                with _progress(f"importing {file.name}", sheet.total) as advance:
                    summary = import_roster(ledger, code, sheet, actor, options, rejected,
                                            advance, batch, patience=patience)
            finally:
                if writer is not None:
                    writer.close()
    except LedgerError as error:
        raise refusal(error) from None
    if writer is None:
        # only reached with --force when it existed: a stale error file would mislead
        target.unlink(missing_ok=True)
    _counts(f"Import of {file.name} into {code.upper()}", [
        ("rows read (baris dibaca)", summary.rows),
        ("enrolled now (terdaftar sekarang)", summary.enrolled),
        ("already enrolled, skipped (sudah terdaftar)", summary.already_enrolled),
        ("rejected (ditolak)", summary.rejected),
        *[(f"  {rule}", count) for rule, count in sorted(summary.by_rule.items())],
        ("batches saved / failed", f"{summary.batches - summary.failed_batches} / "
                                   f"{summary.failed_batches}"),
    ])
    if summary.enrolled == 0 and summary.already_enrolled and not summary.rejected:
        console.print("nothing new: every row of this file is already enrolled")
    if summary.rejected:
        console.print(f"rejected rows with reasons: [bold]{target}[/bold] (fix them there and "
                      "import that file again)")



@click.group("generate")
def generate_group() -> None:
    """Synthetic test data: rosters with planted bad rows, statements with planted gaps."""


@generate_group.command("roster")
@click.option("--members", required=True, type=click.IntRange(1, 5_000_000))
@click.option("--program", "code",
              help="The programme the roster is for: its region, deciles and occupation list "
                   "are read from the ledger (LEDGER_DATABASE_URL).")
@click.option("--region", help="Region code, e.g. 36.71 (Kota Tangerang); needed without "
                               "--program.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="FILE.csv or FILE.xlsx")
@click.option("--bad-share", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of rows spoiled, every kind of error the programme refuses in turn.")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--occupations",
              help="Without --program: the programme's occupation list (comma-separated codes); "
                   "good rows are drawn from it and a civil servant is planted as a bad row. "
                   "Not given: the programme lists no occupations (it takes any), good rows "
                   "are drawn from every informal occupation and no occupation row is planted.")
@click.option("--deciles",
              help="Without --program: the programme's decile range, e.g. 1-4 (the default); "
                   "good rows are drawn inside it, a bad row just above it (none when it ends "
                   "at 10).")
@FORCE
def generate_roster(members: int, code: str | None, region: str | None, output: Path,
                    bad_share: float, seed: int, occupations: str | None, deciles: str | None,
                    force: bool) -> None:
    """Write a realistic synthetic roster for a programme (valid NIKs, districts, occupations,
    deciles), with a share of bad rows of every kind that programme refuses."""
    from intake.roster import sheet_format
    from ledger.occupations import OCCUPATIONS
    from ledger.regions import region as known_region
    from seed.generate import RosterSpec, expected_rejections, write_roster

    if code and (region or occupations or deciles):
        raise click.UsageError("with --program the region, deciles and occupations are the "
                               "programme's: give --program, or --region with --deciles and "
                               "--occupations, not both")
    if not code and not region:
        raise click.UsageError("give --program CODE (the programme the roster is for) or "
                               "--region CODE")
    try:
        sheet_format(output)
        require_output(output, force)
        if code:
            with ledger_session() as ledger:
                programme = ledger.programme(code)
            region = programme.funder_region
            listed = tuple(programme.occupations)
            decile_range = programme.deciles
        else:
            assert region is not None
            listed = tuple(o.strip() for o in occupations.split(",")) if occupations else ()
            try:
                low, _, high = (deciles or "1-4").partition("-")
                decile_range = (int(low), int(high or low))
            except ValueError:
                raise LedgerCommandError("--deciles must look like 1-4") from None
        known_region(region)
        spec = RosterSpec(members=members, region=region, bad_share=bad_share, seed=seed,
                          occupations=listed or tuple(OCCUPATIONS), deciles=decile_range,
                          occupations_listed=bool(listed))
    except LedgerError as error:
        raise refusal(error) from None
    counts = write_roster(output, spec)
    bad = {k: v for k, v in sorted(counts.items()) if k != "good"}
    planted = sum(bad.values())
    target = f"programme {code.upper()}" if code else "a programme with these terms"
    console.print(f"wrote {number_id(members)} rows to {output}: {number_id(counts['good'])} "
                  f"good, {number_id(planted)} bad"
                  + (f" ({', '.join(f'{k} {v}' for k, v in bad.items())})" if bad else ""))
    if planted:
        rules = expected_rejections(counts)
        console.print(f"an import into {target} rejects exactly those {number_id(planted)} "
                      "rows: " + ", ".join(f"{r} {n}" for r, n in sorted(rules.items())))
    if planted and spec.skipped():
        console.print("not planted, as these terms accept them: "
                      + ", ".join(_why_skipped(kind) for kind in spec.skipped()))


def _why_skipped(kind: str) -> str:
    return {"occupation_formal": "a formal occupation (the programme lists no occupations)",
            "decile_out_of_range": "a decile out of range (the programme covers up to 10)",
            }.get(kind, kind)


def _write_errors(target: Path, headers: list[str], cells: list[list[str]]) -> None:
    from intake.roster import SheetWriter

    if not cells:
        target.unlink(missing_ok=True)
        return
    with SheetWriter(target, headers) as writer:
        for row in cells:
            writer.write(row)


@import_group.command("payments")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--program", "code", help="Programme for rows without a Program column.")
@click.option("--errors", "errors_file", type=click.Path(path_type=Path),
              help="Where refused rows go (default: FILE.errors.csv/.xlsx beside FILE); an "
                   "existing file is not replaced without --force.")
@ACTOR
@FORCE
def import_payments_command(file: Path, code: str | None, errors_file: Path | None,
                            actor: str, force: bool) -> None:
    """Record payment orders (SP2D) as contributions; a re-run skips SP2Ds already recorded."""
    from intake.importing import error_cells, error_headers
    from intake.payments_import import import_payments, read_payments

    target = _errors_path(file, errors_file)
    try:
        sheet = read_payments(file)
        require_output(target, force, reading=file)
        with ledger_session() as ledger, \
                _progress(f"importing {file.name}", sheet.total) as advance:
            summary, rejected = import_payments(ledger, sheet, actor, code, advance)
    except LedgerError as error:
        raise refusal(error) from None
    _write_errors(target, error_headers(sheet), [error_cells(sheet, r) for r in rejected])
    _counts(f"Payment orders in {file.name}", [
        ("rows read (baris dibaca)", summary.rows),
        ("recorded now (dicatat)", summary.recorded),
        ("already recorded, skipped (sudah tercatat)", summary.already_recorded),
        ("refused (ditolak)", summary.rejected),
        *[(f"  {rule}", count) for rule, count in sorted(summary.by_rule.items())],
        ("amount recorded (Rp)", summary.amount),
    ])
    for item in rejected:
        console.print(f"row {item.row}: {item.reason_en} [{item.rule}]")
    if rejected:
        console.print(f"refused rows with reasons: [bold]{target}[/bold]")


def _reconciliation_reader(ledger: Ledger) -> Any:
    """The projections caught up (they hold the recorded money), and their reader."""
    from projections.reconciliation import ReconciliationReader
    from projections.runner import Projector

    projector = Projector(ledger)
    projector.catch_up()
    return projector, ReconciliationReader(projector.connection, projector.live)


def _month_option(month: str | None) -> str | None:
    if month is None:
        return None
    from ledger.calendar import parse_month

    return parse_month(month)


@import_group.command("statement")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--source", required=True, type=click.Choice(["bpjs", "bank"]),
              help="A BPJS billing statement or the city's bank statement.")
@click.option("--program", "code", help="Only this programme's payments.")
@click.option("--month", help="Only payments dated in this month (YYYY-MM).")
@ACTOR
def import_statement(file: Path, source: str, code: str | None, month: str | None,
                     actor: str) -> None:
    """Reconcile a statement with the recorded contributions and payouts; record the result."""
    from api.statements import reconcile_statement
    from intake.statement import read_statement

    try:
        scope_month = _month_option(month)
        read_statement(file)  # a file that cannot be read is refused before the ledger opens
        with ledger_session() as ledger:
            projector, reader = _reconciliation_reader(ledger)
            try:
                run, new = reconcile_statement(
                    ledger, reader, file, source=source, program=code, month=scope_month,
                    statement_name=file.name, run_on=date.today(), actor=actor)
            finally:
                projector.close()
    except LedgerError as error:
        raise refusal(error) from None
    if not new:
        console.print(f"this statement was already reconciled in the same scope: run {run.id}; "
                      "nothing new recorded")
    kinds: dict[str, int] = {}
    for item in run.discrepancies.values():
        kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
    console.print(f"reconciliation run: {run.id}")
    _counts(f"Reconciliation of {file.name} ({source})", [
        ("statement lines", run.lines), ("recorded payments in scope", run.ledger_items),
        ("matched (cocok)", run.matched), ("discrepancies (selisih)", len(run.discrepancies)),
        *[(f"  {kind}", count) for kind, count in sorted(kinds.items())],
    ])


@click.group("reconcile")
def reconcile_group() -> None:
    """Follow up reconciliation runs: resolve their discrepancies."""


@reconcile_group.command("resolve")
@click.argument("run_id")
@click.argument("number", type=click.IntRange(min=1))
@click.option("--reason", required=True, help="Why the discrepancy is settled.")
@ACTOR
def reconcile_resolve(run_id: str, number: int, reason: str, actor: str) -> None:
    """Mark discrepancy NUMBER of run RUN_ID resolved, with the reason."""
    from ledger.reconciliation import resolve

    try:
        with ledger_session() as ledger:
            run = resolve(ledger, run_id, number, reason, actor)
    except LedgerError as error:
        raise refusal(error) from None
    still_open = sum(1 for d in run.discrepancies.values() if not d["resolved"])
    console.print(f"discrepancy {number} of run {run.id} resolved; {still_open} still open")


@generate_group.command("statement")
@click.option("--source", required=True, type=click.Choice(["bpjs", "bank"]))
@click.option("--program", "code", help="Only this programme's payments.")
@click.option("--month", help="Only payments dated in this month (YYYY-MM).")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--clean", is_flag=True, help="Plant no discrepancies.")
@FORCE
def generate_statement(source: str, code: str | None, month: str | None, output: Path,
                       seed: int, clean: bool, force: bool) -> None:
    """Write a statement of the recorded payments with one planted discrepancy of each kind."""
    from intake.roster import sheet_format
    from seed.generate import write_statement

    try:
        sheet_format(output)
        require_output(output, force)
        scope_month = _month_option(month)
        with ledger_session() as ledger:
            projector, reader = _reconciliation_reader(ledger)
            try:
                items = reader.ledger_items(source, code, scope_month)
            finally:
                projector.close()
    except LedgerError as error:
        raise refusal(error) from None
    counts = write_statement(output, items, plant=not clean, seed=seed)
    console.print(f"wrote {number_id(counts.pop('lines'))} lines to {output}"
                  + (f" (planted: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})"
                     if counts else ""))


@click.command("reconciliation")
@click.option("--run", "run_id", help="One run (default: every run).")
@click.option("--program", "code", help="Only runs of this programme.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@FORCE
def reconciliation_report(run_id: str | None, code: str | None, output: Path,
                          force: bool) -> None:
    """The reconciliation report (PDF, Bahasa Indonesia): runs and their discrepancies."""
    from api.cli.reports import write_atomically
    from documents.reconciliation import reconciliation_pdf
    from projections.views import ReconciliationRun

    require_output(output, force)
    try:
        with ledger_session() as ledger:
            projector, reader = _reconciliation_reader(ledger)
            try:
                runs = reader.runs(run_id=run_id, program=code)
                if run_id and not runs:
                    raise LedgerCommandError(f"there is no reconciliation run {run_id}")
                write_atomically(output, reconciliation_pdf(
                    [ReconciliationRun.of(run) for run in runs]))
            finally:
                projector.close()
    except LedgerError as error:
        raise refusal(error) from None
    console.print(f"wrote {output} ({len(runs)} run(s))")
