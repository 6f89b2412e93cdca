"""What each event does to the projection tables, as SQL operations in log order.

Each row keeps ``position``: the log position of the event that created it (paging cursor).

A handler returns operations, not results: the runner executes a whole batch of them in one
transaction together with the tracking position, so an event is applied exactly once. Rows a
batch inserts are kept in memory until the batch (or a plain SQL operation) needs them in the
database, so later events of the same batch change them there (a KPJ card, an approval) instead
of costing an UPDATE each; then they go in with one ``executemany``, and bulk rows with COPY.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.personal_fields import ERASED


@dataclass(frozen=True)
class Op:
    """Plain SQL: runs after every operation before it has reached the database."""

    sql: str
    params: Sequence[Any] = ()


@dataclass(frozen=True)
class Insert:
    """A new row of ``table``, known by ``key`` (its primary key value) while in memory."""

    table: str
    key: str
    row: dict[str, Any]


@dataclass(frozen=True)
class Change:
    """Assignments and increments of one row, found by its primary key."""

    table: str
    key: str
    assign: dict[str, Any] = field(default_factory=dict)
    add: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Rows:
    """Many rows into one table, in bulk (COPY on PostgreSQL)."""

    table: str
    columns: tuple[str, ...]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class Spread:
    """Rows into one table that differ in one column only: ``fixed`` values for the columns
    before the last, one row for each of ``values`` (text) in the last (a payment order's members).
    On PostgreSQL one ``INSERT ... SELECT FROM unnest(...)`` of a binary array: no row is made in
    Python."""

    table: str
    columns: tuple[str, ...]
    fixed: tuple[Any, ...]
    values: Sequence[str]


Operation = Op | Insert | Change | Rows | Spread

#: The primary key column of each table whose rows are changed by key.
PRIMARY_KEYS = {"members": "enrolment_id", "claims": "claim_id", "incidents": "incident_id"}


def _d(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


Handler = Callable[[Any, int], list[Operation]]


def programme_opened(e: Any, position: int) -> list[Operation]:
    ops: list[Operation] = [Op(
        "INSERT INTO {programmes} (programme, programme_id, name, funder_name, funder_region,"
        " funding_source, fiscal_year, covers, ceiling, dpa_reference, first_month, months,"
        " grace_months, planned_members, wage_band, position, version)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (e.code, str(e.originator_id), e.name, e.funder_name, e.funder_region,
         e.funding_source, e.fiscal_year, json.dumps(e.covers), e.budget_ceiling,
         e.dpa_reference, e.first_month, e.months, e.grace_months, e.planned_members,
         e.wage_band, position, e.originator_version))]
    ops += [_rate(e.code, r) for r in e.rates]
    return ops


def _rate(code: str, rate: dict[str, Any]) -> Op:
    return Op("INSERT INTO {rates} (programme, cover, valid_from, amount) VALUES (?,?,?,?)",
              (code, rate["cover"], _d(rate["valid_from"]), rate["amount"]))


_CODE = "(SELECT programme FROM {programmes} WHERE programme_id = ?)"


def budget_revised(e: Any, position: int) -> list[Operation]:
    pid = str(e.originator_id)
    return [
        Op("UPDATE {programmes} SET ceiling = ?, dpa_reference = ?, revisions = revisions + 1,"
           " version = ? WHERE programme_id = ?",
           (e.ceiling, e.dpa_reference, e.originator_version, pid)),
        Op(f"INSERT INTO {{revisions}} (programme, position, ceiling, dpa_reference, reason)"
           f" VALUES ({_CODE}, ?, ?, ?, ?)",
           (pid, position, e.ceiling, e.dpa_reference, e.reason)),
    ]


def rate_set(e: Any, position: int) -> list[Operation]:
    r = e.rate
    return [Op(f"INSERT INTO {{rates}} (programme, cover, valid_from, amount)"
               f" VALUES ({_CODE}, ?, ?, ?)",
               (str(e.originator_id), r["cover"], _d(r["valid_from"]), r["amount"])),
            *programme_touched(e, position)]


def programme_closed(e: Any, position: int) -> list[Operation]:
    return [Op("UPDATE {programmes} SET closed_on = ?, version = ? WHERE programme_id = ?",
               (_d(e.closed_on), e.originator_version, str(e.originator_id)))]


def programme_touched(e: Any, position: int) -> list[Operation]:
    """An event of a programme that the budget reads elsewhere (a payment booked against it):
    only the programme's version moves, for the programme list."""
    return [Op("UPDATE {programmes} SET version = ? WHERE programme_id = ?",
               (e.originator_version, str(e.originator_id)))]


def enrolled(e: Any, position: int) -> list[Operation]:
    key = str(e.originator_id)
    return [Insert("members", key, {
        "enrolment_id": key, "programme": e.programme_code, "nik": e.nik,
        "person_id": str(e.person_id), "name": e.name, "region": e.region,
        "district": e.district, "village": e.village, "occupation": e.occupation,
        "branch": e.branch, "decile": e.decile, "enrolled_on": _d(e.enrolled_on),
        "status": "active", "ended_on": None, "end_reason": None, "kpj": None,
        "died_on": None, "position": position, "kk": e.kk, "ended_position": None,
        "died_position": None, "identity": None, "identity_reason": None,
        "identity_position": None, "version": e.originator_version,
        "kk_key": getattr(e, "kk_key", None)})]


def kpj_recorded(e: Any, position: int) -> list[Operation]:
    return [Change("members", str(e.originator_id), {"kpj": e.kpj,
                                                       "version": e.originator_version})]


END_STATUS = {"died": "deceased", "lapsed": "lapsed"}


def coverage_ended(e: Any, position: int) -> list[Operation]:
    return [Change("members", str(e.originator_id), {
        "status": END_STATUS.get(e.reason, "ended"), "ended_on": _d(e.ended_on),
        "end_reason": e.reason, "ended_position": position,
        "version": e.originator_version})]


def death_recorded(e: Any, position: int) -> list[Operation]:
    return [Op("UPDATE {members} SET died_on = ?, died_position = ? WHERE person_id = ?",
               (_d(e.died_on), position, str(e.originator_id)))]


def identity_checked(e: Any, position: int) -> list[Operation]:
    """The registry's latest answer on a member is the one that counts."""
    answers = [(member, "matched", None) for member in e.matched]
    answers += [(member, "not_matched", reason) for member, reason in e.unmatched.items()]
    return [Change("members", member, {"identity": answer, "identity_reason": reason,
                                       "identity_position": position})
            for member, answer, reason in answers]


def contribution_paid(e: Any, position: int) -> list[Operation]:
    cid = str(e.originator_id)
    return [
        Op("INSERT INTO {contributions} (contribution_id, programme, sp2d, paid_on, months,"
           " month_count, members, rate, amount, position) VALUES (?,?,?,?,?,?,?,?,?,?)",
           (cid, e.programme_code, e.sp2d, _d(e.paid_on), json.dumps(e.months),
            len(e.months), len(e.enrolment_ids), e.rate, e.amount, position)),
        Op("UPDATE {programmes} SET paid = paid + ? WHERE programme = ?",
           (e.amount, e.programme_code)),
        *(Spread("paid", ("contribution_id", "month", "enrolment_id"), (cid, month),
                 e.enrolment_ids) for month in e.months),
    ]


def contribution_reversed(e: Any, position: int) -> list[Operation]:
    cid = str(e.originator_id)
    return [
        Op("UPDATE {contributions} SET reversed_on = ?, reversed_position = ?"
           " WHERE contribution_id = ?", (_d(e.reversed_on), position, cid)),
        Op("UPDATE {programmes} SET reversed = reversed + (SELECT amount FROM {contributions}"
           " WHERE contribution_id = ?) WHERE programme = (SELECT programme FROM"
           " {contributions} WHERE contribution_id = ?)", (cid, cid)),
        Op("DELETE FROM {paid} WHERE contribution_id = ?", (cid,)),
    ]


def incident_reported(e: Any, position: int) -> list[Operation]:
    key = str(e.originator_id)
    return [Insert("incidents", key, {
        "incident_id": key, "enrolment_id": e.enrolment_id, "programme": e.programme_code,
        "kind": e.kind, "occurred_on": _d(e.occurred_on), "work_related": int(e.work_related),
        "position": position, "version": e.originator_version})]


def _touched(table: str) -> Handler:
    """An event that moves only its record's version (the list read models read it there)."""
    return lambda e, _: [Change(table, str(e.originator_id), {"version": e.originator_version})]


def schedule_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """What a JKK schedule claim stands on (its STMB month; its table row, percentage and share
    of function lost; its receipts and home care's first day), for what is owed and drift."""
    receipts = facts.get("receipts")
    return {"stmb_month": facts.get("month"), "disability_row": facts.get("disability_row"),
            "disability_percent": facts.get("disability_percent"),
            "function_lost_percent": facts.get("function_lost_percent"),
            "receipts": json.dumps(receipts, default=str) if receipts is not None else None,
            "started_on": _d(facts.get("started_on"))}


def claim_filed(e: Any, position: int) -> list[Operation]:
    facts = e.facts if isinstance(e.facts, dict) else {}
    occurred = facts.get("occurred_on") or facts.get("died_on")
    claimant = e.claimant
    key = str(e.originator_id)
    return [Insert("claims", key, {
        "claim_id": key, "programme": e.programme_code, "benefit": e.benefit,
        "payer": "CITY" if e.benefit == "city_death_grant" else "BPJS",
        "enrolment_id": e.enrolment_id, "incident_id": e.incident_id,
        "subject_nik": e.subject_nik, "district": facts.get("district"), "filed_on": _d(e.filed_on),
        "entitlement": e.entitlement, "status": "filed", "approved": 0, "approved_on": None,
        "disbursed": 0, "reversed": 0, "position": position, "filed_by": e.actor,
        "approved_by": None, "sole_approver_reason": None, "approved_position": None,
        "revoked_on": None, "revoked_position": None, "claimant_nik": claimant.get("nik"),
        "account": _account(claimant), "person_id": getattr(e, "person_id", None),
        "claimant_id": claimant.get("subject_id"),
        "subject_kk": facts.get("deceased_kk"), "occurred_on": _d(occurred),
        "account_key": claimant.get("account_key"), "subject_kk_key": facts.get("deceased_kk_key"),
        "rule_version": e.rule_version, "wage": facts.get("wage"),
        "enrolled_on": _d(facts.get("enrolled_on")),
        "incapacity_months": facts.get("incapacity_months"), "version": e.originator_version,
        **schedule_facts(facts)})]


def _account(claimant: dict[str, Any]) -> str:
    """The payee account as the claims table holds it: bank and number, or "[dihapus]" once
    the claimant's number is erased (as the erasure's own handler leaves it)."""
    number = claimant.get("account_number", "")
    if number == ERASED:
        return ERASED
    return f"{claimant.get('bank', '')} {number}".strip()


def claim_approved(e: Any, position: int) -> list[Operation]:
    return [Change("claims", str(e.originator_id), {
        "status": "approved", "approved": e.amount, "approved_on": _d(e.approved_on),
        "approved_by": e.actor, "rule_version": e.rule_version,
        "sole_approver_reason": getattr(e, "sole_approver_reason", "") or None,
        "approved_position": position, "version": e.originator_version})]


def approval_revoked(e: Any, position: int) -> list[Operation]:
    return [Change("claims", str(e.originator_id), {
        "status": "revoked", "approved": 0, "revoked_on": _d(e.revoked_on),
        "revoked_position": position, "version": e.originator_version})]


def claim_rejected(e: Any, position: int) -> list[Operation]:
    return [Change("claims", str(e.originator_id), {"status": "rejected",
                                                      "version": e.originator_version})]


def disbursed(e: Any, position: int) -> list[Operation]:
    cid = str(e.originator_id)
    return [
        Change("claims", cid, {"version": e.originator_version}, {"disbursed": e.amount}),
        Insert("payouts", f"{cid}/{e.reference}", {
            "claim_id": cid, "reference": e.reference, "amount": e.amount,
            "paid_on": _d(e.paid_on), "reversed": 0, "position": position}),
    ]


def disbursement_reversed(e: Any, position: int) -> list[Operation]:
    cid = str(e.originator_id)
    amount = ("(SELECT amount FROM {payouts} WHERE claim_id = ? AND reference = ?"
              " AND reversed = 0)")
    return [
        Op(f"UPDATE {{claims}} SET disbursed = disbursed - {amount}, reversed = reversed +"
           f" {amount}, version = ? WHERE claim_id = ?",
           (cid, e.reference, cid, e.reference, e.originator_version, cid)),
        Op("UPDATE {payouts} SET reversed = 1 WHERE claim_id = ? AND reference = ?",
           (cid, e.reference)),
    ]


def _recipients(e: Any) -> int:
    """The people who received at a ceremony, each once (an heir may take several benefits):
    by the recipient's subject id (an erased name reads "[dihapus]"), by name where none."""
    return len({(item.get("recipient_subject_id") or item.get("recipient"),
                 item.get("relationship")) for item in e.items})


def handover_held(e: Any, position: int) -> list[Operation]:
    unpaid = [item["claim_id"] for item in e.items if not item["paid"]]
    items = Rows("handover_items", ("handover_id", "claim_id", "amount", "paid_at_ceremony",
                                    "position"),
                 [(str(e.originator_id), item["claim_id"], item["amount"], int(item["paid"]),
                   position) for item in e.items])
    return [items, Op(
        "INSERT INTO {handovers} (handover_id, held_on, venue, region, occasion, recipients,"
        " total, unpaid, unpaid_claims, position) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (str(e.originator_id), _d(e.held_on), e.venue, e.region, e.occasion, _recipients(e),
         sum(item["amount"] for item in e.items), len(unpaid), json.dumps(unpaid), position))]


#: The projection an event's rows belong to, by its aggregate, for naming a projection that
#: cannot apply one (all of them move together; this says where to look). The journal takes
#: every event.
PROJECTION_OF = {
    "Programme": "budget", "Contribution": "budget", "Enrolment": "coverage",
    "Person": "coverage", "IdentityCheck": "coverage", "Incident": "balances",
    "Claim": "balances", "Handover": "balances", "Reconciliation": "reconciliation",
}


def projection_of(event_name: str) -> str:
    """``"Programme.Opened"`` -> ``"budget"``; an event no read model handles -> journal."""
    return PROJECTION_OF.get(event_name.split(".", 1)[0], "journal")


HANDLERS: dict[str, Handler] = {
    "Programme.Opened": programme_opened,
    "Programme.BudgetRevised": budget_revised,
    "Programme.RateSet": rate_set,
    "Programme.Closed": programme_closed,
    "Programme.ContributionBooked": programme_touched,
    "Programme.ContributionUnbooked": programme_touched,
    "Programme.PayoutBooked": programme_touched,
    "Programme.PayoutUnbooked": programme_touched,
    "Person.DeathRecorded": death_recorded,
    "Enrolment.Enrolled": enrolled,
    "Enrolment.KpjRecorded": kpj_recorded,
    "Enrolment.CoverageEnded": coverage_ended,
    "IdentityCheck.Recorded": identity_checked,
    "Incident.Reported": incident_reported,
    "Incident.ClaimOpened": _touched("incidents"), "Incident.ClaimClosed": _touched("incidents"),
    "Contribution.Paid": contribution_paid,
    "Contribution.Reversed": contribution_reversed,
    "Claim.Filed": claim_filed,
    "Claim.Approved": claim_approved,
    "Claim.Rejected": claim_rejected,
    "Claim.ApprovalRevoked": approval_revoked,
    "Claim.Disbursed": disbursed,
    "Claim.DisbursementReversed": disbursement_reversed,
    "Claim.FileCompleted": _touched("claims"),  # Claim.LateInterestOwed: projections.obligations
    "Handover.Held": handover_held,
}
