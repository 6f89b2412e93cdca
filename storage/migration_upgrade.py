"""What the migration changes in each event of an earlier release: the people's ids.

The earlier release named a person (the ``Person`` aggregate) by the uuid5 of their NIK, a
public function anyone can run over the 16 digits. The new form names every data subject by an
id the new store's NIK index gives (drawn at random), so the migration asks the index for the
subject of each NIK it meets, in bulk a page at a time, and rewrites: the Person aggregate's
id, and the clear subject-id fields the new form adds to the events that name a person, which
the new store's mapper seals the personal fields under. Everything else of an event (aggregate
ids of other records, versions, topics, timestamps, amounts) is kept as it was.

A log whose Person ids are not the uuid5 of their NIK is of the new form already: refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import get_topic

from ledger.claim import Claim
from ledger.enrolment import Enrolment
from ledger.handover import Handover
from ledger.incident import Incident
from ledger.scholarship_grant import Scholarship
from ledger.work_accident_case import WorkAccidentCase
from storage.migration_tables import MigrationRefusedError
from storage.personal import normalised_nik

#: The namespace of the earlier release's Person ids (``ledger.person.person_id`` then).
OLD_PERSON_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:person")
PERSON = "ledger.person:Person"
_NIK = re.compile(r"\d{16}")
_ENROLLED = get_topic(Enrolment.Enrolled)  # type: ignore[attr-defined]
_KPJ = get_topic(Enrolment.KpjRecorded)  # type: ignore[attr-defined]
_FILED = get_topic(Claim.Filed)  # type: ignore[attr-defined]
_HANDOVER = get_topic(Handover.Held)  # type: ignore[attr-defined]

#: Per event topic, the subject ids the new form adds, each from a NIK the event holds in clear:
#: (subject field, NIK field, the list field whose every item holds both, or None). The
#: registry the new store seals by (``ledger.personal_fields.SEALED``) names the same subjects;
#: a test holds the two together.
BY_NIK: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    _ENROLLED: (("person_id", "nik", None),),
    get_topic(Incident.Reported): (("person_id", "nik", None),),  # type: ignore[attr-defined]
    _FILED: (("person_id", "subject_nik", None), ("claimant.subject_id", "claimant.nik", None),
             ("facts.child_subject_id", "facts.child_nik", None)),
    get_topic(WorkAccidentCase.Opened): (  # type: ignore[attr-defined]
        ("person_id", "subject_nik", None),),
    get_topic(Scholarship.Granted): (  # type: ignore[attr-defined]
        ("person_id", "subject_nik", None), ("subject_id", "nik", "children")),
    get_topic(Scholarship.ChildAdded): (  # type: ignore[attr-defined]
        ("child.subject_id", "child.nik", None),),
    get_topic(Scholarship.ChildStopped): (  # type: ignore[attr-defined]
        ("child_subject_id", "child_nik", None),),
    get_topic(Scholarship.YearClaimed): (  # type: ignore[attr-defined]
        ("child_subject_id", "child_nik", None),),
    _HANDOVER: (("person_id", "subject_nik", "items"),),
}


def old_person_id(nik: str) -> UUID:
    """The id the earlier release gave the person with this NIK."""
    return uuid5(OLD_PERSON_NAMESPACE, nik)


class Subjects(Protocol):
    """The new store's NIK index, as the migration needs it (``ledger.ports.PersonalData``)."""

    def subjects_for(self, niks: Iterable[str]) -> dict[str, UUID]:
        """The subject of each NIK, new ones given an id, in one round trip."""


class Upgrade:
    """Rewrites the events of an earlier release, in log order, into the new form."""

    def __init__(self, subjects: Subjects) -> None:
        self.subjects = subjects
        #: old Person id -> the subject id the index gave
        self.persons: dict[UUID, UUID] = {}
        #: normalised NIK -> subject id, for every NIK met so far
        self.subject_of: dict[str, UUID] = {}
        #: enrolment id -> the member's subject (a KPJ recorded later names no NIK)
        self.enrolments: dict[str, str] = {}
        #: claim id -> (claimant's subject, the scholarship child's subject), for handovers
        self.claims: dict[str, tuple[str | None, str | None]] = {}

    def prepare(self, events: Sequence[tuple[int, DomainEventProtocol[UUID]]]) -> None:
        """Check that these (position, event) pairs are of the earlier release's form, then
        ask the index, once, for the subjects of every NIK they name."""
        for position, event in events:
            if get_topic(type(event)) == PERSON + ".Registered":
                _require_old_form(vars(event), position)
        wanted = {normalised_nik(nik) for _, event in events for nik in _niks(event)}
        wanted -= self.subject_of.keys()
        if wanted:
            self.subject_of.update(self.subjects.subjects_for(sorted(wanted)))

    def upgrade(self, event: DomainEventProtocol[UUID], position: int
                ) -> DomainEventProtocol[UUID]:
        """The event in the new form (the same object, its state rewritten)."""
        state: dict[str, Any] = vars(event)
        topic = get_topic(type(event))
        if topic.startswith(PERSON + "."):
            state["originator_id"] = self._person(topic, state, position)
        for subject_path, nik_path, each in BY_NIK.get(topic, ()):
            for item in _items(state, each):
                nik = _get(item, nik_path)
                if isinstance(nik, str) and nik:
                    _put(item, subject_path, str(self.subject_of[normalised_nik(nik)]))
        originator = str(state["originator_id"])
        if topic == _ENROLLED:
            self.enrolments[originator] = str(state["person_id"])
        elif topic == _KPJ:
            state["person_id"] = self.enrolments[originator]
        elif topic == _FILED:
            child = _get(state, "facts.child_subject_id")
            self.claims[originator] = (_get(state, "claimant.subject_id"),
                                       str(child) if child else None)
        elif topic == _HANDOVER:
            for item in _items(state, "items"):
                claimant, child = self.claims.get(str(item.get("claim_id")), (None, None))
                item["recipient_subject_id"] = claimant
                if child is not None:
                    _put(item, "scholarship.child_subject_id", child)
        return event

    def _person(self, topic: str, state: dict[str, Any], position: int) -> UUID:
        old = UUID(str(state["originator_id"]))
        if topic == PERSON + ".Registered":
            nik = _require_old_form(state, position)
            self.persons[old] = self.subject_of[normalised_nik(nik)]
        new = self.persons.get(old)
        if new is None:
            raise MigrationRefusedError(
                f"the event at position {position} of the old store changes a person that was "
                "never registered before it: the old log is not whole; nothing was changed")
        return new


def _require_old_form(state: dict[str, Any], position: int) -> str:
    """The NIK of a ``Person.Registered`` of the earlier release; refused when the person's id
    is not the uuid5 of a NIK in clear (the store is of the new form already)."""
    nik = state.get("nik")
    if not isinstance(nik, str) or not _NIK.fullmatch(nik) \
            or old_person_id(nik) != UUID(str(state["originator_id"])):
        raise MigrationRefusedError(
            f"the person registered at position {position} of the old store has an id that is "
            "not derived from a NIK in clear: that store is of the new form already (sealed "
            "personal data), not of an earlier release; nothing was changed")
    return nik


def _niks(event: DomainEventProtocol[UUID]) -> Iterable[str]:
    """The NIKs of the data subjects an event names, whose subject ids the new form needs."""
    state = vars(event)
    topic = get_topic(type(event))
    if topic == PERSON + ".Registered" and isinstance(state.get("nik"), str):
        yield state["nik"]
    for _, nik_path, each in BY_NIK.get(topic, ()):
        for item in _items(state, each):
            nik = _get(item, nik_path)
            if isinstance(nik, str) and nik:
                yield nik


def _items(state: dict[str, Any], each: str | None) -> list[dict[str, Any]]:
    """The state itself, or every item of its list field ``each`` (a dict, copied into the
    state so that the event's nested values are its own)."""
    if each is None:
        return [state]
    found = state.get(each)
    if not isinstance(found, list):
        return []
    state[each] = items = [dict(item) if isinstance(item, dict) else item for item in found]
    return [item for item in items if isinstance(item, dict)]


def _get(state: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(state, dict) or part not in state:
            return None
        state = state[part]
    return state


def _put(state: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted field whose enclosing dicts exist (copied first)."""
    *parents, last = path.split(".")
    for part in parents:
        inner = state.get(part)
        if not isinstance(inner, dict):
            return
        state[part] = state = dict(inner)
    state[last] = value
