"""The reads the audit findings make, one named query each with a typed, frozen row, on one
snapshot of the tables (dates as ISO text, money as whole rupiah)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from projections.queries import Reader
from projections.views import Programme, Row, row_of


@dataclass(frozen=True)
class PaidAfterEndRow:
    """A month paid for a member after the member's recorded death or move."""

    enrolment_id: str
    programme: str
    nik: str
    end_reason: str | None
    ended_on: str | None
    died_on: str | None
    ended_position: int | None
    died_position: int | None
    month: str
    sp2d: str
    rate: int
    position: int


@dataclass(frozen=True)
class IdentityRow:
    """A member and the population register's latest answer on it (None: never asked)."""

    enrolment_id: str
    programme: str
    nik: str
    identity: str | None
    identity_reason: str | None
    position: int
    identity_position: int | None


@dataclass(frozen=True)
class PaidTwiceRow:
    """One payment of a NIK-month that was paid for more than once."""

    person_id: str
    nik: str
    enrolment_id: str
    programme: str
    month: str
    sp2d: str
    rate: int
    position: int


@dataclass(frozen=True)
class DeathClaimRow:
    """A death benefit claim on an incident, with the enrolment it is on."""

    claim_id: str
    programme: str
    benefit: str
    subject_nik: str
    entitlement: int
    position: int
    occurred_on: str
    incident_position: int
    enrolment_id: str
    enrolled_on: str
    enrolment_position: int


@dataclass(frozen=True)
class IncidentClaimRow:
    """A claim on an incident, with its enrolment and the programme's grace months."""

    claim_id: str
    programme: str
    benefit: str
    subject_nik: str
    approved: int
    disbursed: int
    position: int
    occurred_on: str
    incident_position: int
    enrolment_id: str
    enrolled_on: str
    ended_on: str | None
    enrolment_position: int
    grace_months: int


@dataclass(frozen=True)
class DeathBenefitRow:
    """A death benefit claimed for a NIK that has more than one."""

    claim_id: str
    programme: str
    benefit: str
    subject_nik: str
    approved: int
    disbursed: int
    position: int
    enrolment_id: str | None
    person_id: str | None = None  # who died: the death's benefits are grouped by it


@dataclass(frozen=True)
class AccountRow:
    """A paid claim with its payee account and the family it is for, both by their keyed
    pseudonyms (the numbers themselves read "[dihapus]" once erased), and the account masked
    for display."""

    claim_id: str
    programme: str
    account_key: str
    account: str | None
    claimant: str | None
    disbursed: int
    position: int
    family: str | None
    enrolment_id: str | None


@dataclass(frozen=True)
class HandedOverRow:
    """A claim shown at a ceremony, unpaid then or unsettled since."""

    handover_id: str
    held_on: str
    venue: str
    handover_position: int
    claim_id: str
    amount: int
    paid_at_ceremony: int
    programme: str
    status: str
    approved: int
    disbursed: int
    position: int
    approved_position: int | None
    revoked_position: int | None
    subject_nik: str
    enrolment_id: str | None


@dataclass(frozen=True)
class OverpaidRow:
    """A claim paid beyond its approved amount."""

    claim_id: str
    programme: str
    benefit: str
    subject_nik: str
    approved: int
    disbursed: int
    status: str
    position: int
    approved_position: int | None
    revoked_position: int | None
    enrolment_id: str | None


@dataclass(frozen=True)
class SelfApprovedRow:
    """A claim approved by the officer who filed it."""

    claim_id: str
    programme: str
    benefit: str
    subject_nik: str
    approved: int
    filed_by: str
    approved_by: str
    sole_approver_reason: str | None
    position: int
    approved_position: int | None
    enrolment_id: str | None


class FindingRows:
    """The rows each finding rule reads from the projection tables (dates as ISO text)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return self.reader.connection.query(self.reader.ns.sql(sql), params)

    def _typed(self, kind: type[Row], sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        return [row_of(kind, row) for row in self._rows(sql, params)]

    def paid_after_end(self) -> list[PaidAfterEndRow]:
        """Months paid for members after their recorded death or move (ended or died): the
        few members so ended first (a partial index holds them), then their paid months."""
        ended = [r["enrolment_id"] for r in self._rows(
            "SELECT enrolment_id FROM {members}"
            " WHERE end_reason IN ('died', 'moved') OR died_on IS NOT NULL")]
        found = [row for part in _parts(ended) for row in self._typed(PaidAfterEndRow,
            "SELECT m.enrolment_id, m.programme, m.nik, m.end_reason, m.ended_on, m.died_on,"
            " m.ended_position, m.died_position, p.month, c.sp2d, c.rate, c.position"
            " FROM {members} m JOIN {paid} p ON p.enrolment_id = m.enrolment_id"
            " JOIN {contributions} c ON c.contribution_id = p.contribution_id"
            f" WHERE m.enrolment_id IN ({_marks(part)}) AND"
            " ((m.end_reason IN ('died', 'moved') AND p.month > substr(m.ended_on, 1, 7))"
            " OR (m.died_on IS NOT NULL AND p.month > substr(m.died_on, 1, 7)))", part)]
        return sorted(found, key=lambda r: (r.enrolment_id, r.month))

    def identity_answers(self) -> list[IdentityRow]:
        """Members the population register never matched (never asked, or not matched)."""
        return self._typed(IdentityRow,
            "SELECT enrolment_id, programme, nik, identity, identity_reason, position,"
            " identity_position FROM {members} WHERE identity IS NULL OR identity <> 'matched'"
            " ORDER BY position")

    def paid_twice(self) -> list[PaidTwiceRow]:
        """Every payment of a person's month paid for more than once: the person-months
        counted as the orders are projected (:mod:`projections.tallies`) with a count above
        one (a partial index holds them), then those persons' payments of those months."""
        twice = {(r["person_id"], r["month"]) for r in self._rows(
            "SELECT person_id, month FROM {person_months} WHERE payments > 1")}
        persons = sorted({person for person, _ in twice})
        found = [row for part in _parts(persons) for row in self._typed(PaidTwiceRow,
            "SELECT m.person_id, m.nik, m.enrolment_id, m.programme, p.month, c.sp2d, c.rate,"
            " c.position FROM {members} m JOIN {paid} p ON p.enrolment_id = m.enrolment_id"
            " JOIN {contributions} c ON c.contribution_id = p.contribution_id"
            f" WHERE m.person_id IN ({_marks(part)})", part)
            if (row.person_id, row.month) in twice]
        return sorted(found, key=lambda r: (r.person_id, r.month, r.position))

    def death_claims(self) -> list[DeathClaimRow]:
        """Death benefit claims on an incident, with the enrolment they are on."""
        return self._typed(DeathClaimRow,
            "SELECT c.claim_id, c.programme, c.benefit, c.subject_nik, c.entitlement, c.position,"
            " i.occurred_on, i.position AS incident_position, m.enrolment_id, m.enrolled_on,"
            " m.position AS enrolment_position FROM {claims} c"
            " JOIN {incidents} i ON i.incident_id = c.incident_id"
            " JOIN {members} m ON m.enrolment_id = c.enrolment_id"
            " WHERE c.benefit IN ('jkm_death', 'jkk_death') AND c.status <> 'rejected'"
            " ORDER BY c.position")

    def incident_claims(self) -> list[IncidentClaimRow]:
        """Claims on an incident (not rejected), with enrolment and grace months."""
        return self._typed(IncidentClaimRow,
            "SELECT c.claim_id, c.programme, c.benefit, c.subject_nik, c.approved, c.disbursed,"
            " c.position, i.occurred_on, i.position AS incident_position, m.enrolment_id,"
            " m.enrolled_on, m.ended_on, m.position AS enrolment_position, pr.grace_months"
            " FROM {claims} c JOIN {incidents} i ON i.incident_id = c.incident_id"
            " JOIN {members} m ON m.enrolment_id = c.enrolment_id"
            " JOIN {programmes} pr ON pr.programme = c.programme"
            " WHERE c.status <> 'rejected' ORDER BY c.position")

    def paid_months_of_incident_claims(self) -> dict[str, set[str]]:
        """The months paid for each member that has a claim on an incident, from the month
        of enrolment to the month of the incident (the months its coverage can rest on)."""
        paid: dict[str, set[str]] = defaultdict(set)
        for row in self._rows(
                "SELECT DISTINCT c.enrolment_id, p.month FROM {claims} c"
                " JOIN {incidents} i ON i.incident_id = c.incident_id"
                " JOIN {members} m ON m.enrolment_id = c.enrolment_id"
                " JOIN {paid} p ON p.enrolment_id = c.enrolment_id"
                " AND p.month >= substr(m.enrolled_on, 1, 7)"
                " AND p.month <= substr(i.occurred_on, 1, 7)"):
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

    def death_benefit_claims(self) -> list[DeathBenefitRow]:
        """Death benefits (not rejected) of every NIK that has more than one."""
        return self._typed(DeathBenefitRow,
            "SELECT c.claim_id, c.programme, c.benefit, c.subject_nik, c.approved, c.disbursed,"
            " c.position, c.enrolment_id, c.person_id FROM {claims} c"
            " JOIN (SELECT person_id FROM {claims}"
            "  WHERE benefit IN ('jkm_death', 'jkk_death', 'city_death_grant')"
            "  AND status <> 'rejected' GROUP BY person_id HAVING count(*) > 1) twice"
            " ON twice.person_id = c.person_id"
            " WHERE c.benefit IN ('jkm_death', 'jkk_death', 'city_death_grant')"
            " AND c.status <> 'rejected' ORDER BY c.person_id, c.position")

    def paid_to_accounts(self) -> list[AccountRow]:
        """Paid claims with a payee account, and the family of each: compared by the keyed
        pseudonyms of the account and the family card (claims.account_key, subject_kk_key,
        members.kk_key) and the claimant's subject id, never by the numbers, so an erasure
        changes nothing here."""
        return self._typed(AccountRow,
            "SELECT c.claim_id, c.programme, c.account_key, c.account,"
            " COALESCE(c.claimant_id, c.claimant_nik) AS claimant, c.disbursed, c.position,"
            " COALESCE(c.subject_kk_key, m.kk_key) AS family, c.enrolment_id FROM {claims} c"
            " LEFT JOIN {members} m ON m.enrolment_id = c.enrolment_id"
            " WHERE c.status <> 'rejected' AND c.disbursed > 0 AND c.account_key IS NOT NULL"
            " ORDER BY c.account_key, c.position")

    def payout_positions(self) -> dict[str, list[int]]:
        """The positions of each claim's payouts that stand (not reversed)."""
        payouts: dict[str, list[int]] = defaultdict(list)
        for row in self._rows("SELECT claim_id, position FROM {payouts} WHERE reversed = 0"):
            payouts[row["claim_id"]].append(int(row["position"]))
        return payouts

    def handed_over_unsettled(self) -> list[HandedOverRow]:
        """Claims shown at a ceremony unpaid then, or unsettled since."""
        return self._typed(HandedOverRow,
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

    def programmes(self) -> list[Programme]:
        """Every programme, in the order opened."""
        return [Programme.of(row) for row in self._rows(
            "SELECT * FROM {programmes} ORDER BY position")]

    def revision_positions(self, code: str) -> list[int]:
        """The positions of a programme's budget revisions."""
        return [int(r["position"]) for r in self._rows(
            "SELECT position FROM {revisions} WHERE programme = ?", (code,))]

    def city_payouts(self, code: str) -> int:
        """What a programme's city grants have paid out."""
        return int(self._rows(
            "SELECT COALESCE(sum(disbursed), 0) AS total FROM {claims}"
            " WHERE programme = ? AND payer = 'CITY'", (code,))[0]["total"])

    def programme_rates(self, code: str) -> tuple[tuple[str, int], ...]:
        """A programme's own rates, by the day they took effect."""
        return tuple((row["cover"], int(row["amount"])) for row in self._rows(
            "SELECT cover, amount FROM {rates} WHERE programme = ? ORDER BY valid_from",
            (code,)))

    def paid_beyond_approval(self) -> list[OverpaidRow]:
        """Claims paid beyond their approved amount."""
        return self._typed(OverpaidRow,
            "SELECT claim_id, programme, benefit, subject_nik, approved, disbursed, status,"
            " position, approved_position, revoked_position, enrolment_id FROM {claims}"
            " WHERE disbursed > approved ORDER BY position")

    def approved_by_filer(self) -> list[SelfApprovedRow]:
        """Claims approved by the officer who filed them."""
        return self._typed(SelfApprovedRow,
            "SELECT claim_id, programme, benefit, subject_nik, approved, filed_by, approved_by,"
            " sole_approver_reason, position, approved_position, enrolment_id FROM {claims}"
            " WHERE approved_by IS NOT NULL AND approved_by = filed_by ORDER BY position")


#: Ids named in one query (``IN (...)``): a few hundred, within every driver's limits.
PART = 500


def _parts(ids: list[str]) -> list[tuple[str, ...]]:
    return [tuple(ids[start:start + PART]) for start in range(0, len(ids), PART)]


def _marks(ids: tuple[str, ...]) -> str:
    return ",".join("?" * len(ids))
