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

from ledger.errors import MigrationRefusedError

#: The namespace of the earlier release's Person ids (``ledger.person.person_id`` then).
OLD_PERSON_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:person")
PERSON = "ledger.person:Person"
_NIK = re.compile(r"\d{16}")


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
        #: NIK -> subject id, for every NIK met so far
        self.subject_of: dict[str, UUID] = {}

    def prepare(self, events: Sequence[tuple[int, DomainEventProtocol[UUID]]]) -> None:
        """Check that these (position, event) pairs are of the earlier release's form, then
        ask the index, once, for the subjects of every NIK they name."""
        for position, event in events:
            if get_topic(type(event)) == PERSON + ".Registered":
                _require_old_form(vars(event), position)
        wanted = {nik for _, event in events for nik in _niks(event)} - self.subject_of.keys()
        if wanted:
            self.subject_of.update(self.subjects.subjects_for(sorted(wanted)))

    def upgrade(self, event: DomainEventProtocol[UUID], position: int
                ) -> DomainEventProtocol[UUID]:
        """The event in the new form (the same object, its state rewritten)."""
        state: dict[str, Any] = vars(event)
        topic = get_topic(type(event))
        if topic.startswith(PERSON + "."):
            state["originator_id"] = self._person(topic, state, position)
        return event

    def _person(self, topic: str, state: dict[str, Any], position: int) -> UUID:
        old = UUID(str(state["originator_id"]))
        if topic == PERSON + ".Registered":
            self.persons[old] = self.subject_of[_require_old_form(state, position)]
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
    if get_topic(type(event)) == PERSON + ".Registered" and isinstance(state.get("nik"), str):
        yield state["nik"]
