"""As of any moment: what was recorded at a position, and answers that changed since a payout."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ledger.application import Ledger
from ledger.asof import AsOf
from ledger.benefits import Benefit
from ledger.enrolment import EndReason
from ledger.incident import IncidentKind
from scenario import APPROVER, CLERK, FINANCE, covered_member, heir, member_self


def _paid_accident_claim(ledger: Ledger, seed: int, months: tuple[str, ...]) -> tuple[str, str]:
    member = covered_member(ledger, months=months, seed=seed)
    accident = ledger.report_incident(member.id, IncidentKind.ACCIDENT, date(2025, 7, 14),
                                      "Jl. Daan Mogot", "fell", True, actor=CLERK)
    claim = ledger.file_claim(accident.id, Benefit.JKK_TOTAL_DISABILITY, member_self(member),
                              date(2025, 8, 1), actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 8, 4), APPROVER)
    ledger.disburse(claim.id, f"TRF-{seed}", 68_000_000, date(2025, 8, 8), FINANCE)
    return str(member.id), str(claim.id)


def test_a_record_reads_as_it_was_at_each_position(ledger: Ledger) -> None:
    member = covered_member(ledger)
    as_of = AsOf(ledger)
    enrolled_at = max(p for _, p, _ in as_of.events_of(member.id))
    ledger.record_kpj(member.id, "25012345678", CLERK)
    assert as_of.get(member.id, enrolled_at).kpj is None
    assert as_of.get(member.id, enrolled_at + 10**6).kpj == "25012345678"
    assert as_of.get(member.id, 0) is None


def test_a_late_reversal_changes_the_answer_of_a_paid_claim(ledger: Ledger) -> None:
    member_id, claim_id = _paid_accident_claim(ledger, 7, ("2025-07",))
    as_of = AsOf(ledger)
    paid_at = as_of.first_payout_position(claim_id)
    assert paid_at is not None
    assert as_of.changed_answers() == []
    # Recorded after the payout: the July contribution bounced.
    ledger.reverse_contribution("TNG-2025", "SP2D/7/2025-07", date(2025, 9, 1), "bounced",
                                FINANCE)
    assert as_of.coverage_known_at(member_id, date(2025, 7, 14), paid_at).covered
    assert not ledger.coverage_on(member_id, date(2025, 7, 14)).covered
    [changed] = as_of.changed_answers()
    assert changed.claim_id == claim_id and changed.covered_then and not changed.covered_now


def test_a_back_dated_coverage_end_changes_the_answer_too(ledger: Ledger) -> None:
    member_id, claim_id = _paid_accident_claim(ledger, 8, ("2025-03", "2025-07"))
    ledger.end_coverage(member_id, date(2025, 6, 30), EndReason.MOVED,
                        "moved to Bogor in June; learned in September", CLERK)
    changed = AsOf(ledger).changed_answers()
    assert [c.claim_id for c in changed] == [claim_id]
    assert "ended on 2025-06-30" in changed[0].reason_now


def test_a_recorded_time_maps_to_the_last_position_recorded_by_then(ledger: Ledger) -> None:
    covered_member(ledger)
    as_of = AsOf(ledger)
    head = int(ledger.recorder.max_notification_id() or 0)
    assert as_of.position_at(datetime.now(UTC) + timedelta(seconds=1)) == head
    assert as_of.position_at(datetime(2020, 1, 1, tzinfo=UTC)) == 0


def test_as_of_a_day_means_by_midnight_in_wib_not_in_utc(ledger: Ledger) -> None:
    covered_member(ledger)
    as_of = AsOf(ledger)
    head = int(ledger.recorder.max_notification_id() or 0)
    recorded: datetime = ledger.mapper.to_domain_event(
        ledger.recorder.select_notifications(start=head, limit=1)[0]).timestamp
    day_in_wib = (recorded + timedelta(hours=7)).date()
    assert as_of.position_by_end_of(day_in_wib) == head
    assert as_of.position_by_end_of(day_in_wib - timedelta(days=1)) < head
    assert as_of.position_by_end_of(date(2019, 12, 31)) == 0


def test_unrelated_claims_do_not_appear_as_changed(ledger: Ledger) -> None:
    _paid_accident_claim(ledger, 9, ("2025-07",))
    member = covered_member(ledger, seed=10)
    death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                   "", False, actor=CLERK)
    claim = ledger.file_claim(death.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10), CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 11), APPROVER)
    ledger.disburse(claim.id, "TRF-X", 42_000_000, date(2025, 9, 12), FINANCE)
    assert AsOf(ledger).changed_answers() == []
