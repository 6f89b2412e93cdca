"""Commands for auditors: ``history`` (with inclusion proofs) and ``findings``."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import click
from rich.table import Table

from api import masking
from api.cli.common import console, ledger_session, nik_option, refusal
from api.logs import mask
from documents.finding_text import record, statement, titled_summary
from ledger.application import Ledger
from ledger.errors import LedgerError
from ledger.limits import MAX_POSITION
from ledger.reads import log_head
from projections.findings import RULES, SEVERITIES, Finding, findings
from projections.queries import Reader
from projections.runner import Projector


@click.command()
@nik_option("The history of a NIK (person, enrolments, incidents, claims).")
@click.option("--member", "member_id",
              help="The history of a member (an enrolment id, as 'findings --json' gives): "
                   "the enrolment, the person, its incidents and claims, the payment orders "
                   "naming it and the population-register answers about it.")
@click.option("--claim", "claim_id", help="The history of a claim and its incident.")
@click.option("--program", help="The history of a programme (budget, rates, payments booked).")
@click.option("--handover", "handover_id", help="The history of a ceremony and its claims.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="As the ledger knew it on this day: every event recorded by the end of it "
                   "(WIB; recorded time, not when a payment or cover took effect).")
@click.option("--covered-on", "covered_on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="What had taken effect by this day (paid, happened, decided: each event's "
                   "own date), as the ledger knows it now (effective time).")
@click.option("--position", type=click.IntRange(0, MAX_POSITION),
              help="As recorded up to this position.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the events with their full inclusion proofs as JSON.")
def history(nik: str | None, member_id: str | None, claim_id: str | None, program: str | None,
            handover_id: str | None, as_of: datetime | None, covered_on: datetime | None,
            position: int | None, as_json: bool) -> None:
    """Print the events of a NIK, member, claim, programme or ceremony as recorded up to a
    moment (default: now), each with its inclusion proof in the journal."""
    asked = {"nik": nik, "member": member_id, "claim": claim_id, "program": program,
             "handover": handover_id}
    chosen = [(kind, value) for kind, value in asked.items() if value]
    if len(chosen) != 1:
        raise click.UsageError(
            "give exactly one of --nik, --member, --claim, --program or --handover")
    if sum(x is not None for x in (as_of, covered_on, position)) > 1:
        raise click.UsageError("give one of --as-of, --covered-on or --position")
    try:
        with ledger_session() as ledger:
            projector = Projector(ledger)
            try:
                projector.catch_up()
                _print_history(ledger, projector, *chosen[0], as_of, position, as_json,
                               covered_on.date() if covered_on else None)
            finally:
                projector.close()
    except LedgerError as error:
        raise refusal(error) from None


def _print_history(ledger: Ledger, projector: Projector, kind: str, value: str,
                   as_of: datetime | None, position: int | None, as_json: bool,
                   covered_on: date | None = None) -> None:
    from documents.formatting import date_id, datetime_wib, number_id
    from ledger.asof import AsOf
    from ledger.history import effective_on, event_json, events_of, history_ids
    from ledger.journal.merkle import verify_inclusion
    from projections.journal import Journal

    cut_off = log_head(ledger)
    # Which time the cut-off is in, said in the title: recorded time, as the ledger knew it.
    known = f"as recorded up to now (position {number_id(cut_off)})"
    if position is not None:
        cut_off = min(position, cut_off)
        known = f"as recorded up to position {number_id(cut_off)}"
    elif as_of is not None:
        cut_off = AsOf(ledger).known_by_end_of(as_of.date())
        known = (f"as the ledger knew it on {date_id(as_of.date())} (recorded by the end of that "
                 f"day, WIB: up to position {number_id(cut_off)})")
    ids = history_ids(ledger, kind, value)
    notifications = events_of(ledger, {str(i) for i in ids}, up_to=cut_off)
    time_used = "recorded"
    if covered_on is not None:
        # Effective time: every event known now, kept if it took effect by that day.
        notifications = [n for n in notifications
                         if effective_on(event_json(ledger, n)) <= covered_on]
        time_used = "effective"
        known = (f"as covered on {date_id(covered_on)} (what had taken effect by that day, "
                 "as the ledger knows it now)")
    proofs = Journal(ledger, projector.connection, projector.live).prove_many(
        [n.id for n in notifications])
    events = [{**event_json(ledger, n), "inclusion": proofs[n.id]} for n in notifications]
    if as_json:
        click.echo(json.dumps({"cut_off": cut_off, "time": time_used, "known": known,
                               "events": events}, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"History of {_title(kind, value)} {known}", title_justify="left")
    for column in ("Position", "Recorded (WIB)", "Event", "Actor", "Facts", "In journal"):
        table.add_column(column)
    for event in events:
        facts = {k: v for k, v in event["data"].items() if k not in (
            "actor", "nik", "claimant", "computation", "facts", "enrolment_ids", "subject_nik",
            "kk", "name", "items", "matched", "unmatched")}
        if facts.get("kpj"):
            facts["kpj"] = masking.last_four(str(facts["kpj"]))  # the table names no card
        proof = event["inclusion"]
        if proof is None:
            where = "not yet"
        else:
            good = verify_inclusion(proof["leaf_index"], proof["tree_size"],
                                    bytes.fromhex(proof["leaf_hash"]),
                                    [bytes.fromhex(h) for h in proof["proof"]],
                                    bytes.fromhex(proof["root"]))
            signed = "signed checkpoint" if proof["checkpoint"] else "head (unsigned)"
            where = (f"leaf {proof['leaf_index']} of {proof['tree_size']}, {signed}"
                     + ("" if good else " PROOF FAILS"))
        recorded = datetime_wib(datetime.fromisoformat(event["recorded_at"]))
        table.add_row(str(event["position"]), recorded, event["type"], event["actor"] or "",
                      _short(facts), where)
    console.print(table)


def _title(kind: str, value: str) -> str:
    from ledger.identity import mask_nik, parse_nik

    if kind == "nik":
        return f"NIK {mask_nik(parse_nik(value).value)}"
    return {"member": "member", "claim": "claim", "program": "programme",
            "handover": "ceremony"}[kind] + " " + value


def _short(facts: dict[str, object]) -> str:
    """The facts on one line; any personal number a new event might carry is masked as in a log
    line (``api/logs.py``), behind the fields left out or masked above."""
    text = mask(", ".join(f"{k}={v}" for k, v in facts.items()))
    return text if len(text) <= 120 else text[:117] + "..."


@click.group("findings", invoke_without_command=True)
@click.option("--program", help="Only findings concerning this programme.")
@click.option("--rule", type=click.Choice(list(RULES)), help="Only this rule's findings.")
@click.option("--severity", type=click.Choice(SEVERITIES), help="Only this severity.")
@click.option("--json", "as_json", is_flag=True, help="Print every finding as JSON.")
@click.pass_context
def findings_command(ctx: click.Context, program: str | None, rule: str | None,
                     severity: str | None, as_json: bool) -> None:
    """The audit red flags (docs/domain.md section 7) found in the log, each with the log positions
    of the events that prove it (see 'history' and 'journal prove'); 'findings drift': the
    decided claims whose amount differs under the rule set in force today."""
    if ctx.invoked_subcommand is not None:
        if program or rule or severity or as_json:
            raise click.UsageError(f"give the options after '{ctx.invoked_subcommand}' "
                                   f"(claims-ledger findings {ctx.invoked_subcommand} --help)")
        return
    try:
        with ledger_session() as ledger:
            projector = Projector(ledger)
            try:
                projector.catch_up()
                reader = Reader(projector.connection, projector.live)
                found = findings(reader, program=program, rule=rule, severity=severity)
                position = projector.position()
            finally:
                projector.close()
    except LedgerError as error:
        raise refusal(error) from None
    if as_json:
        click.echo(json.dumps({"position": position, "summary": titled_summary(found),
                               "items": [record(f) for f in found]}, indent=2,
                              ensure_ascii=False))
        return
    print_findings(found, position)


def print_findings(found: list[Finding], position: int, per_rule: int | None = None) -> None:
    """A count per red flag, then the cases (at most ``per_rule`` of each rule)."""
    console.print(summary_table(found, position))
    if not found:
        return
    table = Table(title="Findings, with the log positions proving each", title_justify="left")
    for column in ("Flag", "Severity", "Rule", "What was found", "Positions"):
        table.add_column(column, no_wrap=column in ("Flag", "Severity"))
    shown: dict[str, int] = {}
    for finding in found:
        shown[finding.rule] = shown.get(finding.rule, 0) + 1
        if per_rule is not None and shown[finding.rule] > per_rule:
            continue
        table.add_row(str(finding.flag), finding.severity, finding.rule, statement(finding),
                      _positions(finding.positions))
    console.print(table)
    hidden = sum(max(0, n - per_rule) for n in shown.values()) if per_rule else 0
    if hidden:
        console.print(f"... and {hidden} more: 'claims-ledger findings --rule RULE' lists all")


def summary_table(found: list[Finding], position: int) -> Table:
    table = Table(title=f"Audit findings (red flags of docs/domain.md section 7) at position "
                  f"{position}", title_justify="left")
    for column in ("Flag", "Rule", "Severity", "Cases"):
        table.add_column(column, justify="right" if column == "Cases" else "left")
    for row in titled_summary(found):
        table.add_row(str(row["flag"]), row["title"], row["severity"], str(row["cases"]))
    return table


def _positions(positions: Any) -> str:
    listed = ", ".join(str(p) for p in positions[:6])
    return listed + (f" (+{len(positions) - 6})" if len(positions) > 6 else "")
