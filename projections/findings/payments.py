"""Red flags 8 to 10, about money handed over and paid: a ceremony without an approval or a
payout, a budget not built on headcount x rate x months or paid beyond its ceiling, a payout
above its approval, a claim approved by the officer who filed it."""

from __future__ import annotations

from ledger.benefits import CURRENT_RULES_VERSION, Cover, rules
from ledger.identity import mask_nik
from projections.findings.facts import (
    AboveApproval,
    BeyondCeiling,
    BudgetOffRate,
    HandoverUnpaid,
    SelfApproved,
)
from projections.findings.model import HIGH, MEDIUM, Finding, positions_of
from projections.findings.queries import FindingRows


def handover_without_payout(rows: FindingRows) -> list[Finding]:
    first_paid = rows.first_payouts()
    found = []
    for row in rows.handed_over_unsettled():
        claim = row.claim_id
        paid_on, paid_position = first_paid.get(claim, (None, None))
        unpaid = int(row.approved) - int(row.disbursed)
        severity = HIGH if row.status != "approved" or unpaid > 0 else MEDIUM
        found.append(Finding(
            "handover-without-payout", severity, f"{row.handover_id}/{claim}",
            (row.programme,),
            HandoverUnpaid(row.venue, row.held_on, paid_on, row.status,
                           mask_nik(row.subject_nik), unpaid),
            members=(row.enrolment_id,) if row.enrolment_id else (), claims=(claim,),
            positions=positions_of(row.position, row.approved_position,
                                   row.handover_position, row.revoked_position,
                                   paid_position),
            amount=int(row.amount)))
    return found


def budget_checks(rows: FindingRows) -> list[Finding]:
    official = rules(CURRENT_RULES_VERSION)
    found = []
    for row in rows.programmes():
        covers = row.covers
        code = row.programme
        proof = positions_of(row.position, *rows.revision_positions(code))
        committed = int(row.paid) - int(row.reversed) + rows.city_payouts(code)
        ceiling = int(row.ceiling)
        if committed > ceiling:
            found.append(Finding(
                "paid-beyond-ceiling", HIGH, code, (code,),
                BeyondCeiling(committed, ceiling, code, row.dpa_reference),
                positions=proof, amount=committed - ceiling))
        pays = [c for c in covers if c in (Cover.JKK.value, Cover.JKM.value)]
        if not pays or row.planned_members is None:
            continue
        rate = official.official_rate(pays, int(row.wage_band or 1_000_000))
        headcount, months = int(row.planned_members), int(row.months)
        expected = headcount * rate * months
        if ceiling == expected:
            continue
        own = rows.programme_rates(code)
        found.append(Finding(
            "budget-not-headcount-rate-months", MEDIUM, code, (code,),
            BudgetOffRate(ceiling, headcount, rate, months, expected, own, code),
            positions=proof, amount=ceiling - expected))
    return found


def payout_above_approval(rows: FindingRows) -> list[Finding]:
    payouts = rows.payout_positions()
    found = []
    for row in rows.paid_beyond_approval():
        over = int(row.disbursed) - int(row.approved)
        found.append(Finding(
            "payout-above-approval", HIGH, row.claim_id, (row.programme,),
            AboveApproval(row.status, over, row.benefit, mask_nik(row.subject_nik),
                          int(row.disbursed), int(row.approved)),
            members=(row.enrolment_id,) if row.enrolment_id else (),
            claims=(row.claim_id,),
            positions=positions_of(row.position, row.approved_position,
                                   row.revoked_position, *payouts[row.claim_id]),
            amount=over))
    return found


def approved_by_filer(rows: FindingRows) -> list[Finding]:
    return [Finding(
        "approved-by-filer", HIGH, row.claim_id, (row.programme,),
        SelfApproved(row.approved_by, row.sole_approver_reason, row.benefit,
                     mask_nik(row.subject_nik)),
        members=(row.enrolment_id,) if row.enrolment_id else (), claims=(row.claim_id,),
        positions=positions_of(row.position, row.approved_position),
        amount=int(row.approved))
        for row in rows.approved_by_filer()]
