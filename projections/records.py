"""Typed records read from the log itself: one claim, incident or ceremony as it stands, and the
events of a history. What a claim's dossier and a ceremony's minutes are drawn from.

A ceremony's minutes are the ceremony's own event only, so they never change; a dossier shows a
claim's events up to a cut-off, each with its inclusion proof (proved by the read side).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from ledger.application import Ledger
from ledger.asof import AsOf
from ledger.benefits import Benefit
from ledger.calendar import add_calendar_months
from ledger.claim import ClaimStatus
from ledger.errors import InvalidInputError, NotFoundError, ScholarshipNotGrantedError
from ledger.history import EFFECTIVE_FIELDS, Seen, event_json, events_of, history_ids
from ledger.incident import IncidentKind
from ledger.person import Person
from ledger.scholarship import grant_scholarship
from ledger.scholarship_grant import scholarship_id


@dataclass(frozen=True)
class ClaimRecord:
    """A claim as it stands now: who filed it, the computed amount, approval and payouts."""

    id: UUID
    programme_code: str
    benefit: Benefit
    status: ClaimStatus
    incident_id: str | None
    subject_nik: str
    claimant: dict[str, str]
    filed_on: date
    filed_by: str
    entitlement: int
    rule_version: str
    computation: tuple[dict[str, Any], ...]
    approved_amount: int
    approved_by: str | None
    approved_on: date | None
    sole_approver_reason: str
    rejection_reason: str | None
    revocation_reason: str | None
    disbursed: int
    outstanding: int
    #: JKM: the day its file was complete and the day its payout was due (3 working days on).
    file_complete_on: date | None = None
    due_on: date | None = None
    #: The heirs' interest each late payout owes (days late, 1% of the payout a day), and its sum.
    late_interest: tuple[dict[str, Any], ...] = ()
    late_interest_owed: int = 0


@dataclass(frozen=True)
class ScholarshipStanding:
    """A death claim's scholarship: the children it was granted to, or, for a JKM death under
    the membership the rule asks, why there is none (membership began, the day its years were
    complete, the death)."""

    children: tuple[str, ...]
    refused: bool
    membership_began_on: date
    complete_on: date | None
    min_years: int
    died_on: date


@dataclass(frozen=True)
class IncidentRecord:
    """The incident a claim is filed on: what happened and when."""

    id: UUID
    kind: IncidentKind
    occurred_on: date


@dataclass(frozen=True)
class Official:
    """An official who handed the benefits over at a ceremony."""

    name: str
    role: str


@dataclass(frozen=True)
class HandoverItem:
    """A benefit handed over at a ceremony, and whether it had been paid at that moment."""

    claim_id: str
    benefit: str
    recipient: str
    relationship: str
    subject_nik: str
    amount: int
    paid: bool
    #: A scholarship year's child, school year and level (None for any other benefit).
    scholarship: dict[str, str] | None = None


@dataclass(frozen=True)
class HandoverRecord:
    """A ceremony as recorded by its own event, at that event's log position."""

    id: UUID
    held_on: date
    venue: str
    region: str
    district: str
    occasion: str
    officials: tuple[Official, ...]
    items: tuple[HandoverItem, ...]
    position: int
    recorded_at: datetime


@dataclass(frozen=True)
class LoggedEvent:
    """One event of a history, decoded: its position, when and by whom, and its data."""

    position: int
    recorded_at: str
    type: str
    actor: str | None
    data: dict[str, Any]


class Records:
    """Records and histories read from the log (never the projections)."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def recorded_at(self, position: int) -> datetime:
        """When the event at ``position`` was recorded (UTC): a document's own date."""
        found = self._ledger.recorder.select_notifications(start=position, limit=1)
        if not found:
            raise InvalidInputError(f"the log has no event at position {position}",
                                    field="position")
        event: Any = self._ledger.mapper.to_domain_event(found[0])
        stamp: datetime = event.timestamp
        return stamp.astimezone(UTC)

    def erasures_after(self, position: int) -> list[date]:
        """The day of each PersonErased recorded after ``position``, in log order: a document
        cut before them shows those people's personal fields as "[dihapus]" all the same."""
        topic = get_topic(Person.Erased)  # type: ignore[attr-defined]
        days: list[date] = []
        after = position
        while page := self._ledger.recorder.select_notifications(start=after + 1, limit=1000,
                                                                 topics=[topic]):
            days += [self._ledger.mapper.to_domain_event(n).erased_on  # type: ignore[attr-defined]
                     for n in page]
            after = page[-1].id
        return days

    def claim(self, claim_id: UUID) -> ClaimRecord:
        """The claim as it stands (the ledger's NotFoundError when there is none)."""
        claim = self._ledger.claim(claim_id)
        return ClaimRecord(
            claim.id, claim.programme_code, claim.benefit, claim.status, claim.incident_id,
            claim.subject_nik, dict(claim.claimant), claim.filed_on, claim.filed_by,
            claim.entitlement, claim.rule_version, tuple(claim.computation),
            claim.approved_amount, claim.approved_by, claim.approved_on,
            claim.sole_approver_reason, claim.rejection_reason, claim.revocation_reason,
            claim.disbursed, claim.outstanding, claim.file_complete_on, claim.due_on,
            tuple(dict(owed) for owed in claim.late_interest.values()), claim.late_interest_owed)

    def scholarship_standing(self, claim_id: UUID) -> ScholarshipStanding | None:
        """For an approved JKM or JKK death claim, its scholarship granted, or why none can be
        (the domain's rule decides, :func:`ledger.scholarship.grant_scholarship`); None for
        any other claim, or one whose scholarship may still be granted."""
        claim = self._ledger.claim(claim_id)
        if (claim.benefit not in (Benefit.JKM_DEATH, Benefit.JKK_DEATH)
                or claim.status is not ClaimStatus.APPROVED or claim.incident_id is None
                or claim.enrolment_id is None):
            return None
        died_on = self._ledger.incident(claim.incident_id).occurred_on
        rules = self._ledger.rules_on(died_on)
        years = rules.scholarship.jkm_min_membership_years
        try:
            granted = self._ledger.scholarship(scholarship_id(claim.id))
        except NotFoundError:
            began = self._ledger.enrolment(claim.enrolment_id).enrolled_on
            try:
                grant_scholarship(rules, work_accident=claim.benefit is Benefit.JKK_DEATH,
                                  membership_began_on=began, died_on=died_on)
            except ScholarshipNotGrantedError:
                complete_on = add_calendar_months(began, 12 * years)
                if claim.benefit is Benefit.JKM_DEATH and died_on < complete_on:
                    return ScholarshipStanding((), True, began, complete_on, years, died_on)
            return None
        return ScholarshipStanding(tuple(c["name"] for c in granted.children), False,
                                   granted.membership_began_on, None, years, died_on)

    def incident(self, incident_id: UUID | str) -> IncidentRecord:
        incident = self._ledger.incident(incident_id)
        return IncidentRecord(incident.id, incident.kind, incident.occurred_on)

    def handover(self, handover_id: UUID) -> HandoverRecord:
        """The ceremony as its own event recorded it (the ledger's NotFoundError if none)."""
        handover = self._ledger.handover(handover_id)
        [(_, position, _)] = AsOf(self._ledger).events_of(handover_id)[:1]
        return HandoverRecord(
            handover.id, handover.held_on, handover.venue, handover.region, handover.district,
            handover.occasion, tuple(Official(o["name"], o["role"]) for o in handover.officials),
            tuple(HandoverItem(i["claim_id"], i["benefit"], i["recipient"], i["relationship"],
                               i["subject_nik"], int(i["amount"]), bool(i["paid"]),
                               i.get("scholarship"))
                  for i in handover.items),
            position, self.recorded_at(position))

    def history(self, kind: str, key: Any, up_to: int | None = None) -> list[LoggedEvent]:
        """The events making up the history of a claim, NIK, member, programme or ceremony
        (see :func:`ledger.history.history_ids`), up to a position, in log order."""
        ids = {str(i) for i in history_ids(self._ledger, kind, key)}
        return [self._logged(event_json(self._ledger, n))
                for n in events_of(self._ledger, ids, up_to=up_to)]

    def timeline(self, kind: str, key: Any, up_to: int | None = None) -> list[LoggedEvent]:
        """As :meth:`history`, each event's data cut to the days that say when it took effect
        (what a timeline shows: a payment order's list of members is not carried along)."""
        seen: Seen = {}  # a member's payment orders: read and decoded once
        ids = {str(i) for i in history_ids(self._ledger, kind, key, seen)}
        return [self._brief(n, seen[n.id][1] if n.id in seen else None)
                for n in events_of(self._ledger, ids, up_to=up_to, seen=seen)]

    def _brief(self, notification: Any, decoded: Any = None) -> LoggedEvent:
        event: Any = decoded or self._ledger.mapper.to_domain_event(notification)
        days: dict[str, Any] = {}
        for name in EFFECTIVE_FIELDS:
            value = getattr(event, name, None)
            if isinstance(value, date) and not isinstance(value, datetime):
                days[name] = value.isoformat()
            elif isinstance(value, str):
                days[name] = value
        return LoggedEvent(notification.id, event.timestamp.isoformat(),
                           notification.topic.rsplit(":", 1)[-1], getattr(event, "actor", None),
                           days)

    @staticmethod
    def _logged(event: dict[str, Any]) -> LoggedEvent:
        return LoggedEvent(event["position"], event["recorded_at"], event["type"],
                           event["actor"], event["data"])
