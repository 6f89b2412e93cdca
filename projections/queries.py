"""Answers read from the projection tables: coverage, payout balances, budget, statistics."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from ledger.calendar import add_months, month_end, month_of, month_range, month_start
from projections.db import Connection, Namespace
from projections.kept import kept


class Reader:
    """Read-only queries on the live projection tables."""

    def __init__(self, connection: Connection, namespace: Namespace) -> None:
        self.connection = connection
        self.ns = namespace

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return self.connection.query(self.ns.sql(sql), params)

    # -- coverage ----------------------------------------------------------------------------

    def members(self, *, program: str | None = None, region: str | None = None,
                district: str | None = None, status: str | None = None,
                person: str | None = None, after: int = 0, limit: int = 50
                ) -> list[dict[str, Any]]:
        """Members with their paid months, in enrolment order, after a position; ``person``:
        one person's (a NIK is turned into it by the keyed index)."""
        where: list[str] = ["position > ?"]
        params: list[Any] = [after]
        for column, value in (("programme", program), ("region", region),
                              ("district", district), ("status", status),
                              ("person_id", person)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        rows = self._rows(
            "SELECT * FROM {members} WHERE " + " AND ".join(where)
            + " ORDER BY position LIMIT ?", (*params, limit))
        if rows:
            paid = self._paid_months([r["enrolment_id"] for r in rows])
            for row in rows:
                months = paid.get(row["enrolment_id"], [])
                row["paid_months"] = months
                row["covered_until"] = month_end(months[-1]).isoformat() if months else None
        return rows

    def _paid_months(self, ids: list[str]) -> dict[str, list[str]]:
        marks = ",".join("?" * len(ids))
        found: dict[str, list[str]] = {}
        for row in self._rows(
                "SELECT DISTINCT enrolment_id, month FROM {paid} WHERE enrolment_id IN ("
                + marks + ") ORDER BY month", tuple(ids)):
            found.setdefault(row["enrolment_id"], []).append(row["month"])
        return found

    def covered_on(self, nik: str, day: date, person: str) -> dict[str, Any]:
        """Was the NIK covered on ``day``, by which enrolment, and why (the ledger's rule);
        ``person``: the NIK's person (its data subject in the keyed index), by which the rows
        are found."""
        text = day.isoformat()
        periods = self._rows(
            "SELECT m.*, p.grace_months FROM {members} m JOIN {programmes} p"
            " ON p.programme = m.programme WHERE m.person_id = ? ORDER BY m.enrolled_on",
            (person,))
        answer: dict[str, Any] = {"nik": nik, "on": text, "covered": False,
                                  "enrolment_id": None, "programme": None, "paid_month": None}
        if not periods:
            return {**answer, "reason": "the NIK was never enrolled"}
        period = next((p for p in periods if p["enrolled_on"] <= text
                       and (p["ended_on"] is None or text <= p["ended_on"])), None)
        if period is None:
            return {**answer, "reason": "no coverage period of the NIK includes that day"}
        month = month_of(day)
        window = [add_months(month, -back) for back in range(int(period["grace_months"]) + 1)]
        window = [m for m in window if m >= period["enrolled_on"][:7]]
        marks = ",".join("?" * len(window)) or "''"
        paid = {r["month"] for r in self._rows(
            "SELECT DISTINCT month FROM {paid} WHERE enrolment_id = ? AND month IN ("
            + marks + ")", (period["enrolment_id"], *window))}
        answer.update(enrolment_id=period["enrolment_id"], programme=period["programme"])
        for candidate in window:
            if candidate in paid:
                reason = (f"{month} is paid" if candidate == month else
                          f"{month} is not paid, but it is within {period['grace_months']}"
                          f" months' grace after the last paid month {candidate}")
                return {**answer, "covered": True, "paid_month": candidate, "reason": reason}
        return {**answer, "reason": f"no contribution was paid for {month} nor in the "
                f"{period['grace_months']} months before it"}

    # -- payout balances ---------------------------------------------------------------------

    def claims(self, *, program: str | None = None, status: str | None = None,
               benefit: str | None = None, payer: str | None = None, after: int = 0,
               limit: int = 50) -> list[dict[str, Any]]:
        where: list[str] = ["position > ?"]
        params: list[Any] = [after]
        for column, value in (("programme", program), ("status", status), ("benefit", benefit),
                              ("payer", payer)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        rows = self._rows("SELECT * FROM {claims} WHERE " + " AND ".join(where)
                          + " ORDER BY position LIMIT ?", (*params, limit))
        for row in rows:
            row["outstanding"] = int(row["approved"]) - int(row["disbursed"])
        return rows

    def balance_totals(self, program: str | None = None) -> list[dict[str, Any]]:
        """Totals per programme, branch, benefit, payer and filing month (rejections left out)."""
        where = " AND c.programme = ?" if program else ""
        return self._rows(
            "SELECT c.programme, COALESCE(m.branch, '') AS branch, c.benefit, c.payer,"
            " substr(c.filed_on, 1, 7) AS month, count(*) AS claims,"
            " sum(c.entitlement) AS entitlement, sum(c.approved) AS approved,"
            " sum(c.disbursed) AS disbursed, sum(c.reversed) AS reversed,"
            " sum(c.approved - c.disbursed) AS outstanding"
            " FROM {claims} c LEFT JOIN {members} m ON m.enrolment_id = c.enrolment_id"
            " WHERE c.status <> 'rejected'" + where
            + " GROUP BY c.programme, COALESCE(m.branch, ''), c.benefit, c.payer,"
            " substr(c.filed_on, 1, 7) ORDER BY 1, 2, 3, 4, 5",
            (program,) if program else ())

    # -- budget realisation ------------------------------------------------------------------

    def programmes(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM {programmes} ORDER BY programme")

    def budget(self, program: str) -> dict[str, Any] | None:
        """Ceiling, revisions, paid, reversed, remaining, and month by month due vs paid
        (computed once per state of the live tables: :mod:`projections.kept`)."""
        answer = kept(self.connection, self.ns, ("budget", program),
                      lambda: self._budget(program))
        return copy.deepcopy(answer)

    def _budget(self, program: str) -> dict[str, Any] | None:
        found = self._rows("SELECT * FROM {programmes} WHERE programme = ?", (program,))
        if not found:
            return None
        row = found[0]
        payouts = int(self._rows(
            "SELECT COALESCE(sum(disbursed), 0) AS total FROM {claims}"
            " WHERE programme = ? AND payer = 'CITY'", (program,))[0]["total"])
        committed = int(row["paid"]) - int(row["reversed"]) + payouts
        rates = self._rows("SELECT cover, valid_from, amount FROM {rates} WHERE programme = ?",
                           (program,))
        contributions = self._rows(
            "SELECT months, month_count, amount, reversed_on FROM {contributions}"
            " WHERE programme = ?", (program,))
        # Two grouped reads instead of two counts a month: the members by their enrolment
        # and end dates (few distinct pairs), and the members paid, month by month.
        spans = self._rows(
            "SELECT enrolled_on, ended_on, count(*) AS n FROM {members} WHERE programme = ?"
            " GROUP BY enrolled_on, ended_on", (program,))
        # The members paid each month, counted as the orders are projected
        # (projections.tallies): a read of a row a month.
        paid_by_month = {r["month"]: int(r["members"]) for r in self._rows(
            "SELECT month, members FROM {programme_months} WHERE programme = ?", (program,))}
        orders = [(int(c["amount"]) // int(c["month_count"]), set(json.loads(c["months"])))
                  for c in contributions if c["reversed_on"] is None]
        months = []
        cumulative = 0
        for month in month_range(row["first_month"], int(row["months"])):
            paid = sum(share for share, covered in orders if month in covered)
            cumulative += paid
            last, first = month_end(month).isoformat(), month_start(month).isoformat()
            active = sum(int(s["n"]) for s in spans if s["enrolled_on"] is not None
                         and s["enrolled_on"] <= last
                         and (s["ended_on"] is None or s["ended_on"] >= first))
            paid_members = paid_by_month.get(month, 0)
            rate = _rate(rates, month)
            months.append({
                "month": month, "active_members": active, "rate": rate, "due": active * rate,
                "paid": paid, "paid_members": paid_members,
                "short_of_roster": paid_members < active,
                "paid_beyond_roster": paid_members > active,
                "over_ceiling": cumulative > int(row["ceiling"]),
            })
        revisions = self._rows(
            "SELECT position, ceiling, dpa_reference, reason FROM {revisions}"
            " WHERE programme = ? ORDER BY position", (program,))
        return {
            "programme": program, "funding_source": row["funding_source"],
            "ceiling": int(row["ceiling"]), "dpa_reference": row["dpa_reference"],
            "revisions": revisions, "paid": int(row["paid"]), "reversed": int(row["reversed"]),
            "city_payouts": payouts, "committed": committed,
            "remaining": int(row["ceiling"]) - committed,
            "members": sum(int(s["n"]) for s in spans),
            "months": months,
        }

    # -- statistics --------------------------------------------------------------------------

    def stats(self, program: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Members, claims and payouts per district and occupation."""
        member_filter = " WHERE programme = ?" if program else ""
        claim_filter = " AND c.programme = ?" if program else ""
        params = (program,) if program else ()
        members = self._rows(
            "SELECT district, occupation, count(*) AS members FROM {members}" + member_filter
            + " GROUP BY district, occupation ORDER BY district, occupation", params)
        claims = self._rows(
            "SELECT COALESCE(c.district, m.district) AS district,"
            " COALESCE(m.occupation, '') AS occupation, count(*) AS claims,"
            " sum(c.disbursed) AS paid FROM {claims} c LEFT JOIN {members} m"
            " ON m.enrolment_id = c.enrolment_id WHERE c.status <> 'rejected'" + claim_filter
            + " GROUP BY COALESCE(c.district, m.district), COALESCE(m.occupation, '')"
            " ORDER BY 1, 2", params)
        return {"members": members, "claims": claims}

    # -- for audit reports -------------------------------------------------------------------

    def programme(self, program: str) -> dict[str, Any] | None:
        found = self._rows("SELECT * FROM {programmes} WHERE programme = ?", (program,))
        return found[0] if found else None

    def contributions(self, program: str) -> list[dict[str, Any]]:
        """A programme's payment orders in the order they were paid, reversals marked."""
        rows = self._rows("SELECT * FROM {contributions} WHERE programme = ?"
                          " ORDER BY paid_on, sp2d", (program,))
        for row in rows:
            row["months"] = json.loads(row["months"])
        return rows

    def programme_handovers(self, program: str) -> list[dict[str, Any]]:
        """Ceremonies that showed claims of a programme, each with those claims as they are."""
        rows = self._rows(
            "SELECT h.handover_id, h.held_on, h.venue, h.occasion, i.claim_id, i.amount,"
            " i.paid_at_ceremony, c.benefit, c.subject_nik, c.status, c.approved, c.disbursed"
            " FROM {handover_items} i JOIN {handovers} h ON h.handover_id = i.handover_id"
            " JOIN {claims} c ON c.claim_id = i.claim_id WHERE c.programme = ?"
            " ORDER BY h.held_on, h.position, c.position", (program,))
        ceremonies: dict[str, dict[str, Any]] = {}
        for row in rows:
            ceremony = ceremonies.setdefault(row["handover_id"], {
                "handover_id": row["handover_id"], "held_on": row["held_on"],
                "venue": row["venue"], "occasion": row["occasion"], "items": []})
            ceremony["items"].append(row)
        return list(ceremonies.values())

    def roster(self, program: str) -> list[dict[str, Any]]:
        """Every member of a programme in enrolment order, with months paid (net of
        reversals) and claims filed: the audit report's roster."""
        return self._rows(_roster("m.*"), (program,))

    def roster_tuples(self, program: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """:meth:`roster` as plain tuples: the members' ``columns``, then months paid and
        claims (no dict per member, for the 200,000 rows of a province's roster)."""
        return self.connection.tuples(
            self.ns.sql(_roster(", ".join(f"m.{column}" for column in columns))), (program,))

    def member_groups(self, program: str) -> list[dict[str, Any]]:
        """The roster counted by district, occupation, decile and status (one row a group)."""
        return self._rows(
            "SELECT district, occupation, decile, status, count(*) AS members FROM {members}"
            " WHERE programme = ? GROUP BY district, occupation, decile, status"
            " ORDER BY district, occupation, decile, status", (program,))

    def handovers(self) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM {handovers} ORDER BY held_on, position")
        for row in rows:
            row["unpaid_claims"] = json.loads(row["unpaid_claims"])
        return rows


def _roster(columns: str) -> str:
    # Claims counted in one grouped read, not one read per member (claims has no index on
    # enrolment_id: each member's count was a scan of every claim); months paid per member
    # through the paid table's (enrolment_id, month) index.
    return (f"SELECT {columns}, (SELECT count(DISTINCT p.month) FROM {{paid}} p"
            "  WHERE p.enrolment_id = m.enrolment_id) AS months_paid,"
            " COALESCE(c.claims, 0) AS claims FROM {members} m LEFT JOIN"
            " (SELECT enrolment_id, count(*) AS claims FROM {claims} WHERE status <> 'rejected'"
            "  GROUP BY enrolment_id) c ON c.enrolment_id = m.enrolment_id"
            " WHERE m.programme = ? ORDER BY m.position")


def _rate(rates: list[dict[str, Any]], month: str) -> int:
    day = month_start(month).isoformat()
    total = 0
    for cover in {r["cover"] for r in rates}:
        valid = [r for r in rates if r["cover"] == cover and r["valid_from"] <= day]
        if valid:
            total += int(max(valid, key=lambda r: r["valid_from"])["amount"])
    return total
