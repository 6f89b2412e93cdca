"""The scholarship of one death as a record: granted, its children, each school year claimed.

The rules are :mod:`ledger.scholarship`'s (a value, :class:`ScholarshipEntitlement`); this
aggregate records what they decided and rebuilds the value from its events, so every refusal
(a third child, a year claimed twice, a level out of order, a child over 23, married or
working) is the pure module's, in its words.

One scholarship per death: its id follows from the approved JKM or JKK death claim it comes
with (:func:`scholarship_id`), so a second grant for the same death meets the first. Each school
year is a :class:`~ledger.claim.Claim` of benefit ``scholarship_year`` (filed by a clerk with its
proof of enrolment, approved by another officer, paid like any claim); the scholarship keeps
which claim holds which year, and frees the year when that claim is rejected.

The children's names, NIKs and birth dates are personal fields recorded as an heir's are (in
the event, never in a log line or a URL). The level figures of the rule set in force on the day
of death are recorded with the grant, so that the read side can say what remains without the
rule book.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.benefits import BenefitRules
from ledger.scholarship import ScholarshipEntitlement, ScholarshipYear
from ledger.schooling import Child, SchoolLevel, SchoolYear

SCHOLARSHIP_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:scholarship")


def scholarship_id(death_claim_id: UUID | str) -> UUID:
    """The id of the scholarship that comes with a death claim."""
    return uuid5(SCHOLARSHIP_NAMESPACE, str(death_claim_id))


def child_record(child: Child, subject_id: UUID) -> dict[str, Any]:
    """A child as the events record it, with the child's data subject (the keyed index's, for
    the NIK), under whose key the name, NIK and birth date are sealed."""
    return {"subject_id": str(subject_id), "name": child.name, "nik": child.nik,
            "born_on": child.born_on,
            "level": child.level.value if child.level is not None else None}


def _child(record: dict[str, Any]) -> Child:
    level = record.get("level")
    return Child(record["name"], record["nik"], record["born_on"],
                 SchoolLevel(level) if level else None, record.get("married_on"),
                 record.get("working_from"))


class Scholarship(LedgerAggregate):
    """The scholarship a death gives the deceased's children (at most two)."""

    @staticmethod
    def create_id(death_claim_id: str, **_: Any) -> UUID:
        return scholarship_id(death_claim_id)

    @event("Granted")
    def __init__(self, death_claim_id: str, programme_id: str, programme_code: str,
                 incident_id: str, person_id: str, subject_nik: str, cover: str,
                 died_on: date,
                 membership_began_on: date, rule_version: str, levels: list[dict[str, Any]],
                 children: list[dict[str, Any]], granted_on: date, actor: str) -> None:
        self.death_claim_id = death_claim_id
        self.programme_id = programme_id
        self.programme_code = programme_code
        self.incident_id = incident_id
        self.person_id = person_id
        self.subject_nik = subject_nik
        self.cover = cover
        self.died_on = died_on
        self.membership_began_on = membership_began_on
        self.rule_version = rule_version
        self.levels = [dict(level) for level in levels]
        self.children = [dict(child) for child in children]
        self.granted_on = granted_on
        self.granted_by = actor
        # claim id -> the school year it claims (child_nik, level, school year, ...)
        self.years: dict[str, dict[str, Any]] = {}

    @classmethod
    def grant(cls, *, death_claim_id: str, programme_id: str, programme_code: str,
              incident_id: str, person_id: str, subject_nik: str, cover: str,
              entitlement: ScholarshipEntitlement, child_subjects: dict[str, UUID],
              rule_set: BenefitRules,
              membership_began_on: date, granted_on: date, actor: str) -> Scholarship:
        """Record a grant the pure rule (:func:`ledger.scholarship.grant_scholarship`) made."""
        levels = [{"level": rule.level.value, "amount_per_year": rule.amount_per_year,
                   "max_years": rule.max_years} for rule in rule_set.scholarship.levels]
        return cls(death_claim_id=death_claim_id, programme_id=programme_id,
                   programme_code=programme_code, incident_id=incident_id,
                   person_id=person_id, subject_nik=subject_nik, cover=cover,
                   died_on=entitlement.died_on,
                   membership_began_on=membership_began_on, rule_version=rule_set.version,
                   levels=levels, children=[child_record(c, child_subjects[c.nik])
                             for c in entitlement.children],
                   granted_on=granted_on, actor=actor)

    def entitlement(self, rule_set: BenefitRules) -> ScholarshipEntitlement:
        """The pure value, rebuilt from what is recorded, under the rule set of the grant."""
        years = tuple(ScholarshipYear(
            year["child_nik"], year["child_name"], SchoolYear(year["school_year"]),
            SchoolLevel(year["level"]), year["year_at_level"], year["amount"],
            self.rule_version) for year in self.years.values())
        return replace(
            ScholarshipEntitlement(rule_version=self.rule_version, rules=rule_set.scholarship,
                                   died_on=self.died_on),
            children=tuple(_child(c) for c in self.children),
            years=tuple(sorted(years, key=lambda y: (y.child_nik, y.school_year))))

    # -- children -----------------------------------------------------------------------------

    def add_child(self, rule_set: BenefitRules, child: Child, subject_id: UUID,
                  actor: str) -> None:
        """Name another child (the pure rule refuses a third, or one already 23)."""
        self.entitlement(rule_set).add_child(child)
        self._child_added(child_record(child, subject_id), actor)

    def child_subject(self, child_nik: str) -> str:
        """The data subject of a child named in the scholarship."""
        return next(str(c.get("subject_id", "")) for c in self.children if c["nik"] == child_nik)

    @event("ChildAdded")
    def _child_added(self, child: dict[str, Any], actor: str) -> None:
        self.children.append(dict(child))

    def child_stopped(self, rule_set: BenefitRules, child_nik: str, why: str, on: date,
                      actor: str) -> None:
        """Record that a child married or started work: no school year from ``on`` is paid."""
        current = self.entitlement(rule_set)
        if why == "married":
            current.child_married(child_nik, on)
        else:
            current.child_started_work(child_nik, on)
        self._child_stopped(self.child_subject(child_nik), child_nik, why, on, actor)

    @event("ChildStopped")
    def _child_stopped(self, child_subject_id: str, child_nik: str, why: str, on: date,
                       actor: str) -> None:
        field = "married_on" if why == "married" else "working_from"
        for child in self.children:
            if child["nik"] == child_nik:
                child[field] = on

    # -- school years -------------------------------------------------------------------------

    def claim_year(self, rule_set: BenefitRules, child_nik: str, level: SchoolLevel,
                   school_year: SchoolYear) -> ScholarshipYear:
        """What a school year pays, or the pure rule's refusal in its words."""
        return self.entitlement(rule_set).claim_year(child_nik, level, school_year)

    def year_claimed(self, claim_id: str, year: ScholarshipYear) -> None:
        """Hold the year for its claim (checked by :meth:`claim_year` first)."""
        self._year_claimed(claim_id, self.child_subject(year.child_nik), year.child_nik,
                           year.child_name, year.level.value, year.school_year.start,
                           year.year_at_level, year.amount)

    @event("YearClaimed")
    def _year_claimed(self, claim_id: str, child_subject_id: str, child_nik: str,
                      child_name: str, level: str, school_year: int, year_at_level: int,
                      amount: int) -> None:
        self.years[claim_id] = {
            "child_nik": child_nik, "child_name": child_name, "level": level,
            "school_year": school_year, "year_at_level": year_at_level, "amount": amount}

    @event("YearWithdrawn")
    def year_withdrawn(self, claim_id: str, reason: str) -> None:
        """Free the year of a rejected claim: it may be claimed again."""
        self.years.pop(claim_id, None)
