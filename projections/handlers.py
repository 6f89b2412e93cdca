"""What each event does to the projection tables, as SQL operations in log order.

Each row keeps ``position``: the log position of the event that created it (paging cursor).

A handler returns operations, not results: the runner executes a whole batch of them in one
transaction (consecutive identical statements as one ``executemany``, bulk rows with COPY on
PostgreSQL) together with the tracking position, so an event is applied exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.person import person_id


@dataclass(frozen=True)
class Op:
    """One statement with its parameters (``rows`` set: many rows into one table, bulk)."""

    sql: str
    params: Sequence[Any] = ()
    table: str = ""
    columns: tuple[str, ...] = ()
    rows: Sequence[Sequence[Any]] = ()


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


Handler = Callable[[Any, int], list[Op]]


def programme_opened(e: Any, position: int) -> list[Op]:
    ops = [Op(
        "INSERT INTO {programmes} (programme, programme_id, name, funder_name, funder_region,"
        " funding_source, fiscal_year, covers, ceiling, dpa_reference, first_month, months,"
        " grace_months, planned_members) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (e.code, str(e.originator_id), e.name, e.funder_name, e.funder_region,
         e.funding_source, e.fiscal_year, json.dumps(e.covers), e.budget_ceiling,
         e.dpa_reference, e.first_month, e.months, e.grace_months, e.planned_members))]
    ops += [_rate(e.code, r) for r in e.rates]
    return ops


def _rate(code: str, rate: dict[str, Any]) -> Op:
    return Op("INSERT INTO {rates} (programme, cover, valid_from, amount) VALUES (?,?,?,?)",
              (code, rate["cover"], _d(rate["valid_from"]), rate["amount"]))


_CODE = "(SELECT programme FROM {programmes} WHERE programme_id = ?)"


def budget_revised(e: Any, position: int) -> list[Op]:
    pid = str(e.originator_id)
    return [
        Op("UPDATE {programmes} SET ceiling = ?, dpa_reference = ?, revisions = revisions + 1"
           " WHERE programme_id = ?", (e.ceiling, e.dpa_reference, pid)),
        Op(f"INSERT INTO {{revisions}} (programme, position, ceiling, dpa_reference, reason)"
           f" VALUES ({_CODE}, ?, ?, ?, ?)",
           (pid, position, e.ceiling, e.dpa_reference, e.reason)),
    ]


def rate_set(e: Any, position: int) -> list[Op]:
    r = e.rate
    return [Op(f"INSERT INTO {{rates}} (programme, cover, valid_from, amount)"
               f" VALUES ({_CODE}, ?, ?, ?)",
               (str(e.originator_id), r["cover"], _d(r["valid_from"]), r["amount"]))]


def programme_closed(e: Any, position: int) -> list[Op]:
    return [Op("UPDATE {programmes} SET closed_on = ? WHERE programme_id = ?",
               (_d(e.closed_on), str(e.originator_id)))]


def enrolled(e: Any, position: int) -> list[Op]:
    return [Op(
        "INSERT INTO {members} (enrolment_id, programme, nik, person_id, name, region, district,"
        " village, occupation, branch, decile, enrolled_on, status, position)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (str(e.originator_id), e.programme_code, e.nik, str(person_id(e.nik)), e.name,
         e.region, e.district, e.village, e.occupation, e.branch, e.decile,
         _d(e.enrolled_on), "active", position))]


def kpj_recorded(e: Any, position: int) -> list[Op]:
    return [Op("UPDATE {members} SET kpj = ? WHERE enrolment_id = ?",
               (e.kpj, str(e.originator_id)))]


END_STATUS = {"died": "deceased", "lapsed": "lapsed"}


def coverage_ended(e: Any, position: int) -> list[Op]:
    return [Op("UPDATE {members} SET status = ?, ended_on = ?, end_reason = ?"
               " WHERE enrolment_id = ?",
               (END_STATUS.get(e.reason, "ended"), _d(e.ended_on), e.reason,
                str(e.originator_id)))]


def death_recorded(e: Any, position: int) -> list[Op]:
    return [Op("UPDATE {members} SET died_on = ? WHERE person_id = ?",
               (_d(e.died_on), str(e.originator_id)))]


def contribution_paid(e: Any, position: int) -> list[Op]:
    cid = str(e.originator_id)
    return [
        Op("INSERT INTO {contributions} (contribution_id, programme, sp2d, paid_on, months,"
           " month_count, members, rate, amount, position) VALUES (?,?,?,?,?,?,?,?,?,?)",
           (cid, e.programme_code, e.sp2d, _d(e.paid_on), json.dumps(e.months),
            len(e.months), len(e.enrolment_ids), e.rate, e.amount, position)),
        Op("UPDATE {programmes} SET paid = paid + ? WHERE programme = ?",
           (e.amount, e.programme_code)),
        Op("", table="paid", columns=("contribution_id", "enrolment_id", "month"),
           rows=[(cid, member, month) for month in e.months for member in e.enrolment_ids]),
    ]


def contribution_reversed(e: Any, position: int) -> list[Op]:
    cid = str(e.originator_id)
    return [
        Op("UPDATE {contributions} SET reversed_on = ? WHERE contribution_id = ?",
           (_d(e.reversed_on), cid)),
        Op("UPDATE {programmes} SET reversed = reversed + (SELECT amount FROM {contributions}"
           " WHERE contribution_id = ?) WHERE programme = (SELECT programme FROM"
           " {contributions} WHERE contribution_id = ?)", (cid, cid)),
        Op("DELETE FROM {paid} WHERE contribution_id = ?", (cid,)),
    ]


def claim_filed(e: Any, position: int) -> list[Op]:
    district = e.facts.get("district") if isinstance(e.facts, dict) else None
    payer = "CITY" if e.benefit == "city_death_grant" else "BPJS"
    return [Op(
        "INSERT INTO {claims} (claim_id, programme, benefit, payer, enrolment_id, incident_id,"
        " subject_nik, district, filed_on, entitlement, status, position)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (str(e.originator_id), e.programme_code, e.benefit, payer, e.enrolment_id,
         e.incident_id, e.subject_nik, district, _d(e.filed_on), e.entitlement, "filed",
         position))]


def claim_approved(e: Any, position: int) -> list[Op]:
    return [Op("UPDATE {claims} SET status = 'approved', approved = ?, approved_on = ?"
               " WHERE claim_id = ?", (e.amount, _d(e.approved_on), str(e.originator_id)))]


def claim_rejected(e: Any, position: int) -> list[Op]:
    return [Op("UPDATE {claims} SET status = 'rejected' WHERE claim_id = ?",
               (str(e.originator_id),))]


def disbursed(e: Any, position: int) -> list[Op]:
    cid = str(e.originator_id)
    return [
        Op("UPDATE {claims} SET disbursed = disbursed + ? WHERE claim_id = ?",
           (e.amount, cid)),
        Op("INSERT INTO {payouts} (claim_id, reference, amount, paid_on) VALUES (?,?,?,?)",
           (cid, e.reference, e.amount, _d(e.paid_on))),
    ]


def disbursement_reversed(e: Any, position: int) -> list[Op]:
    cid = str(e.originator_id)
    amount = ("(SELECT amount FROM {payouts} WHERE claim_id = ? AND reference = ?"
              " AND reversed = 0)")
    return [
        Op(f"UPDATE {{claims}} SET disbursed = disbursed - {amount}, reversed = reversed +"
           f" {amount} WHERE claim_id = ?", (cid, e.reference, cid, e.reference, cid)),
        Op("UPDATE {payouts} SET reversed = 1 WHERE claim_id = ? AND reference = ?",
           (cid, e.reference)),
    ]


def handover_held(e: Any, position: int) -> list[Op]:
    unpaid = [item["claim_id"] for item in e.items if not item["paid"]]
    return [Op(
        "INSERT INTO {handovers} (handover_id, held_on, venue, region, occasion, recipients,"
        " total, unpaid, unpaid_claims, position) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (str(e.originator_id), _d(e.held_on), e.venue, e.region, e.occasion, len(e.items),
         sum(item["amount"] for item in e.items), len(unpaid), json.dumps(unpaid), position))]


HANDLERS: dict[str, Handler] = {
    "Programme.Opened": programme_opened,
    "Programme.BudgetRevised": budget_revised,
    "Programme.RateSet": rate_set,
    "Programme.Closed": programme_closed,
    "Person.DeathRecorded": death_recorded,
    "Enrolment.Enrolled": enrolled,
    "Enrolment.KpjRecorded": kpj_recorded,
    "Enrolment.CoverageEnded": coverage_ended,
    "Contribution.Paid": contribution_paid,
    "Contribution.Reversed": contribution_reversed,
    "Claim.Filed": claim_filed,
    "Claim.Approved": claim_approved,
    "Claim.Rejected": claim_rejected,
    "Claim.Disbursed": disbursed,
    "Claim.DisbursementReversed": disbursement_reversed,
    "Handover.Held": handover_held,
}
