"""``findings drift``: the decided claims whose amount would differ under the rule set in force
today (or on ``--on DATE``), with both figures, both rule set versions and the difference."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

import click
from rich.table import Table

from api.cli.common import console, ledger_session, refusal
from documents.formatting import date_id, number_id
from ledger.benefits import Benefit
from ledger.clock import WIB
from ledger.errors import LedgerError
from ledger.money import rupiah
from projections.findings.drift import DriftReport, drift_report
from projections.queries import Reader
from projections.runner import Projector


@click.command("drift")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Recompute under the rule set in force on this day (YYYY-MM-DD; default: "
                   "today, WIB).")
@click.option("--program", help="Only the claims of this programme.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def findings_drift(on: datetime | None, program: str | None, as_json: bool) -> None:
    """Re-adjudication drift: every decided (approved) claim whose amount would differ under
    the rule set in force today, or on --on, with the amount decided and its rule set version,
    the amount recomputed and that set's version, the difference, and the log position of the
    approval. Nothing is changed: a claim stays decided under the set that decided it. The rule
    sets are the real ones unless LEDGER_RULE_BOOK=with-test-set."""
    day = on.date() if on is not None else datetime.now(WIB).date()
    try:
        with ledger_session() as ledger:
            projector = Projector(ledger)
            try:
                projector.catch_up()
                reader = Reader(projector.connection, projector.live)
                report = drift_report(reader, ledger.rule_book, day, program=program)
                position = projector.position()
            finally:
                projector.close()
    except LedgerError as error:
        raise refusal(error) from None
    if as_json:
        click.echo(json.dumps({
            "position": position, "on": report.on.isoformat(), "rule_version": report.version,
            "regulation": report.regulation, "for_tests": report.for_tests,
            "decided": report.decided, "total": len(report.claims),
            "total_difference": report.total_difference,
            "items": [asdict(found) for found in report.claims],
            "not_recomputed": [asdict(found) for found in report.not_recomputed]},
            indent=2, ensure_ascii=False))
        return
    print_drift(report, position)


def _signed(amount: int) -> str:
    return ("+" if amount > 0 else "") + rupiah(amount)


def _benefit(value: str) -> str:
    try:
        return Benefit(value).value.replace("_", " ")
    except ValueError:
        return value


def print_drift(report: DriftReport, position: int) -> None:
    """The rule set compared with, the claims that drift (both figures) and those that cannot
    be recomputed, then one line of totals."""
    console.print(f"Re-adjudication drift at position {number_id(position)}: decided claims "
                  f"recomputed under the rule set in force on {date_id(report.on)}, "
                  f"'{report.version}' ({report.regulation})", soft_wrap=True)
    if report.for_tests:
        console.print("This rule set is the test set (LEDGER_RULE_BOOK=with-test-set): a "
                      "fixture, not a regulation.", soft_wrap=True)
    if report.claims:
        table = Table(title="Claims whose amount would differ", title_justify="left")
        for column in ("Claim", "Programme", "Benefit", "Decided", "Decided under",
                       "Recomputed", "Difference", "Position"):
            table.add_column(column, justify="right" if column in (
                "Decided", "Recomputed", "Difference", "Position") else "left",
                no_wrap=column not in ("Programme", "Benefit"))
        for found in report.claims:
            table.add_row(found.claim_id, found.programme, _benefit(found.benefit),
                          rupiah(found.decided_amount), found.decided_version,
                          rupiah(found.recomputed_amount), _signed(found.difference),
                          str(found.position))
        console.print(table)
    if report.not_recomputed:
        table = Table(title="Decided claims that cannot be recomputed", title_justify="left")
        for column in ("Claim", "Programme", "Benefit", "Why", "Position"):
            table.add_column(column, no_wrap=column == "Claim")
        for refused in report.not_recomputed:
            table.add_row(refused.claim_id, refused.programme, _benefit(refused.benefit),
                          refused.reason, str(refused.position))
        console.print(table)
    if not report.claims:
        console.print(f"None of the {number_id(report.decided)} decided claims would be paid "
                      f"another amount under '{report.version}'.", soft_wrap=True)
        return
    console.print(f"{number_id(len(report.claims))} of {number_id(report.decided)} decided "
                  f"claims would be paid another amount under '{report.version}': "
                  f"{_signed(report.total_difference)} in all.", soft_wrap=True)
