"""Handover ceremonies: only approved claims are shown; unpaid ones are marked."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.errors import HandoverClaimNotApprovedError, InvalidInputError
from ledger.handover import CeremonyDetails, Official
from ledger.incident import IncidentKind
from scenario import APPROVER, CLERK, FINANCE, covered_member, heir

NAMBO_JAYA = CeremonyDetails(
    held_on=date(2026, 2, 3),
    venue="GOR Nambo Jaya",
    region="36.71",
    district="36.71.08",
    occasion="Safari Pembangunan",
    officials=(Official("Dessy Sriningsih", "Kepala Kantor Cabang BPJS Ketenagakerjaan Cimone"),),
)


def _claim(ledger: Ledger, seed: int) -> str:
    member = covered_member(ledger, seed=seed)
    death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 11, 2), "Periuk",
                                   "", work_related=False, actor=CLERK)
    return str(ledger.file_claim(death.id, Benefit.JKM_DEATH, heir(), date(2025, 11, 10),
                                 actor=CLERK).id)


def test_a_ceremony_records_each_recipient_and_marks_the_unpaid(ledger: Ledger) -> None:
    paid, unpaid = _claim(ledger, 1), _claim(ledger, 2)
    for claim_id in (paid, unpaid):
        ledger.approve_claim(claim_id, date(2025, 11, 20), APPROVER)
    ledger.disburse(paid, "TRF-9", 42_000_000, date(2026, 1, 15), FINANCE)
    handover = ledger.record_handover(NAMBO_JAYA, [paid, unpaid], actor=CLERK)
    stored = ledger.handover(handover.id)
    assert stored.venue == "GOR Nambo Jaya" and stored.held_on == date(2026, 2, 3)
    assert [item["paid"] for item in stored.items] == [True, False]
    assert [item["claim_id"] for item in stored.unpaid_items] == [unpaid]
    assert all(item["amount"] == 42_000_000 for item in stored.items)


def test_a_claim_not_approved_cannot_be_handed_over(ledger: Ledger) -> None:
    filed = _claim(ledger, 1)
    with pytest.raises(HandoverClaimNotApprovedError, match="is filed, not approved"):
        ledger.record_handover(NAMBO_JAYA, [filed], actor=CLERK)


def test_a_ceremony_without_claims_or_officials_is_refused(ledger: Ledger) -> None:
    with pytest.raises(InvalidInputError, match="name the claims"):
        ledger.record_handover(NAMBO_JAYA, [], actor=CLERK)
    no_officials = CeremonyDetails(date(2026, 2, 3), "GOR", "36.71", "36.71.08", "x", ())
    with pytest.raises(InvalidInputError, match="at least one official"):
        ledger.record_handover(no_officials, [_claim(ledger, 1)], actor=CLERK)
