"""What a programme still owes, beside what it paid: the read model a finance officer budgets
next year from, and the audit report and the console show.

Three kinds of obligation, per programme (and so per funder, the programme's owner):

- **Scholarship years still payable**, school year by school year, projected from each stored
  scholarship with :func:`ledger.scholarship_outlook.outlook` (one grade a year, the grade read
  from the child's age: an estimate, each year is still claimed with proof of enrolment). A
  scholarship is rebuilt from the read tables (:mod:`projections.scholarships`) with the level
  figures its grant recorded; the other figures (two children, the age of 23) are the rule
  set's defaults, which no shipped rule set changes.
- **Approved claims not yet paid in full**: approved less disbursed (a scholarship year
  approved and unpaid is one of them, not a projected year).
- **Late interest owed to heirs** (1% a day on a JKM payout after its due day): recorded per
  payout (``Claim.LateInterestOwed``) and summed here per claim (column ``late_interest``).
- **Open STMB months**: each work accident case whose temporary incapacity has no recorded end,
  with the months claimed so far and the next month due, at 100% or 50% of the wage band by
  the rule set of the accident's day (:func:`projections.jkk_cases.open_stmb`); its amount is
  in ``stmb_total``, one month per case (the months after it are owed while incapacity lasts,
  which nobody knows ahead).

The projection starts at the school year running on the day asked for (``on``): a year
already claimed is not projected again, whatever its claim's state.
Importing this module registers its handler.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ledger.scholarship import ScholarshipEntitlement, ScholarshipYear
from ledger.scholarship_outlook import outlook
from ledger.schooling import Child, LevelRule, ScholarshipRules, SchoolLevel, SchoolYear
from projections.db import Connection, Namespace
from projections.handlers import HANDLERS, Change, Operation
from projections.jkk_cases import open_stmb


def late_interest_owed(e: Any, position: int) -> list[Operation]:
    """A late payout's interest, added to its claim's ``late_interest``."""
    return [Change("claims", str(e.originator_id), {"version": e.originator_version},
                   {"late_interest": e.amount})]


HANDLERS["Claim.LateInterestOwed"] = late_interest_owed


class ObligationsReader:
    """A programme's obligations on a day (the dicts the JSON route serves as they are)."""

    def __init__(self, connection: Connection, namespace: Namespace) -> None:
        self.connection = connection
        self.ns = namespace

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return self.connection.query(self.ns.sql(sql), params)

    def obligations(self, program: str, on: date) -> dict[str, Any] | None:
        """What ``program`` owes from ``on`` (None for a programme not in the ledger)."""
        found = self._rows("SELECT programme, funder_name FROM {programmes} WHERE programme = ?",
                           (program.upper(),))
        if not found:
            return None
        code = found[0]["programme"]
        from_year = SchoolYear.of(on)
        entitlements = self._entitlements(code)
        years: dict[int, dict[str, Any]] = {}
        for entitlement in entitlements:
            for projected in outlook(entitlement, from_year).years:
                line = years.setdefault(projected.school_year.start, {
                    "school_year": str(projected.school_year), "children": 0, "amount": 0})
                line["children"] += 1
                line["amount"] += projected.amount
        claims = self._rows(
            "SELECT claim_id, benefit, payer, subject_nik, approved_on, approved, disbursed,"
            " COALESCE(late_interest, 0) AS late_interest FROM {claims}"
            " WHERE programme = ? AND status <> 'rejected' ORDER BY position", (code,))
        unpaid = [{"claim_id": c["claim_id"], "benefit": c["benefit"], "payer": c["payer"],
                   "subject_nik": c["subject_nik"], "approved_on": c["approved_on"],
                   "approved": int(c["approved"]), "paid": int(c["disbursed"]),
                   "outstanding": int(c["approved"]) - int(c["disbursed"])}
                  for c in claims if int(c["approved"]) > int(c["disbursed"])]
        interest = [{"claim_id": c["claim_id"], "amount": int(c["late_interest"])}
                    for c in claims if int(c["late_interest"]) > 0]
        scholarship_paid = self._rows(
            "SELECT COALESCE(sum(c.disbursed), 0) AS paid FROM {scholarship_years} y"
            " JOIN {claims} c ON c.claim_id = y.claim_id JOIN {scholarships} s"
            " ON s.scholarship_id = y.scholarship_id WHERE s.programme = ? AND y.withdrawn = 0",
            (code,))[0]["paid"]
        by_year = [years[key] for key in sorted(years)]
        stmb = open_stmb(self.connection, self.ns, code, on)
        return {
            "programme": code, "funder_name": found[0]["funder_name"], "on": on.isoformat(),
            "from_school_year": str(from_year), "scholarships": len(entitlements),
            "children": sum(len(e.children) for e in entitlements),
            "scholarship_years": by_year,
            "scholarship_total": sum(line["amount"] for line in by_year),
            "scholarship_paid": int(scholarship_paid),
            "unpaid_claims": unpaid,
            "unpaid_total": sum(c["outstanding"] for c in unpaid),
            "late_interest": interest,
            "late_interest_total": sum(c["amount"] for c in interest),
            "stmb_cases": stmb,
            "stmb_total": sum(case["next_amount"] for case in stmb),
            "paid": sum(int(c["disbursed"]) for c in claims),
        }

    def _entitlements(self, code: str) -> list[ScholarshipEntitlement]:
        found = []
        for row in self._rows("SELECT scholarship_id, rule_version, levels, died_on"
                              " FROM {scholarships} WHERE programme = ? ORDER BY position",
                              (code,)):
            sid = row["scholarship_id"]
            levels = _levels(row["levels"])
            rules = ScholarshipRules(levels=tuple(
                LevelRule(SchoolLevel(level["level"]), int(level["amount_per_year"]),
                          int(level["max_years"])) for level in levels))
            children = tuple(_child(c) for c in self._rows(
                "SELECT * FROM {scholarship_children} WHERE scholarship_id = ?"
                " ORDER BY position, child_nik", (sid,)))
            names = {child.nik: child.name for child in children}
            years = tuple(ScholarshipYear(
                y["child_nik"], names.get(y["child_nik"], ""), SchoolYear(int(y["school_year"])),
                SchoolLevel(y["level"]), int(y["year_at_level"]), int(y["amount"]),
                row["rule_version"]) for y in self._rows(
                "SELECT * FROM {scholarship_years} WHERE scholarship_id = ? AND withdrawn = 0"
                " ORDER BY school_year, child_nik", (sid,)))
            found.append(ScholarshipEntitlement(row["rule_version"], rules,
                                                date.fromisoformat(row["died_on"]),
                                                children, years))
        return found


def _levels(text: str) -> list[dict[str, Any]]:
    return list(json.loads(text))


def _child(row: dict[str, Any]) -> Child:
    stopped = date.fromisoformat(row["stopped_on"]) if row["stopped_on"] else None
    level = row.get("level")
    return Child(row["child_name"], row["child_nik"], date.fromisoformat(row["born_on"]),
                 SchoolLevel(level) if level else None,
                 married_on=stopped if row["stopped_why"] == "married" else None,
                 working_from=stopped if row["stopped_why"] == "working" else None)
