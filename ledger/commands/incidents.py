"""Incidents: what happened to a covered member; a death also ends the coverage."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.commands.base import Commands
from ledger.coverage import CoverageAnswer, coverage_on
from ledger.enrolment import EndReason
from ledger.incident import Incident, IncidentKind


class IncidentCommands(Commands):
    """Reporting incidents."""

    def report_incident(self, enrolment_id: UUID | str, kind: IncidentKind, occurred_on: date,
                        place: str, narrative: str, work_related: bool, actor: str,
                        cause: str = "") -> Incident:
        """Report what happened to a covered member; a death also ends the coverage."""
        Incident.require_place(place)

        def build() -> tuple[Incident, list[Aggregate]]:
            # Only a death changes the enrolment and the person: any other incident reads them
            # as the cache holds them, without copying (see Commands._get).
            read_only = kind is not IncidentKind.DEATH
            enrolment = self.enrolment(enrolment_id, shared=read_only)
            programme = self._programme_by_id(enrolment.programme_id, shared=True)  # read only
            person = self._person_of(enrolment, shared=read_only)

            def covered(day: date) -> CoverageAnswer:
                return coverage_on(enrolment, programme, day, self._contribution_by_id)

            incident = Incident.report(
                enrolment=enrolment, died_on=person.died_on, covered=covered, kind=kind,
                occurred_on=occurred_on, place=place, narrative=narrative,
                work_related=work_related, cause=cause, actor=actor)
            changed: list[Aggregate] = [incident]
            if kind is IncidentKind.DEATH:
                person.record_death(occurred_on, "incident", str(incident.id))
                changed.append(person)
                if enrolment.is_active:
                    enrolment.end(occurred_on, EndReason.DIED, f"incident {incident.id}", actor)
                    person.release_coverage(str(enrolment.id))
                    changed.append(enrolment)
            return incident, changed

        return self._command(build)
