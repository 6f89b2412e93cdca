"""The JKK cases of work accidents as a read-model table, and the STMB months still open.

One row per accident's case (:class:`ledger.work_accident_case.WorkAccidentCase`): the accident's
day, the wage band, the rule set of that day, and what ended temporary incapacity (recovery,
permanent disability or death) once recorded. The months claimed are the ``jkk_stmb_month``
claims of its incident (their month in ``claims.stmb_month``; a rejected or revoked claim frees
its month). A case whose incapacity has no recorded end still owes its next month: the lowest
month not claimed, at 100% or 50% of the wage band by the rule set of the accident's day
(:func:`ledger.work_accident.stmb_month`). The table is part of the projection set
(:mod:`projections.schema`), built in the same batches as the claims it joins. Importing this
module registers its handlers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.rule_sets import rule_set_of
from ledger.work_accident import stmb_month
from projections.db import Connection, Namespace
from projections.handlers import HANDLERS, PRIMARY_KEYS, PROJECTION_OF, Change, Insert, Operation

TABLES = (
    """CREATE TABLE IF NOT EXISTS {jkk_cases} (
        case_id TEXT PRIMARY KEY, incident_id TEXT, programme TEXT, subject_nik TEXT,
        accident_on TEXT, wage BIGINT, rule_version TEXT, ended_by TEXT, ended_on TEXT,
        position BIGINT, version INTEGER)""",
    "CREATE INDEX IF NOT EXISTS {index}jkk_cases_programme ON {jkk_cases} (programme)",
)
TABLE_NAMES = ("jkk_cases",)


def opened(e: Any, position: int) -> list[Operation]:
    key = str(e.originator_id)
    return [Insert("jkk_cases", key, {
        "case_id": key, "incident_id": e.incident_id, "programme": e.programme_code,
        "subject_nik": e.subject_nik, "person_id": getattr(e, "person_id", None),
        "accident_on": e.accident_on.isoformat(),
        "wage": e.wage, "rule_version": e.rule_version, "ended_by": None, "ended_on": None,
        "position": position, "version": e.originator_version})]


def incapacity_ended(e: Any, position: int) -> list[Operation]:
    return [Change("jkk_cases", str(e.originator_id), {
        "ended_by": e.ended_by, "ended_on": e.ended_on.isoformat(),
        "version": e.originator_version})]


def _touched(e: Any, position: int) -> list[Operation]:
    return [Change("jkk_cases", str(e.originator_id), {"version": e.originator_version})]


HANDLERS.update({
    "WorkAccidentCase.Opened": opened,
    "WorkAccidentCase.IncapacityEnded": incapacity_ended,
    "WorkAccidentCase.MonthClaimed": _touched,
    "WorkAccidentCase.DisabilityClaimed": _touched,
    "WorkAccidentCase.ReimbursementClaimed": _touched,
    "WorkAccidentCase.ClaimWithdrawn": _touched,
})
PRIMARY_KEYS["jkk_cases"] = "case_id"
PROJECTION_OF["WorkAccidentCase"] = "balances"


def open_stmb(connection: Connection, namespace: Namespace, programme: str,
              on: date) -> list[dict[str, Any]]:
    """The cases of ``programme`` with STMB months claimed and no recorded end of incapacity:
    the months claimed (a rejected or revoked claim's month is not), and the next month due,
    its first day, percentage and amount (a month not yet begun on ``on``: ``begun`` false)."""
    cases = connection.query(namespace.sql(
        "SELECT case_id, incident_id, subject_nik, accident_on, wage, rule_version"
        " FROM {jkk_cases} WHERE programme = ? AND ended_on IS NULL ORDER BY position"),
        (programme,))
    found = []
    for case in cases:
        months = sorted(int(row["stmb_month"]) for row in connection.query(namespace.sql(
            "SELECT stmb_month FROM {claims} WHERE incident_id = ? AND benefit = 'jkk_stmb_month'"
            " AND status NOT IN ('rejected', 'revoked') AND stmb_month IS NOT NULL"),
            (case["incident_id"],)))
        if not months:
            continue  # a case of receipts or a disability only: no incapacity claimed
        number = next(n for n in range(1, len(months) + 2) if n not in months)
        accident_on = date.fromisoformat(case["accident_on"])
        nxt = stmb_month(rule_set_of(case["rule_version"]), wage=int(case["wage"]),
                         accident_on=accident_on, month=number)
        found.append({
            "case_id": case["case_id"], "incident_id": case["incident_id"],
            "subject_nik": case["subject_nik"], "accident_on": case["accident_on"],
            "wage": int(case["wage"]), "rule_version": case["rule_version"],
            "months_claimed": len(months), "last_month": months[-1], "next_month": number,
            "next_starts_on": nxt.starts_on.isoformat(), "next_percent": nxt.percent,
            "next_amount": nxt.amount, "begun": nxt.starts_on <= on})
    return found
