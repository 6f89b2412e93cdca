"""Red flags 4 to 7, about claims: a death soon after enrolment, an incident outside paid
coverage, two death benefits for one death, one account paid for unrelated families."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ledger.benefits import CURRENT_RULES_VERSION, rules
from ledger.calendar import add_calendar_months, add_months
from ledger.identity import mask_nik
from ledger.personal_fields import ERASED
from projections.findings.facts import EarlyDeath, OutsideCoverage, SharedAccount, TwoBenefits
from projections.findings.model import HIGH, MEDIUM, REVIEW, Finding, positions_of
from projections.findings.queries import AccountRow, DeathBenefitRow, FindingRows

#: An account receiving payouts for deceased of this many different families is a finding.
SHARED_ACCOUNT_FAMILIES = 3
DEATH_BENEFITS = ("jkm_death", "jkk_death", "city_death_grant")


def death_within_90_days(rows: FindingRows) -> list[Finding]:
    months = rules(CURRENT_RULES_VERSION).jkm_early_death_months
    found = []
    for row in rows.death_claims():
        enrolled = date.fromisoformat(row.enrolled_on)
        died = date.fromisoformat(row.occurred_on)
        if died >= add_calendar_months(enrolled, months):
            continue
        found.append(Finding(
            "death-within-90-days", MEDIUM, row.claim_id, (row.programme,),
            EarlyDeath(mask_nik(row.subject_nik), row.enrolled_on, row.occurred_on,
                       (died - enrolled).days, row.benefit),
            members=(row.enrolment_id,), claims=(row.claim_id,),
            positions=positions_of(row.enrolment_position, row.incident_position,
                                   row.position),
            amount=int(row.entitlement)))
    return found


def incident_outside_paid_coverage(rows: FindingRows) -> list[Finding]:
    paid = rows.paid_months_of_incident_claims()
    reversals = rows.reversal_positions()
    found = []
    for row in rows.incident_claims():
        day = row.occurred_on
        month = day[:7]
        if day >= row.enrolled_on:
            window = [add_months(month, -back) for back in range(int(row.grace_months) + 1)]
            months_paid = paid[row.enrolment_id]
            if any(m in months_paid for m in window if m >= row.enrolled_on[:7]):
                continue
        found.append(Finding(
            "incident-outside-paid-coverage", HIGH, row.claim_id, (row.programme,),
            OutsideCoverage(mask_nik(row.subject_nik), day, row.enrolled_on,
                            row.benefit, int(row.grace_months)),
            members=(row.enrolment_id,), claims=(row.claim_id,),
            positions=positions_of(row.enrolment_position, row.incident_position,
                                   row.position, *reversals.get(month, [])),
            amount=int(row.disbursed)))
    return found


def two_benefits_for_one_death(rows: FindingRows) -> list[Finding]:
    by_person: dict[str, list[DeathBenefitRow]] = defaultdict(list)
    for row in rows.death_benefit_claims():
        by_person[row.person_id or row.subject_nik].append(row)  # by id: a NIK may be erased
    found = []
    for claims in by_person.values():
        nik = claims[0].subject_nik
        benefits = [c.benefit for c in claims]
        bpjs = [b for b in benefits if b != "city_death_grant"]
        # JKK with JKM (or one benefit twice) is forbidden; the city grant beside a BPJS
        # death benefit is not ruled either way (docs/domain.md section 4): for review.
        severity = HIGH if len(bpjs) > 1 or benefits.count("city_death_grant") > 1 else REVIEW
        found.append(Finding(
            "two-benefits-for-one-death", severity, claims[0].claim_id,
            tuple(sorted({c.programme for c in claims})),
            TwoBenefits(mask_nik(nik), tuple(benefits)),
            members=tuple(sorted({c.enrolment_id for c in claims if c.enrolment_id})),
            claims=tuple(c.claim_id for c in claims),
            positions=positions_of(*(c.position for c in claims)),
            amount=sum(int(c.disbursed) for c in claims)))
    return found


def account_key(pseudonym: str) -> str:
    """A finding's key for a bank account: the start of the account's keyed pseudonym (HMAC
    of bank and number under the index key, ``claims.account_key``), the same in every run and
    after an erasure, that tells accounts apart without carrying the number, or a hash anyone
    could recompute from it, into ids, URLs and logs."""
    return "acct-" + pseudonym[:12]


def _masked(accounts: list[str | None]) -> str:
    """The account as shown, "BANK ****1234", from a claim whose number is not erased."""
    for account in accounts:
        if account and account != ERASED:
            bank, _, number = account.rpartition(" ")
            return f"{bank} ****{number[-4:]}"
    return ERASED


def shared_payee_account(rows: FindingRows) -> list[Finding]:
    payouts = rows.payout_positions()
    by_account: dict[str, list[AccountRow]] = defaultdict(list)
    for row in rows.paid_to_accounts():
        by_account[row.account_key].append(row)
    found = []
    for pseudonym, claims in by_account.items():
        families = {c.family for c in claims if c.family}
        if len(families) < SHARED_ACCOUNT_FAMILIES:
            continue
        found.append(Finding(
            "shared-payee-account", HIGH, account_key(pseudonym),
            tuple(sorted({c.programme for c in claims})),
            SharedAccount(_masked([c.account for c in claims]), len(families),
                          len({c.claimant for c in claims})),
            members=tuple(sorted({c.enrolment_id for c in claims if c.enrolment_id})),
            claims=tuple(c.claim_id for c in claims),
            positions=positions_of(*(c.position for c in claims),
                                   *(p for c in claims for p in payouts[c.claim_id])),
            amount=sum(int(c.disbursed) for c in claims)))
    return found
