"""The audit feed: one programme's events of one period, with their proofs, as a bundle.

For the audit board's direct data access (BPK e-Audit): a deterministic JSON Lines bundle (the
format is :mod:`ledger.journal.bundle`) at a cut-off, resting on a checkpoint of the journal at
that cut-off: co-signed by witnesses when such a checkpoint is kept (``ledger_cosigned_
checkpoints``), else signed there and then with the ledger's key (Ed25519 signatures are
deterministic, a C2SP checkpoint has no time: the same cut-off gives the same note).

Which events belong to a programme: its own, and those of every record created for it up to
the cut-off (enrolments, payment orders, incidents, claims, population-register answers,
reconciliation runs of it or of every programme), of the persons enrolled in it, and of the
ceremonies that showed its claims. Which belong to a period: those recorded in it (WIB).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from ledger.application import Ledger
from ledger.asof import AsOf
from ledger.errors import InvalidInputError, NotFoundError, StoreError
from ledger.history import json_safe
from ledger.journal import bundle
from ledger.journal.bundle import Period, encode_line
from ledger.journal.merkle import Frontier, Tree
from ledger.journal.tlog import CheckpointBody, log_signer, parse_checkpoint, sign_checkpoint
from ledger.programme import programme_id
from projections.audit_figures import figure_lines
from projections.journal import Journal
from projections.witnessing import JournalForkError, Witnessing

PAGE = 1000
_TICK = timedelta(microseconds=1)


class JournalBehindError(StoreError):
    """The journal (kept by the projector) has not reached the cut-off asked for yet."""

    rule = "projections-behind"


def _creation_topics() -> list[str]:
    from ledger.claim import Claim
    from ledger.contribution import Contribution
    from ledger.enrolment import Enrolment
    from ledger.handover import Handover
    from ledger.identity_check import IdentityCheck
    from ledger.incident import Incident
    from ledger.programme import Programme
    from ledger.reconciliation import Reconciliation
    from ledger.scholarship_grant import Scholarship
    from ledger.work_accident_case import WorkAccidentCase

    return [get_topic(kind) for kind in (
        Scholarship.Granted, WorkAccidentCase.Opened,  # type: ignore[attr-defined]
        Programme.Opened, Enrolment.Enrolled,  # type: ignore[attr-defined]
        Contribution.Paid, Claim.Filed,  # type: ignore[attr-defined]
        Incident.Reported, IdentityCheck.Recorded,  # type: ignore[attr-defined]
        Reconciliation.RunRecorded, Handover.Held)]  # type: ignore[attr-defined]


def owners(ledger: Ledger, cut_off: int) -> dict[UUID, set[str]]:
    """The programmes each record belongs to, from the creation events up to the cut-off."""
    owned: dict[UUID, set[str]] = {}
    everywhere: list[UUID] = []  # reconciliation runs of no one programme: of every one
    start = 1
    topics = _creation_topics()
    while start <= cut_off:
        page = ledger.recorder.select_notifications(start=start, limit=PAGE, stop=cut_off,
                                                    topics=topics)
        if not page:
            break
        for notification in page:
            event: Any = ledger.mapper.to_domain_event(notification)
            key = UUID(str(notification.originator_id))
            if notification.topic.endswith("Programme.Opened"):
                codes = {str(event.code)}
            elif notification.topic.endswith("Handover.Held"):
                codes = set().union(*(owned.get(UUID(str(item["claim_id"])), set())
                                      for item in event.items))
            elif getattr(event, "programme_code", None) is None:
                everywhere.append(key)
                continue
            else:
                codes = {str(event.programme_code)}
            owned.setdefault(key, set()).update(codes)
            if notification.topic.endswith("Enrolment.Enrolled"):
                owned.setdefault(UUID(str(event.person_id)), set()).update(codes)
        start = page[-1].id + 1
    codes = {code for found in owned.values() for code in found}
    for key in everywhere:
        owned[key] = set(codes)
    return owned


@dataclass(frozen=True)
class Cut:
    """The cut-off a bundle is read at, and the checkpoint it rests on."""

    position: int
    tree: Tree
    positions: list[int]  # the log position of each leaf of the tree
    note: str  # the C2SP signed checkpoint, with the cosignatures kept for it


def choose_cut(ledger: Ledger, witnessing: Witnessing, cut_off: int | None,
               signing_key: str | None) -> Cut:
    """The cut-off asked for, or the latest co-signed checkpoint's, else the latest signed
    one's, else (with a key) the journal's head; refused in words when the journal has not
    reached it or nothing can sign it."""
    journal: Journal = witnessing.journal
    leaves = journal.leaves()
    positions = [p for p, _ in leaves]
    cosigned = {parse_checkpoint(t).body.size: t for t in witnessing.cosigned()}
    if cut_off is None:
        sizes = sorted(cosigned) or sorted(c.size for c in journal.checkpoints())
        if not sizes and signing_key is not None and positions:
            sizes = [len(positions)]  # nothing signed before: the journal's head, signed now
        if not positions:
            raise JournalBehindError("the journal holds no event yet: the projector has not "
                                     "caught up ('claims-ledger project --follow' keeps it "
                                     "up); ask again shortly")
        if not sizes:
            raise NotFoundError("no checkpoint of the journal is signed yet, and without "
                                "LEDGER_SIGNING_KEY none can be: run 'claims-ledger journal "
                                "witness' (or 'journal checkpoint') first", field="cut_off")
        size = sizes[-1]
        if size > len(positions):
            raise JournalBehindError(f"the journal holds {len(positions)} events, fewer than "
                                     f"the checkpoint of {size}: the projector has not caught "
                                     "up yet; ask again shortly")
        cut_off = positions[size - 1]
    head = int(ledger.recorder.max_notification_id() or 0)
    if not 1 <= cut_off <= head:
        raise InvalidInputError(f"position {cut_off} is not in the log (it holds positions 1 "
                                f"to {head})", field="cut_off")
    if not positions or positions[-1] < cut_off:
        reached = positions[-1] if positions else 0
        raise JournalBehindError(f"the journal has not reached position {cut_off} yet: it is "
                                 f"at position {reached}; ask again shortly")
    size = bisect_right(positions, cut_off)
    tree = Tree([h for _, h in leaves[:size]])
    note = cosigned.get(size)
    if note is not None and parse_checkpoint(note).body.root_hash != tree.root():
        raise JournalForkError(f"the co-signed checkpoint of {size} events has another root "
                               "than the journal now: an event of the past was changed or "
                               "removed; run 'claims-ledger verify --policy'")
    if note is None:
        if signing_key is None:
            raise InvalidInputError(f"no checkpoint of {size} events is co-signed, and without "
                                    "LEDGER_SIGNING_KEY none can be signed: give the cut-off of "
                                    "a co-signed checkpoint, or leave it out", field="cut_off")
        _require_extends(journal, witnessing, [h for _, h in leaves])
        body = CheckpointBody(witnessing.origin, size, tree.root())
        note = sign_checkpoint(body, log_signer(signing_key, witnessing.origin)).text
    return Cut(positions[size - 1], tree, positions[:size], note)


def _require_extends(journal: Journal, witnessing: Witnessing, hashes: list[bytes]) -> None:
    """Never sign a checkpoint of a journal that no longer extends one signed before."""
    kept = {(c.size, c.root) for c in journal.checkpoints()}
    kept |= {(b.size, b.root_hash) for b in (parse_checkpoint(t).body
                                             for t in witnessing.cosigned())}
    frontier = Frontier()
    for size, root in sorted(kept):  # one pass: the root at each kept size, as it grew
        while frontier.size < min(size, len(hashes)):
            frontier.append(hashes[frontier.size])
        if frontier.size != size or frontier.root() != root:
            raise JournalForkError(
                f"the journal no longer matches the checkpoint of {size} events signed before: "
                "an event of the past was changed or removed. No bundle is signed; run "
                "'claims-ledger verify' to find the position")


class AuditBundle:
    """One programme's bundle of one period at a cut-off; :meth:`lines` streams its bytes."""

    def __init__(self, ledger: Ledger, cut: Cut, program: str, period: Period,
                 origin: str) -> None:
        self.ledger = ledger
        self.cut = cut
        self.program = program
        self.period = period
        self.origin = origin
        reader = AsOf(ledger)
        if not any(p <= cut.position for _, p, _ in reader.events_of(programme_id(program))):
            raise NotFoundError(f"there is no programme {program} in the ledger at position "
                                f"{cut.position}", field="program")
        self.recorded_at = _recorded_at(ledger, cut.position)
        before = reader.position_at(period.start.astimezone(UTC) - _TICK)
        last = reader.position_at(period.end.astimezone(UTC) - _TICK)
        self.first, self.last = before + 1, min(last, cut.position)
        self.members = {key for key, codes in owners(ledger, cut.position).items()
                        if program in codes}

    def header(self) -> dict[str, Any]:
        return {
            "type": "header", "format": bundle.FORMAT, "version": bundle.VERSION,
            "origin": self.origin, "program": self.program, "period": self.period.text,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "period_closed": self.recorded_at >= self.period.end,
            "cut_off": self.cut.position, "cut_off_recorded_at": self.recorded_at.isoformat(),
            "tree_size": self.cut.tree.size,
        }

    def checkpoint(self) -> dict[str, Any]:
        note = parse_checkpoint(self.cut.note)
        return {"type": "checkpoint", "origin": note.body.origin,
                "tree_size": note.body.size, "root": note.body.root_hash.hex(),
                "note": self.cut.note, "signed_by": [s.name for s in note.note.signatures]}

    def events(self) -> Iterator[dict[str, Any]]:
        """The programme's events of the period up to the cut-off, in log order."""
        index_of = {p: i for i, p in enumerate(self.cut.positions)}
        start = self.first
        while start <= self.last:
            page = self.ledger.recorder.select_notifications(start=start, limit=PAGE,
                                                             stop=self.last)
            if not page:
                return
            for notification in page:
                if UUID(str(notification.originator_id)) in self.members:
                    yield self._event(notification, index_of[notification.id])
            start = page[-1].id + 1

    def _event(self, notification: Any, index: int) -> dict[str, Any]:
        from ledger.journal.checkpoint import leaf_of

        stored = bytes(notification.state)
        text, encoding = bundle.state_text(stored)
        loaded = bundle.stored_json(text, encoding)
        if loaded is None:  # stored encrypted: read with the ledger's own key
            event: Any = self.ledger.mapper.to_domain_event(notification)
            recorded = event.timestamp.astimezone(UTC).isoformat()
            data = json_safe({k: v for k, v in vars(event).items()
                              if k not in ("originator_id", "originator_version",
                                           *bundle.ENVELOPE)})
        else:
            recorded, data = bundle.recorded_time(loaded), bundle.plain_data(loaded)
        leaf = leaf_of(notification.id, notification.originator_id,
                       notification.originator_version, notification.topic, stored)
        return {
            "type": "event", "position": notification.id, "leaf_index": index,
            "aggregate_id": str(UUID(str(notification.originator_id))),
            "version": notification.originator_version, "topic": notification.topic,
            "recorded_at": recorded, "actor": data.get("actor"), "state": text,
            "state_encoding": encoding, "data": data, "leaf_hash": leaf.hex(),
            "proof": [h.hex() for h in self.cut.tree.inclusion_proof(index)],
        }

    def lines(self, from_position: int | None = None) -> Iterator[bytes]:
        """The bundle's bytes line by line; from ``from_position`` on, exactly the tail of the
        whole bundle from the first event at or after that position (the trailer's count and
        SHA-256 are the whole bundle's)."""
        digest = hashlib.sha256()
        count = events = 0
        showing = from_position is None

        def out(value: dict[str, Any]) -> bytes:
            nonlocal count
            line = encode_line(value)
            digest.update(line)
            count += 1
            return line

        for value in (self.header(), *bundle.dictionary_lines(), self.checkpoint()):
            line = out(value)
            if showing:
                yield line
        for value in self.events():
            events += 1
            line = out(value)
            showing = showing or value["position"] >= (from_position or 0)
            if showing:
                yield line
        for value in figure_lines(self.ledger, self.program, self.cut.position):
            yield out(value)
        yield encode_line({"type": "trailer", "lines": count, "events": events,
                           "sha256": digest.hexdigest()})


def _recorded_at(ledger: Ledger, position: int) -> datetime:
    from projections.records import Records

    return Records(ledger).recorded_at(position)


def catalogue(ledger: Ledger, cut: Cut) -> list[dict[str, Any]]:
    """Every bundle there is at a cut-off: each programme's months and years with events, with
    how many events and their first and last positions."""
    owned = owners(ledger, cut.position)
    found: dict[tuple[str, str], list[int]] = {}
    start = 1
    reader = AsOf(ledger)
    boundary_position = 0  # the last position recorded in ``month``
    month = ""
    while start <= cut.position:
        page = ledger.recorder.select_notifications(start=start, limit=PAGE, stop=cut.position)
        if not page:
            break
        for notification in page:
            if notification.id > boundary_position:
                stamp = _recorded_at(ledger, notification.id).astimezone(bundle.WIB)
                month = f"{stamp:%Y-%m}"
                end = Period.parse(month).end.astimezone(UTC)
                boundary_position = reader.position_at(end - _TICK)
            for code in owned.get(UUID(str(notification.originator_id)), ()):
                for period in (month, month[:4]):
                    entry = found.setdefault((code, period), [0, notification.id, 0])
                    entry[0] += 1
                    entry[2] = notification.id
        start = page[-1].id + 1
    return [{"program": code, "period": period, "events": entry[0],
             "first_position": entry[1], "last_position": entry[2]}
            for (code, period), entry in sorted(found.items())]
