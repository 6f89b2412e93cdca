"""Whose personal data a request read or wrote: the ``subjects`` of its request log line.

UU 27/2022 (UU PDP) asks a controller to say, within 3 x 24 hours of a breach, whose personal
data was touched. The request log line (``api/logs.py``) already says who asked (``actor``,
``role``); this module collects, per request, *whom* it was about, as ids only: the Person
aggregate's id (computed from the NIK with :func:`ledger.person.person_id`, as the ledger
computes it; the NIK itself is never kept), the enrolment, claim, incident or scholarship id.
``claims-ledger pdp report`` reads them back (``api/breach_report.py``).

The routes feed the collector with what they already hold: an aggregate they answer
(:func:`note_aggregate`, called by ``api/resources/common.read/written/listed``), a read model
row (:func:`note_row`), ids they were given (:func:`note`). No extra query is ever made for it.
A document or feed that names a whole programme (an audit report with its roster, an audit feed
bundle, a balances table) logs one entry with the programme, what it was and how many people
or rows it covered (:func:`note_many`), not every id.

An entry is a small dict: ``{"person": ..., "enrolment": ...}``, ``{"person": ...,
"claimant": ..., "claim": ...}`` (the claimant, an heir, is a person too), or ``{"programme":
"TNG-2025", "what": "audit report with roster", "count": 1234}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g, has_request_context

from ledger.errors import LedgerError

#: The kinds of id an entry may carry, in the order a report prefers as its key.
KINDS = ("person", "claimant", "enrolment", "claim", "incident", "scholarship")
_ATTRIBUTE = "ledger_subjects"


def note(*, nik: str | None = None, claimant_nik: str | None = None,
         **ids: object) -> None:
    """Record that this request touched one person's data, by ids (``person=``, ``enrolment=``,
    ``claim=``, ``incident=``, ``scholarship=``); a ``nik`` (or ``claimant_nik``) is turned into
    its data subject's id here (through the keyed index: a NIK the index does not hold is
    nobody's yet) and dropped. Outside a request (a command, a test) it does nothing."""
    if not has_request_context():
        return
    entry: dict[str, str] = {}
    for kind, number in (("person", nik), ("claimant", claimant_nik)):
        subject = _subject_of(number) if number else None
        if subject is not None:
            entry[kind] = subject
    for kind, value in ids.items():
        if kind not in KINDS:
            raise ValueError(f"not a kind of subject id: {kind}")
        if value:
            entry[kind] = str(value)
    if entry:
        _add(entry)


def _subject_of(nik: str) -> str | None:
    from api.state import ledger  # imported here: the app's state imports the routes

    try:
        subject = ledger().personal.subject_of(nik)
    except LedgerError:  # a NIK that cannot be keyed is nobody's
        return None
    return None if subject is None else str(subject)


def note_many(*, what: str, programme: str | None = None, count: int | None = None,
              period: str | None = None) -> None:
    """Record that this request touched many people's data at once (a programme's report, a
    feed bundle): the programme, what, and how many, instead of every id."""
    if not has_request_context():
        return
    entry: dict[str, Any] = {"what": what}
    if programme:
        entry["programme"] = programme.upper()
    if period:
        entry["period"] = period
    if count is not None:
        entry["count"] = count
    _add(entry)


def note_aggregate(aggregate: Any) -> None:
    """The subject of an aggregate a route answers or wrote, if it holds personal data
    (a person, an enrolment, a claim, an incident, a JKK case, a scholarship); others (and
    None) are ignored."""
    if aggregate is None:  # a record not yet recorded at a history's cut-off
        return
    kind = type(aggregate).__name__
    ident = str(aggregate.id)
    if kind == "Person":
        note(person=ident)
    elif kind == "Enrolment":
        note(person=aggregate.person_id, enrolment=ident)
    elif kind == "Claim":
        claimant = getattr(aggregate, "claimant", None) or {}
        note(person=aggregate.person_id, claimant=claimant.get("subject_id"), claim=ident,
             enrolment=aggregate.enrolment_id, incident=aggregate.incident_id)
    elif kind == "Incident":
        note(person=aggregate.person_id, incident=ident, enrolment=aggregate.enrolment_id)
    elif kind == "WorkAccidentCase":
        note(person=aggregate.person_id, incident=aggregate.incident_id,
             enrolment=aggregate.enrolment_id)
    elif kind == "Scholarship":
        note(person=aggregate.person_id, scholarship=ident, claim=aggregate.death_claim_id,
             incident=aggregate.incident_id)


def note_row(row: Mapping[str, Any]) -> None:
    """The subject of a read model row (coverage, members): its person and its id."""
    person = row.get("person_id")
    nik = None if person else (row.get("nik") or row.get("subject_nik"))
    enrolment = row.get("enrolment_id") or (row.get("id") if row.get("nik") else None)
    note(nik=str(nik) if nik else None, person=person, enrolment=enrolment,
         claim=row.get("claim_id"))


def collected() -> list[dict[str, Any]] | None:
    """This request's subjects, in the order first noted (None when it touched nobody)."""
    found: dict[tuple[tuple[str, Any], ...], dict[str, Any]] | None = g.get(_ATTRIBUTE)
    return list(found.values()) if found else None


def _add(entry: dict[str, Any]) -> None:
    found: dict[tuple[tuple[str, Any], ...], dict[str, Any]] | None = g.get(_ATTRIBUTE)
    if found is None:
        found = {}
        setattr(g, _ATTRIBUTE, found)
    found.setdefault(tuple(entry.items()), entry)  # once each, in the order first noted
