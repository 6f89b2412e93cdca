"""The demo's summary on the terminal, read from the projections (as every read is)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from documents.formatting import date_id, number_id
from ledger.identity import mask_nik
from ledger.money import rupiah
from ledger.regions import district_name
from projections.obligations import ObligationsReader
from projections.queries import Reader
from projections.scholarships import ScholarshipReader
from seed.demo import JAKBAR_2025, TNG_2025, TNG_GRANT_2025, DemoResult


def print_summary(console: Console, reader: Reader, result: DemoResult, elapsed: float,
                  database: Path, position: int, on: date) -> None:
    """Print the headline figures, then one table per kind of record."""
    console.print(
        f"[bold]claims-ledger demo[/bold]: the seed scenario, {number_id(position)} events "
        f"recorded and projected in {elapsed:.1f} s\nstore: {database}\n")
    _headlines(console, reader)
    console.print(_programmes(reader))
    console.print(_claims(reader))
    console.print(_ceremonies(reader))
    console.print(_scholarships(reader, JAKBAR_2025.code))
    console.print(_obligations(reader, JAKBAR_2025.code, on))
    console.print(_obligations(reader, TNG_2025.code, on))
    console.print(_refusals(result))


def _headlines(console: Console, reader: Reader) -> None:
    city = reader.budget(TNG_2025.code)
    grants = reader.budget(TNG_GRANT_2025.code)
    assert city is not None and grants is not None
    months = len(city["months"])
    rate = city["months"][0]["rate"]
    used = "used in full" if city["remaining"] == 0 else f"{rupiah(city['remaining'])} left"
    console.print(
        f"[bold green]{city['programme']}[/bold green]: budget {rupiah(city['ceiling'])} {used} "
        f"by {number_id(city['members'])} members ({months} months x {rupiah(rate)} = "
        f"{rupiah(city['members'] * months * rate)})")
    paid = len(reader.claims(program=TNG_GRANT_2025.code, payer="CITY", limit=10_000))
    console.print(
        f"[bold green]{grants['programme']}[/bold green]: city death grants {number_id(paid)} x "
        f"{rupiah(3_000_000)} = {rupiah(grants['city_payouts'])} paid from BTT "
        f"(ceiling {rupiah(grants['ceiling'])})\n")


def _programmes(reader: Reader) -> Table:
    table = Table(title="Programmes (budget realisation)", title_justify="left")
    for column in ("Code", "Funder", "Region", "Source", "Members", "Budget", "Used",
                   "Remaining"):
        numeric = column in ("Members", "Budget", "Used", "Remaining")
        table.add_column(column, justify="right" if numeric else "left",
                         no_wrap=column != "Funder")
    for row in reader.programmes():
        budget = reader.budget(row["programme"])
        assert budget is not None
        members = (number_id(budget["members"]) if '"CITY_GRANT"' not in row["covers"] else
                   f"{number_id(len(reader.claims(program=row['programme'], limit=10_000)))}"
                   " grants")
        table.add_row(row["programme"], row["funder_name"], row["funder_region"],
                      row["funding_source"], members, rupiah(budget["ceiling"]),
                      rupiah(budget["committed"]), rupiah(budget["remaining"]))
    return table


def _claims(reader: Reader) -> Table:
    table = Table(title="Claims on incidents (payout balances; city grants not listed)",
                  title_justify="left")
    for column in ("Programme", "Benefit", "Member", "District", "Filed", "Entitlement",
                   "Status", "Paid", "Outstanding"):
        money = column in ("Entitlement", "Paid", "Outstanding")
        table.add_column(column, no_wrap=money or column in ("Status", "Programme", "Member"),
                         justify="right" if money else "left")
    for claim in reader.claims(payer="BPJS", limit=1_000):
        table.add_row(
            claim["programme"], claim["benefit"], _member(claim),
            _district(reader, claim["enrolment_id"]),
            date_id(date.fromisoformat(claim["filed_on"])), rupiah(int(claim["entitlement"])),
            claim["status"], rupiah(int(claim["disbursed"])), rupiah(claim["outstanding"]))
    return table


def _member(claim: dict[str, str | None]) -> str:
    """The masked NIK, which often looks like another's, and the enrolment's short id, as the
    documents print a member (and as 'history --member' takes it)."""
    masked = mask_nik(str(claim["subject_nik"]))
    member = claim.get("enrolment_id")
    return f"{masked} ({member[:8]})" if member else masked


def _district(reader: Reader, enrolment_id: str | None) -> str:
    if enrolment_id is None:
        return ""
    rows = reader.connection.query(reader.ns.sql(
        "SELECT district FROM {members} WHERE enrolment_id = ?"), (enrolment_id,))
    return (district_name(rows[0]["district"]) or "") if rows else ""


def _ceremonies(reader: Reader) -> Table:
    table = Table(title="Handover ceremonies", title_justify="left")
    for column in ("Date", "Venue", "Heirs", "Handed over", "Benefits unpaid at the ceremony"):
        table.add_column(column)
    for handover in reader.handovers():
        table.add_row(date_id(date.fromisoformat(handover["held_on"])), handover["venue"],
                      str(handover["recipients"]), rupiah(int(handover["total"])),
                      str(handover["unpaid"]))
    return table


def _scholarships(reader: Reader, code: str) -> Table:
    """The scholarship schedule of a programme's heirs' children: each school year claimed, and
    what is left of each child's ceiling."""
    table = Table(title=f"Scholarships of the heirs' children, {code}", title_justify="left")
    for column in ("Child", "Death", "School year", "Level", "Status", "Amount", "Paid",
                   "Left"):
        table.add_column(column, justify="right" if column in ("Amount", "Paid", "Left")
                         else "left", no_wrap=column != "Child")
    for scholarship in ScholarshipReader(reader.connection, reader.ns).scholarships(
            program=code):
        for child in scholarship["children"]:
            for year in child["years"]:
                table.add_row(child["name"], scholarship["cover"], year["school_year"],
                              year["level"], year["status"], rupiah(year["amount"]),
                              rupiah(year["paid"]), "")
            table.add_row("", "", "", "", "", "", "", rupiah(child["remaining"]))
    return table


def _obligations(reader: Reader, code: str, on: date) -> Table:
    """What a programme still owes from a day on, beside what it paid."""
    owed = ObligationsReader(reader.connection, reader.ns).obligations(code, on)
    assert owed is not None
    table = Table(title=f"{code}: paid, and still owed from {date_id(on)} (scholarship years "
                  "ahead assume a grade a year)", title_justify="left")
    table.add_column("")
    table.add_column("Amount", justify="right")
    table.add_row("Paid on claims (every benefit)", rupiah(owed["paid"]))
    unpaid = len(owed["unpaid_claims"])
    table.add_row(f"Approved, not yet paid ({unpaid} claim{'' if unpaid == 1 else 's'})",
                  rupiah(owed["unpaid_total"]))
    table.add_row("Late interest owed to heirs", rupiah(owed["late_interest_total"]))
    for line in owed["scholarship_years"]:
        children = "1 child" if line["children"] == 1 else f"{line['children']} children"
        table.add_row(f"Scholarships {line['school_year']} ({children})",
                      rupiah(line["amount"]))
    for case in owed["stmb_cases"]:
        starts, accident = (date_id(date.fromisoformat(case[name]))
                            for name in ("next_starts_on", "accident_on"))
        table.add_row(f"STMB month {case['next_month']} from {starts} at "
                      f"{case['next_percent']}% (accident of {accident}, "
                      f"{case['months_claimed']} months claimed, no end recorded)",
                      rupiah(case["next_amount"]))
    table.add_row("Still owed", rupiah(owed["scholarship_total"] + owed["unpaid_total"]
                                       + owed["late_interest_total"] + owed["stmb_total"]))
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
