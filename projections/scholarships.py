"""Scholarships as read-model tables: each death's scholarship, its children, the school years
claimed, and per child and level what was claimed, paid and what remains.

The tables are part of the projection set (:mod:`projections.schema`), built by the same
projector in the same batches as the claims they join. A school year's money is its claim's
(``claims.approved``, ``claims.disbursed``); the level figures are the ones the grant recorded
(the rule set in force on the day of death). Importing this module registers its handlers.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from projections.db import Connection, Namespace
from projections.handlers import HANDLERS, PRIMARY_KEYS, PROJECTION_OF, Change, Insert, Operation

TABLES = (
    """CREATE TABLE IF NOT EXISTS {scholarships} (
        scholarship_id TEXT PRIMARY KEY, death_claim_id TEXT, programme TEXT, cover TEXT,
        died_on TEXT, rule_version TEXT, levels TEXT, granted_on TEXT, position BIGINT,
        version INTEGER)""",
    """CREATE TABLE IF NOT EXISTS {scholarship_children} (
        child_id TEXT PRIMARY KEY, scholarship_id TEXT NOT NULL, child_nik TEXT,
        child_name TEXT, born_on TEXT, stopped_on TEXT, stopped_why TEXT, position BIGINT,
        level TEXT)""",
    """CREATE TABLE IF NOT EXISTS {scholarship_years} (
        claim_id TEXT PRIMARY KEY, scholarship_id TEXT NOT NULL, child_nik TEXT, level TEXT,
        school_year INTEGER, year_at_level INTEGER, amount BIGINT,
        withdrawn INTEGER NOT NULL DEFAULT 0, position BIGINT)""",
    "CREATE INDEX IF NOT EXISTS {index}scholarship_years_of ON {scholarship_years}"
    " (scholarship_id)",
)
TABLE_NAMES = ("scholarships", "scholarship_children", "scholarship_years")


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _child(scholarship: str, child: dict[str, Any], position: int) -> Insert:
    key = f"{scholarship}/{child.get('subject_id') or child['nik']}"  # no NIK in a key
    return Insert("scholarship_children", key, {
        "child_id": key, "scholarship_id": scholarship, "child_nik": child["nik"],
        "subject_id": child.get("subject_id"),
        "child_name": child["name"], "born_on": _d(child["born_on"]), "stopped_on": None,
        "stopped_why": None, "position": position, "level": child.get("level")})


def _same_child(year: dict[str, Any], child: dict[str, Any]) -> bool:
    """Whether a school year is this child's: by the child's subject id (two erased children
    both read "[dihapus]"), by the NIK where a row has none."""
    if year.get("child_subject_id") and child.get("subject_id"):
        return bool(year["child_subject_id"] == child["subject_id"])
    return bool(year["child_nik"] == child["child_nik"])


def granted(e: Any, position: int) -> list[Operation]:
    key = str(e.originator_id)
    return [Insert("scholarships", key, {
        "scholarship_id": key, "death_claim_id": e.death_claim_id,
        "programme": e.programme_code, "cover": e.cover, "died_on": _d(e.died_on),
        "rule_version": e.rule_version, "levels": json.dumps(e.levels),
        "granted_on": _d(e.granted_on), "position": position, "version": e.originator_version}),
        *(_child(key, child, position) for child in e.children)]


def child_added(e: Any, position: int) -> list[Operation]:
    key = str(e.originator_id)
    return [_child(key, e.child, position),
            Change("scholarships", key, {"version": e.originator_version})]


def child_stopped(e: Any, position: int) -> list[Operation]:
    key = str(e.originator_id)
    child = getattr(e, "child_subject_id", None) or e.child_nik
    return [Change("scholarship_children", f"{key}/{child}",
                   {"stopped_on": _d(e.on), "stopped_why": e.why}),
            Change("scholarships", key, {"version": e.originator_version})]


def year_claimed(e: Any, position: int) -> list[Operation]:
    key = str(e.originator_id)
    return [Insert("scholarship_years", e.claim_id, {
        "claim_id": e.claim_id, "scholarship_id": key, "child_nik": e.child_nik,
        "child_subject_id": getattr(e, "child_subject_id", None),
        "level": e.level, "school_year": e.school_year, "year_at_level": e.year_at_level,
        "amount": e.amount, "withdrawn": 0, "position": position}),
        Change("scholarships", key, {"version": e.originator_version})]


def year_withdrawn(e: Any, position: int) -> list[Operation]:
    return [Change("scholarship_years", e.claim_id, {"withdrawn": 1}),
            Change("scholarships", str(e.originator_id), {"version": e.originator_version})]


HANDLERS.update({
    "Scholarship.Granted": granted,
    "Scholarship.ChildAdded": child_added,
    "Scholarship.ChildStopped": child_stopped,
    "Scholarship.YearClaimed": year_claimed,
    "Scholarship.YearWithdrawn": year_withdrawn,
})
PRIMARY_KEYS.update({"scholarships": "scholarship_id", "scholarship_children": "child_id",
                     "scholarship_years": "claim_id"})
PROJECTION_OF["Scholarship"] = "balances"


class ScholarshipReader:
    """Each scholarship with its children, years, and per child and level what remains."""

    def __init__(self, connection: Connection, namespace: Namespace) -> None:
        self.connection = connection
        self.ns = namespace

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return self.connection.query(self.ns.sql(sql), params)

    def scholarships(self, scholarship_id: str | None = None,
                     program: str | None = None) -> list[dict[str, Any]]:
        """Scholarships (in the order granted), each with its children and, per child and
        level, the years claimed and left, the amounts claimed, approved, paid and remaining
        (the level's most less what was paid)."""
        where, params = ["1 = 1"], []
        if scholarship_id:
            where.append("scholarship_id = ?")
            params.append(scholarship_id)
        if program:
            where.append("programme = ?")
            params.append(program.upper())
        found = self._rows("SELECT * FROM {scholarships} WHERE " + " AND ".join(where)
                           + " ORDER BY position", tuple(params))
        return [self._with_children(row) for row in found]

    def _with_children(self, row: dict[str, Any]) -> dict[str, Any]:
        sid = row["scholarship_id"]
        levels = json.loads(row.pop("levels"))
        years = self._rows(
            "SELECT y.*, c.status, c.approved, c.disbursed FROM {scholarship_years} y"
            " JOIN {claims} c ON c.claim_id = y.claim_id WHERE y.scholarship_id = ?"
            " AND y.withdrawn = 0 ORDER BY y.child_nik, y.school_year", (sid,))
        children = []
        for child in self._rows("SELECT * FROM {scholarship_children} WHERE scholarship_id = ?"
                                " ORDER BY position, child_nik", (sid,)):
            own = [y for y in years if _same_child(y, child)]
            rows = [_level_row(level, [y for y in own if y["level"] == level["level"]])
                    for level in levels]
            children.append({
                "name": child["child_name"], "nik": child["child_nik"],
                "born_on": child["born_on"], "stopped_on": child["stopped_on"],
                "stopped_why": child["stopped_why"], "levels": rows,
                "years": [{"claim_id": y["claim_id"], "level": y["level"],
                           "school_year": f"{y['school_year']}/{y['school_year'] + 1}",
                           "amount": int(y["amount"]), "status": y["status"],
                           "paid": int(y["disbursed"])} for y in own],
                **_totals(rows)})
        ceiling = sum(level["amount_per_year"] * level["max_years"] for level in levels)
        return {**row, "ceiling_per_child": ceiling, "children": children,
                **_totals([r for c in children for r in c["levels"]])}


def _level_row(level: dict[str, Any], years: list[dict[str, Any]]) -> dict[str, Any]:
    most = level["amount_per_year"] * level["max_years"]
    paid = sum(int(y["disbursed"]) for y in years)
    return {"level": level["level"], "amount_per_year": level["amount_per_year"],
            "years_claimed": len(years), "years_left": level["max_years"] - len(years),
            "claimed": sum(int(y["amount"]) for y in years),
            "approved": sum(int(y["approved"]) for y in years if y["status"] == "approved"),
            "paid": paid, "remaining": most - paid}


def _totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {name: sum(r[name] for r in rows) for name in ("claimed", "approved", "paid",
                                                          "remaining")}
