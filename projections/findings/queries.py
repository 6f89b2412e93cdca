"""The reads the audit findings make, one named query each, on one snapshot of the tables."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from projections.queries import Reader


class FindingRows:
    """The rows each finding rule reads from the projection tables (dates as ISO text)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return self.reader.connection.query(self.reader.ns.sql(sql), params)

    def paid_after_end(self) -> list[dict[str, Any]]:
        """Months paid for members after their recorded death or move (ended or died)."""
        return self._rows(
            "SELECT m.enrolment_id, m.programme, m.nik, m.end_reason, m.ended_on, m.died_on,"
            " m.ended_position, m.died_position, p.month, c.sp2d, c.rate, c.position"
            " FROM {paid} p JOIN {members} m ON m.enrolment_id = p.enrolment_id"
            " JOIN {contributions} c ON c.contribution_id = p.contribution_id"
            " WHERE (m.end_reason IN ('died', 'moved') AND p.month > substr(m.ended_on, 1, 7))"
            " OR (m.died_on IS NOT NULL AND p.month > substr(m.died_on, 1, 7))"
            " ORDER BY m.enrolment_id, p.month")

    def identity_answers(self) -> list[dict[str, Any]]:
        """Members the population register never matched (never asked, or not matched)."""
        return self._rows(
            "SELECT enrolment_id, programme, nik, identity, identity_reason, position,"
            " identity_position FROM {members} WHERE identity IS NULL OR identity <> 'matched'"
            " ORDER BY position")

    def paid_twice(self) -> list[dict[str, Any]]:
        """Every payment of a NIK-month paid for more than once."""
        return self._rows(
            "SELECT m.person_id, m.nik, m.enrolment_id, m.programme, p.month, c.sp2d, c.rate,"
            " c.position FROM {paid} p JOIN {members} m ON m.enrolment_id = p.enrolment_id"
            " JOIN {contributions} c ON c.contribution_id = p.contribution_id"
            " JOIN (SELECT m2.nik, p2.month FROM {paid} p2 JOIN {members} m2"
            "       ON m2.enrolment_id = p2.enrolment_id GROUP BY m2.nik, p2.month"
            "       HAVING count(*) > 1) twice ON twice.nik = m.nik AND twice.month = p.month"
            " ORDER BY m.nik, p.month, c.position")

    def death_claims(self) -> list[dict[str, Any]]:
        """Death benefit claims on an incident, with the enrolment they are on."""
        return self._rows(
            "SELECT c.claim_id, c.programme, c.benefit, c.subject_nik, c.entitlement, c.position,"
            " i.occurred_on, i.position AS incident_position, m.enrolment_id, m.enrolled_on,"
            " m.position AS enrolment_position FROM {claims} c"
            " JOIN {incidents} i ON i.incident_id = c.incident_id"
            " JOIN {members} m ON m.enrolment_id = c.enrolment_id"
            " WHERE c.benefit IN ('jkm_death', 'jkk_death') AND c.status <> 'rejected'"
            " ORDER BY c.position")

    def incident_claims(self) -> list[dict[str, Any]]:
        """Claims on an incident (not rejected), with enrolment and grace months."""
        return self._rows(
            "SELECT c.claim_id, c.programme, c.benefit, c.subject_nik, c.approved, c.disbursed,"
            " c.position, i.occurred_on, i.position AS incident_position, m.enrolment_id,"
            " m.enrolled_on, m.ended_on, m.position AS enrolment_position, pr.grace_months"
            " FROM {claims} c JOIN {incidents} i ON i.incident_id = c.incident_id"
            " JOIN {members} m ON m.enrolment_id = c.enrolment_id"
            " JOIN {programmes} pr ON pr.programme = c.programme"
            " WHERE c.status <> 'rejected' ORDER BY c.position")

    def paid_months_of_incident_claims(self) -> dict[str, set[str]]:
        """The months paid for each member that has a claim on an incident."""
        paid: dict[str, set[str]] = defaultdict(set)
        for row in self._rows(
                "SELECT DISTINCT p.enrolment_id, p.month FROM {paid} p JOIN {claims} c"
                " ON c.enrolment_id = p.enrolment_id WHERE c.incident_id IS NOT NULL"):
            paid[row["enrolment_id"]].add(row["month"])
        return paid

    def reversal_positions(self) -> dict[str, list[int]]:
        """For each month, the positions of the reversals of payment orders that paid it."""
        reversals: dict[str, list[int]] = defaultdict(list)
        for row in self._rows(
                "SELECT months, reversed_position FROM {contributions}"
                " WHERE reversed_position IS NOT NULL"):
            for month in json.loads(row["months"]):
                reversals[month].append(int(row["reversed_position"]))
        return reversals

    def death_benefit_claims(self) -> list[dict[str, Any]]:
        """Death benefits (not rejected) of every NIK that has more than one."""
        return self._rows(
            "SELECT c.claim_id, c.programme, c.benefit, c.subject_nik, c.approved, c.disbursed,"
            " c.position, c.enrolment_id FROM {claims} c JOIN (SELECT subject_nik FROM {claims}"
            "  WHERE benefit IN ('jkm_death', 'jkk_death', 'city_death_grant')"
            "  AND status <> 'rejected' GROUP BY subject_nik HAVING count(*) > 1) twice"
            " ON twice.subject_nik = c.subject_nik"
            " WHERE c.benefit IN ('jkm_death', 'jkk_death', 'city_death_grant')"
            " AND c.status <> 'rejected' ORDER BY c.subject_nik, c.position")

    def paid_to_accounts(self) -> list[dict[str, Any]]:
        """Paid claims with a payee account, and the family of each."""
        return self._rows(
            "SELECT c.claim_id, c.programme, c.account, c.claimant_nik, c.disbursed, c.position,"
            " COALESCE(c.subject_kk, m.kk) AS family, c.enrolment_id FROM {claims} c"
            " LEFT JOIN {members} m ON m.enrolment_id = c.enrolment_id"
            " WHERE c.status <> 'rejected' AND c.disbursed > 0 AND c.account IS NOT NULL"
            " ORDER BY c.account, c.position")

    def payout_positions(self) -> dict[str, list[int]]:
        """The positions of each claim's payouts that stand (not reversed)."""
        payouts: dict[str, list[int]] = defaultdict(list)
        for row in self._rows("SELECT claim_id, position FROM {payouts} WHERE reversed = 0"):
            payouts[row["claim_id"]].append(int(row["position"]))
        return payouts

    def handed_over_unsettled(self) -> list[dict[str, Any]]:
        """Claims shown at a ceremony unpaid then, or unsettled since."""
        return self._rows(
            "SELECT h.handover_id, h.held_on, h.venue, h.position AS handover_position,"
            " i.claim_id, i.amount, i.paid_at_ceremony, c.programme, c.status, c.approved,"
            " c.disbursed, c.position, c.approved_position, c.revoked_position, c.subject_nik,"
            " c.enrolment_id FROM {handover_items} i"
            " JOIN {handovers} h ON h.handover_id = i.handover_id"
            " JOIN {claims} c ON c.claim_id = i.claim_id"
            " WHERE i.paid_at_ceremony = 0 OR c.status <> 'approved' OR c.disbursed < c.approved"
            " ORDER BY h.position, c.position")

    def first_payouts(self) -> dict[str, tuple[str, int]]:
        """Each claim's first payout that stands: its day and position."""
        first: dict[str, tuple[str, int]] = {}
        for row in self._rows("SELECT claim_id, paid_on, position FROM {payouts}"
                              " WHERE reversed = 0 ORDER BY position"):
            first.setdefault(row["claim_id"], (row["paid_on"], int(row["position"])))
        return first

    def programmes(self) -> list[dict[str, Any]]:
        """Every programme, in the order opened."""
        return self._rows(
            "SELECT * FROM {programmes} ORDER BY position")

    def revision_positions(self, code: str) -> list[int]:
        """The positions of a programme's budget revisions."""
        return [int(r["position"]) for r in self._rows(
            "SELECT position FROM {revisions} WHERE programme = ?", (code,))]

    def city_payouts(self, code: str) -> int:
        """What a programme's city grants have paid out."""
        return int(self._rows(
            "SELECT COALESCE(sum(disbursed), 0) AS total FROM {claims}"
            " WHERE programme = ? AND payer = 'CITY'", (code,))[0]["total"])

    def programme_rates(self, code: str) -> list[dict[str, Any]]:
        """A programme's own rates, by the day they took effect."""
        return self._rows(
            "SELECT cover, amount FROM {rates} WHERE programme = ?"
            " ORDER BY valid_from", (code,))

    def paid_beyond_approval(self) -> list[dict[str, Any]]:
        """Claims paid beyond their approved amount."""
        return self._rows(
            "SELECT claim_id, programme, benefit, subject_nik, approved, disbursed, status,"
            " position, approved_position, revoked_position, enrolment_id FROM {claims}"
            " WHERE disbursed > approved ORDER BY position")

    def approved_by_filer(self) -> list[dict[str, Any]]:
        """Claims approved by the officer who filed them."""
        return self._rows(
            "SELECT claim_id, programme, benefit, subject_nik, approved, filed_by, approved_by,"
            " sole_approver_reason, position, approved_position, enrolment_id FROM {claims}"
            " WHERE approved_by IS NOT NULL AND approved_by = filed_by ORDER BY position")
