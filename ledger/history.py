"""Lists and histories read from the event log, and events as plain JSON.

A list walks the creation events of one aggregate type in log order from a cursor, filters on
what the creation event says, then on the current state, and stops at ``limit`` matches. The
cursor is the log position of the last item, so paging is stable while new records arrive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from ledger.application import Ledger
from ledger.errors import NotFoundError
from ledger.identity import mask_nik, parse_nik

SCAN_PAGE = 500


def scan(ledger: Ledger, created: type, after: int, limit: int,
         on_created: Callable[[Any], bool], load: Callable[[Any], Any],
         on_state: Callable[[Any], bool], mentions: str | None = None
         ) -> tuple[list[Any], int | None]:
    """Up to ``limit`` aggregates created after position ``after`` that pass both filters.

    ``mentions``: a text every creation event that can pass ``on_created`` holds as it is
    stored (an id it lists): where events are stored as plain JSON (no compressor, no cipher),
    the database finds the events that hold it, and the others are neither sent nor decoded
    (a payment order naming 20,000 other members is never read to learn it does not name
    this one).
    """
    topic = get_topic(created)
    found: list[Any] = []
    position = after
    needles = _needles(ledger, mentions)
    while True:
        page: Sequence[Any]
        if needles:  # the database finds the events that hold the text: one read, no paging
            page = [n for n in ledger.store.mentioning(ledger.recorder, (topic,), needles)
                    if n.id > position]
        else:
            page = ledger.recorder.select_notifications(start=position + 1, limit=SCAN_PAGE,
                                                        topics=[topic])
        if not page:
            return found, None
        for notification in page:
            position = notification.id
            event = ledger.mapper.to_domain_event(notification)
            if not on_created(event):
                continue
            aggregate = load(event.originator_id)
            if on_state(aggregate):
                found.append(aggregate)
                if len(found) == limit:
                    return found, position
        if needles:
            return found, None


def _needles(ledger: Ledger, mentions: str | None) -> tuple[bytes, ...]:
    """What a stored event holding ``mentions`` holds, where events are stored as plain JSON
    (no compressor, no cipher; else nothing: the events must be decoded to be searched). An id
    is stored as text, or (a UUID the transcoder encodes) as its 32 hex digits."""
    if not mentions or ledger.mapper.compressor is not None or ledger.mapper.cipher is not None:
        return ()
    return tuple(dict.fromkeys((mentions.encode(), mentions.replace("-", "").encode())))


#: Events already read and decoded while finding a history's records, by log position: what
#: :func:`member_records` read is not read (a payment order of 20,000 members) nor decoded again.
Seen = dict[int, tuple[Notification, Any]]


def events_of(ledger: Ledger, originator_ids: set[str], up_to: int | None = None,
              seen: Seen | None = None) -> list[Notification]:
    """The notifications of these aggregates (up to a position), in log order.

    Their positions come from the primary-key index of the events table in one query, and the
    events not already in ``seen`` are read in one more, so this reads only those events,
    never the whole log.
    """
    known = seen or {}
    rows = [(aggregate, version, position) for aggregate, version, position in
            ledger.store.positions_of(ledger.recorder, (UUID(i) for i in originator_ids))
            if up_to is None or position <= up_to]
    stored = ledger.store.stored_at(ledger.recorder, [(aggregate, version) for
                                                      aggregate, version, position in rows
                                                      if position not in known])
    found: list[Notification] = []
    for aggregate, version, position in rows:
        if position in known:
            found.append(known[position][0])
            continue
        _, topic, state = stored[(aggregate, version)]
        found.append(Notification(id=position, originator_id=aggregate,
                                  originator_version=version, topic=topic, state=state))
    return found


def incidents_and_claims(ledger: Ledger, person_id: UUID | str) -> set[str]:
    """Ids of the incidents and claims about a person (found from their creation events, by
    the person's id, which they hold in clear: the NIK is sealed)."""
    from ledger.claim import Claim
    from ledger.incident import Incident

    found: set[str] = set()
    key = str(person_id)
    for kind in (Incident.Reported, Claim.Filed):  # type: ignore[attr-defined]
        items, _ = scan(ledger, kind, 0, 10**9,
                        lambda e: str(getattr(e, "person_id", "")) == key,
                        lambda aggregate_id: aggregate_id, lambda _a: True, mentions=key)
        found |= {str(i) for i in items}
    return found


def _enrolment_id(ledger: Ledger, text: str) -> str:
    """A whole enrolment id, or the one a short id (its first 8 or more hex digits, as the
    documents and the command line print it) stands for."""
    from ledger.enrolment import Enrolment
    from ledger.errors import EnrolmentNotFoundError

    value = text.strip().lower()
    try:
        return str(UUID(value))
    except ValueError:
        pass
    if len(value) < 8 or any(c not in "0123456789abcdef-" for c in value):
        raise EnrolmentNotFoundError(
            f"'{text}' is not a member id (the enrolment id, or its first 8 characters)",
            field="member")
    topic = get_topic(Enrolment.Enrolled)  # type: ignore[attr-defined]
    found: list[str] = []
    position = 0
    while page := ledger.recorder.select_notifications(start=position + 1, limit=SCAN_PAGE * 10,
                                                       topics=[topic]):
        found += [str(n.originator_id) for n in page if str(n.originator_id).startswith(value)]
        position = page[-1].id
    if len(found) != 1:
        raise EnrolmentNotFoundError(
            f"no member has an id starting with '{value}'" if not found else
            f"{len(found)} members have an id starting with '{value}'; give more of it",
            field="member")
    return found[0]


def member_records(ledger: Ledger, enrolment_id: str, seen: Seen | None = None) -> list[UUID]:
    """The aggregates whose events make up one member's (enrolment's) history: the enrolment,
    the person (a death, a BPJS exclusion), the incidents and claims on this enrolment, the
    payment orders that name it (and their reversals) and the population-register answers about
    it: every event a finding about the member cites. ``seen``: filled with the events read
    and decoded on the way (by position), for :func:`events_of` and a timeline to reuse."""
    from ledger.claim import Claim
    from ledger.contribution import Contribution
    from ledger.identity_check import IdentityCheck
    from ledger.incident import Incident

    enrolment = ledger.enrolment(_enrolment_id(ledger, enrolment_id))
    key = str(enrolment.id)
    found: list[UUID] = [enrolment.id, UUID(enrolment.person_id)]
    tests: tuple[tuple[type, Callable[[Any], bool]], ...] = (
        (Incident.Reported, lambda e: str(e.enrolment_id) == key),  # type: ignore[attr-defined]
        (Claim.Filed, lambda e: str(e.enrolment_id or "") == key),  # type: ignore[attr-defined]
        (Contribution.Paid, lambda e: key in e.enrolment_ids),  # type: ignore[attr-defined]
        (IdentityCheck.Recorded,  # type: ignore[attr-defined]
         lambda e: key in e.matched or key in e.unmatched),
    )
    needles = _needles(ledger, key)
    if needles:  # every one of these events names the enrolment by its id, as stored:
        # the database finds them all in one pass over the log
        concerning = {get_topic(created): concerns for created, concerns in tests}
        for notification in ledger.store.mentioning(ledger.recorder, tuple(concerning),
                                                    needles):
            event = ledger.mapper.to_domain_event(notification)
            if concerning[notification.topic](event):
                found.append(UUID(str(event.originator_id)))
                if seen is not None:
                    seen[notification.id] = (notification, event)
        return found
    for created, concerns in tests:
        items, _ = scan(ledger, created, 0, 10**9, concerns,
                        lambda aggregate_id: aggregate_id, lambda _a: True)
        found += [UUID(str(i)) for i in items]
    return found


#: What a history can be asked for: the records whose events make it up.
HISTORY_KINDS = ("nik", "member", "claim", "program", "handover")


def history_ids(ledger: Ledger, kind: str, value: Any, seen: Seen | None = None
                ) -> list[UUID]:
    """The aggregates whose events make up the history of a NIK, member, claim, programme or
    ceremony.

    A NIK: the person, their enrolments, incidents and claims. A member (enrolment id): see
    :func:`member_records`. A claim: it and its incident. A ceremony: it and the claims it
    showed. Unknown ones raise the ledger's NotFoundError. ``seen``: see :data:`Seen`.
    """
    if kind == "member":
        return member_records(ledger, str(value), seen)
    if kind == "claim":
        claim = ledger.claim(value)
        return [claim.id, *([UUID(claim.incident_id)] if claim.incident_id else [])]
    if kind == "program":
        return [ledger.programme(str(value)).id]
    if kind == "handover":
        handover = ledger.handover(value)
        return [handover.id, *(UUID(item["claim_id"]) for item in handover.items)]
    number = parse_nik(str(value)).value
    person = ledger.person(number)
    if person is None:
        raise NotFoundError(f"the ledger has never recorded NIK {mask_nik(number)}", field="nik")
    return [person.id, *(UUID(e) for e in person.enrolment_ids),
            *(UUID(i) for i in incidents_and_claims(ledger, person.id))]


# -- events as JSON ------------------------------------------------------------------------

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """Dates, UUIDs and nested values as plain JSON."""
    plain: dict[str, Any] = _plain(values)
    return plain


def event_json(ledger: Ledger, notification: Any) -> dict[str, Any]:
    """One stored event, decoded by the library's mapper, as plain JSON."""
    event: Any = ledger.mapper.to_domain_event(notification)
    payload = {k: _plain(v) for k, v in vars(event).items() if k not in _ENVELOPE}
    if isinstance(payload.get("hashed"), str):
        # A token's SHA-256 is shown to readers of the log shortened, as the token list shows
        # its id: enough to tell tokens apart, never the whole digest (export keeps the bytes).
        payload["hashed"] = payload["hashed"][:8] + "..."
    return {
        "position": notification.id,
        "aggregate_id": str(notification.originator_id),
        "aggregate_version": notification.originator_version,
        "type": notification.topic.rsplit(":", 1)[-1],
        "recorded_at": event.timestamp.isoformat(),
        "actor": payload.get("actor"),
        "data": payload,
    }


def effective_day(event: Any) -> date:
    """The day a decoded domain event took effect (as :func:`effective_on` says of its JSON):
    its own business date, or the day it was recorded, in WIB."""
    from datetime import timedelta

    for name in EFFECTIVE_FIELDS:
        value = getattr(event, name, None)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
    recorded: datetime = event.timestamp
    return (recorded + timedelta(hours=7) - (recorded.utcoffset() or timedelta(0))).date()


#: The fields that say when an event took effect, most telling first: the day money was paid,
#: an incident happened, a decision or a ceremony was made, cover began or ended.
EFFECTIVE_FIELDS = ("paid_on", "occurred_on", "died_on", "reversed_on", "approved_on",
                    "rejected_on", "revoked_on", "filed_on", "held_on", "checked_on",
                    "enrolled_on", "ended_on", "opened_on", "closed_on")


def effective_on(event: dict[str, Any]) -> date:
    """The day an event (as :func:`event_json` gives it) took effect: its own business date, or
    for an event that carries none (a person registered, a payment booked on its programme) the
    day it was recorded, in WIB."""
    from datetime import timedelta

    data = event["data"]
    for name in EFFECTIVE_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    recorded = datetime.fromisoformat(event["recorded_at"])
    return (recorded + timedelta(hours=7) - (recorded.utcoffset() or timedelta(0))).date()
