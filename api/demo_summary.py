"""The demo's summary on the terminal: what was recorded, in rupiah and Indonesian dates."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from documents.formatting import date_id, number_id
from ledger.application import Ledger
from ledger.demo import CITY_COHORT, TNG_2025, TNG_GRANT_2025, DemoResult
from ledger.identity import mask_nik
from ledger.money import rupiah
from ledger.regions import district_name


def print_summary(console: Console, ledger: Ledger, result: DemoResult, elapsed: float,
                  database: Path) -> None:
    """Print the headline figures, then one table per kind of record."""
    events = ledger.recorder.max_notification_id() or 0
    console.print(
        f"[bold]claims-ledger demo[/bold]: the seed scenario, {number_id(events)} events "
        f"recorded in {elapsed:.1f} s\nstore: {database}\n"
    )
    _headlines(console, ledger)
    console.print(_programmes(ledger, result))
    console.print(_claims(ledger, result))
    console.print(_ceremonies(ledger, result))
    console.print(_refusals(result))


def _headlines(console: Console, ledger: Ledger) -> None:
    city = ledger.programme(TNG_2025.code)
    members = len(ledger.enrolment_ids(city.code))
    months = len(city.coverage_months)
    rate = city.rate_for(city.first_month)
    used = "used in full" if city.remaining == 0 else f"{rupiah(city.remaining)} left"
    console.print(
        f"[bold green]{city.code}[/bold green]: budget {rupiah(city.budget_ceiling)} {used} by "
        f"{number_id(members)} members ({months} months x {rupiah(rate)} = "
        f"{rupiah(members * months * rate)})"
    )
    grants = ledger.programme(TNG_GRANT_2025.code)
    paid = len([amount for amount in grants.payouts.values() if amount])
    console.print(
        f"[bold green]{grants.code}[/bold green]: city death grants {number_id(paid)} x "
        f"{rupiah(3_000_000)} = {rupiah(grants.committed)} paid from BTT "
        f"(ceiling {rupiah(grants.budget_ceiling)})"
    )
    if members != CITY_COHORT:  # pragma: no cover - would mean the scenario is broken
        console.print(f"[red]expected {CITY_COHORT} members, found {members}[/red]")
    console.print()


def _programmes(ledger: Ledger, result: DemoResult) -> Table:
    table = Table(title="Programmes", title_justify="left")
    for column in ("Code", "Funder", "Region", "Source", "Members", "Budget", "Used",
                   "Remaining"):
        numeric = column in ("Members", "Budget", "Used", "Remaining")
        table.add_column(column, justify="right" if numeric else "left",
                         no_wrap=column != "Funder")
    for code in result.programme_codes:
        programme = ledger.programme(code)
        grants = len([amount for amount in programme.payouts.values() if amount])
        members = (f"{number_id(grants)} grants" if not programme.pays_contributions
                   else number_id(len(ledger.enrolment_ids(code))))
        table.add_row(
            programme.code, programme.funder_name, programme.funder_region,
            programme.funding_source, members,
            rupiah(programme.budget_ceiling), rupiah(programme.committed),
            rupiah(programme.remaining),
        )
    return table


def _claims(ledger: Ledger, result: DemoResult) -> Table:
    table = Table(title="Claims on incidents (city grants not listed one by one)",
                  title_justify="left")
    for column in ("Programme", "Benefit", "Member", "District", "Filed", "Entitlement",
                   "Status", "Paid"):
        table.add_column(column, justify="right" if column in ("Entitlement", "Paid") else
                         "left", no_wrap=True)
    for claim_id in result.claim_ids:
        claim = ledger.claim(claim_id)
        status = claim.status.value
        if claim.rejection_reason:
            status += f" ({claim.rejection_reason})"
        district = ""
        if claim.enrolment_id is not None:
            district = district_name(ledger.enrolment(claim.enrolment_id).district) or ""
        table.add_row(
            claim.programme_code, claim.benefit.value, mask_nik(claim.subject_nik), district,
            date_id(claim.filed_on), rupiah(claim.entitlement), status, rupiah(claim.disbursed),
        )
    return table


def _ceremonies(ledger: Ledger, result: DemoResult) -> Table:
    table = Table(title="Handover ceremonies", title_justify="left")
    for column in ("Date", "Venue", "Heirs", "Handed over", "Unpaid at the ceremony"):
        table.add_column(column)
    for handover_id in result.handover_ids:
        handover = ledger.handover(handover_id)
        unpaid = handover.unpaid_items
        table.add_row(
            date_id(handover.held_on), handover.venue, str(len(handover.items)),
            rupiah(sum(item["amount"] for item in handover.items)),
            ", ".join(f"{item['recipient']} ({rupiah(item['amount'])})" for item in unpaid)
            or "none",
        )
    return table


def _refusals(result: DemoResult) -> Table:
    table = Table(title="Refused, as the rules require (nothing was recorded)",
                  title_justify="left")
    table.add_column("Attempt")
    table.add_column("Rule")
    table.add_column("What the ledger said")
    for refusal in result.refusals:
        table.add_row(refusal.attempt, refusal.rule, refusal.message)
    return table
