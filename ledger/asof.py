"""History as the ledger knew it: state at a log position or a recorded time, and answers that
changed because of events recorded later (the auditors' questions).

*As recorded*: an aggregate replayed up to the last of its events at or before position N.
*As effective*: coverage on a business date (:func:`ledger.coverage.coverage_on`).
*Both*: coverage on the incident date, computed from what was recorded when the payout was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from ledger.application import Ledger
from ledger.claim import Claim
from ledger.contribution import Contribution
from ledger.coverage import CoverageAnswer, coverage_on
from ledger.enrolment import Enrolment
from ledger.errors import NotFoundError, NothingRecordedYetError
from ledger.programme import Programme

#: Western Indonesia Time, where the cities of the ledger are: UTC+7 all year.
WIB_OFFSET = timedelta(hours=7)


@dataclass(frozen=True)
class ChangedAnswer:
    """A paid claim whose coverage answer is different now from when it was paid."""

    claim_id: str
    occurred_on: date
    paid_at_position: int
    covered_then: bool
    covered_now: bool
    reason_then: str
    reason_now: str


class AsOf:
    """Reads of one ledger as it stood at a log position."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def events_of(self, aggregate_id: UUID | str) -> list[tuple[int, int, str]]:
        """(version, position, topic) of an aggregate's events."""
        key = aggregate_id if isinstance(aggregate_id, UUID) else UUID(str(aggregate_id))
        return self.ledger.store.event_positions(self.ledger.recorder, key)

    def get(self, aggregate_id: UUID | str, position: int) -> Any | None:
        """The aggregate as recorded up to ``position`` (None if it did not exist yet)."""
        versions = [v for v, p, _ in self.events_of(aggregate_id) if p <= position]
        if not versions:
            return None
        key = aggregate_id if isinstance(aggregate_id, UUID) else UUID(str(aggregate_id))
        return self.ledger.repository.get(key, version=max(versions))

    def position_at(self, moment: datetime) -> int:
        """The last log position recorded at or before ``moment`` (UTC-aware)."""
        low, high = 0, int(self.ledger.recorder.max_notification_id() or 0)
        while low < high:
            middle = (low + high + 1) // 2
            found = self.ledger.recorder.select_notifications(start=middle, limit=1)
            event: Any = self.ledger.mapper.to_domain_event(found[0]) if found else None
            recorded = event.timestamp if event is not None else None
            if recorded is not None and recorded <= moment:
                low = found[0].id
            else:
                high = middle - 1
        return low

    def position_by_end_of(self, day: date) -> int:
        """The last log position recorded by the end of ``day`` in WIB (UTC+7, no daylight
        saving): what "as of 24 March 2025" means to the cities' clerks and auditors."""
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
        return self.position_at(midnight - WIB_OFFSET)

    def first_recorded_on(self) -> date | None:
        """The day (WIB) the ledger's first event was recorded (None: it holds none yet)."""
        first = self.ledger.recorder.select_notifications(start=1, limit=1)
        if not first:
            return None
        recorded: datetime = self.ledger.mapper.to_domain_event(first[0]).timestamp  # type: ignore[attr-defined]
        return (recorded.astimezone(UTC) + WIB_OFFSET).date()

    def nothing_known_on(self, day: date) -> str:
        """In plain words: the ledger knew nothing yet by the end of ``day``, and since when it
        knows something."""
        first = self.first_recorded_on()
        since = (f"its first event was recorded on {first.isoformat()}" if first is not None
                 else "it holds no event yet")
        return (f"nothing was recorded by the end of {day.isoformat()} (WIB), so the ledger "
                f"knew nothing yet as of that day: {since}")

    def known_by_end_of(self, day: date) -> int:
        """:meth:`position_by_end_of`, refusing (with the first recorded date) a day before the
        ledger's first event: "as the ledger knew it on" a day it knew nothing has no answer."""
        position = self.position_by_end_of(day)
        if position == 0:
            raise NothingRecordedYetError(self.nothing_known_on(day), field="as_of")
        return position

    def coverage_known_at(self, enrolment_id: UUID | str, day: date,
                          position: int) -> CoverageAnswer:
        """Coverage on ``day`` computed only from events recorded up to ``position``."""
        enrolment = self.get(enrolment_id, position)
        if not isinstance(enrolment, Enrolment):
            return CoverageAnswer(False, "the member was not enrolled yet at that position")
        programme = self.get(enrolment.programme_id, position)
        if not isinstance(programme, Programme):
            return CoverageAnswer(False, "the programme did not exist yet at that position")

        def contribution(contribution_id: str) -> Contribution:
            found = self.get(contribution_id, position)
            if not isinstance(found, Contribution):
                raise NotFoundError(f"contribution {contribution_id} not recorded yet")
            return found

        return coverage_on(enrolment, programme, day, contribution)

    def first_payout_position(self, claim_id: UUID | str) -> int | None:
        disbursed = get_topic(Claim.Disbursed)  # type: ignore[attr-defined]
        positions = [p for _, p, topic in self.events_of(claim_id) if topic == disbursed]
        return min(positions) if positions else None

    def changed_answers(self) -> list[ChangedAnswer]:
        """Paid claims whose 'covered on the incident date?' differs between then and now."""
        changed: list[ChangedAnswer] = []
        for claim in self._paid_incident_claims():
            position = self.first_payout_position(claim.id)
            if position is None or claim.incident_id is None or claim.enrolment_id is None:
                continue
            incident = self.ledger.incident(claim.incident_id)
            then = self.coverage_known_at(claim.enrolment_id, incident.occurred_on, position)
            now = self.ledger.coverage_on(claim.enrolment_id, incident.occurred_on)
            if then.covered != now.covered:
                changed.append(ChangedAnswer(
                    str(claim.id), incident.occurred_on, position, then.covered, now.covered,
                    then.reason, now.reason))
        return changed

    def _paid_incident_claims(self) -> list[Claim]:
        filed = get_topic(Claim.Filed)  # type: ignore[attr-defined]
        claims: list[Claim] = []
        position = 0
        while True:
            page = self.ledger.recorder.select_notifications(
                start=position + 1, limit=1000, topics=[filed])
            if not page:
                return claims
            for notification in page:
                claim = self.ledger.claim(notification.originator_id)
                if claim.disbursements and claim.incident_id is not None:
                    claims.append(claim)
            position = page[-1].id
