"""Which fields of which events are personal, and whose: the registry the store seals by.

Every event that records a NIK holder's personal data names the holder's *data subject* in
clear (a random id from the keyed index: the Person's id for a member, a subject of their own
for an heir or a child), and lists the personal fields that belong to that subject. On the way
into the store those fields are taken out of the event and sealed (AES-GCM) under the
subject's own data key (``storage.sealing``); on the way out they are put back. Everything a
rule, a finding, a figure or a proof needs stays in clear: ids, programme, region codes,
district and village, dates of facts, amounts, decile, occupation, relationship, bank name,
the outcomes of the NIK-derived checks.

When a subject's key has been destroyed (erasure, ``PersonalData.erase``), each of their
sealed fields reads :data:`ERASED` ("[dihapus]"), except a date field (:data:`DATE_FIELDS`),
which reads None: code that reads such an event must take both.

Paths are dotted (``claimant.nik``); a group with ``each`` applies to every item of that list
field (``children``), its paths relative to the item. A field or subject absent from an event
(a claim's facts differ by benefit) is simply not sealed.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.utils import get_topic

from ledger.claim import Claim
from ledger.enrolment import Enrolment
from ledger.handover import Handover
from ledger.incident import Incident
from ledger.person import Person
from ledger.scholarship_grant import Scholarship
from ledger.work_accident_case import WorkAccidentCase

#: What an erased text field reads.
ERASED = "[dihapus]"
#: Sealed fields that hold dates: erased, they read None.
DATE_FIELDS = frozenset({"born_on"})
#: The subject path that means the aggregate's own id (a Person's).
OWN_ID = "originator_id"


@dataclass(frozen=True)
class SealedGroup:
    """Personal fields of one data subject in an event."""

    subject: str
    fields: tuple[str, ...]
    each: str | None = None


_CLAIMANT = SealedGroup("claimant.subject_id", (
    "claimant.nik", "claimant.name", "claimant.heir_certificate", "claimant.account_number",
    "claimant.account_name"))

_EVENTS: dict[type, tuple[SealedGroup, ...]] = {
    Person.Registered: (SealedGroup(OWN_ID, ("nik",)),),  # type: ignore[attr-defined]
    Enrolment.Enrolled: (  # type: ignore[attr-defined]
        SealedGroup("person_id", ("nik", "kk", "name")),),
    Enrolment.KpjRecorded: (SealedGroup("person_id", ("kpj",)),),  # type: ignore[attr-defined]
    Incident.Reported: (SealedGroup("person_id", ("nik",)),),  # type: ignore[attr-defined]
    Claim.Filed: (  # type: ignore[attr-defined]
        SealedGroup("person_id", ("subject_nik", "facts.deceased_name", "facts.deceased_kk")),
        _CLAIMANT,
        SealedGroup("facts.child_subject_id", ("facts.child_nik", "facts.child_name"))),
    WorkAccidentCase.Opened: (  # type: ignore[attr-defined]
        SealedGroup("person_id", ("subject_nik",)),),
    Scholarship.Granted: (  # type: ignore[attr-defined]
        SealedGroup("person_id", ("subject_nik",)),
        SealedGroup("subject_id", ("name", "nik", "born_on"), each="children")),
    Scholarship.ChildAdded: (  # type: ignore[attr-defined]
        SealedGroup("child.subject_id", ("child.name", "child.nik", "child.born_on")),),
    Scholarship.ChildStopped: (  # type: ignore[attr-defined]
        SealedGroup("child_subject_id", ("child_nik",)),),
    Scholarship.YearClaimed: (  # type: ignore[attr-defined]
        SealedGroup("child_subject_id", ("child_nik", "child_name")),),
    Handover.Held: (  # type: ignore[attr-defined]
        SealedGroup("person_id", ("subject_nik",), each="items"),
        SealedGroup("recipient_subject_id", ("recipient",), each="items"),
        SealedGroup("scholarship.child_subject_id", ("scholarship.child_name",), each="items")),
}

#: Event topic -> its sealed groups (events not named here hold no personal field).
SEALED: dict[str, tuple[SealedGroup, ...]] = {get_topic(cls): groups
                                              for cls, groups in _EVENTS.items()}


def erased_value(path: str) -> str | None:
    """What a sealed field of an erased subject reads: None for a date, else "[dihapus]"."""
    return None if path.rsplit(".", 1)[-1] in DATE_FIELDS else ERASED
