"""The audit feed's bundle format: JSON Lines the audit board can check with no database.

A bundle is one programme's events of one period up to a cut-off, each with its RFC 6962
inclusion proof against the checkpoint the bundle rests on, the read models' figures at the
cut-off, and a data dictionary. Every line is one JSON object with a ``type``, keys sorted,
compact separators, UTF-8, ending in a newline, so the same cut-off gives the same bytes.
Built by :mod:`projections.audit_feed`, checked by :mod:`ledger.journal.bundle_check`.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from ledger.errors import InvalidInputError

FORMAT = "claims-ledger-audit-feed"
VERSION = 1
MEDIA_TYPE = "application/x-ndjson"
WIB = timezone(timedelta(hours=7), "WIB")

#: The keys of a stored state that are the library's envelope, not the event's data.
ENVELOPE = ("timestamp", "originator_topic")

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def encode_line(value: dict[str, Any]) -> bytes:
    """One line of a bundle: sorted keys, compact separators, UTF-8, a newline at the end."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8") + b"\n"


@dataclass(frozen=True)
class Period:
    """A month (``2025-03``) or a year (``2025``) of recorded time, in WIB: an event belongs to
    the period in which the ledger recorded it, so a programme's monthly bundles share no event
    and together hold all of its log."""

    text: str
    start: datetime  # the first moment of the period (aware, WIB)
    end: datetime  # the first moment after it

    @classmethod
    def parse(cls, text: str) -> Period:
        found = _PERIOD.match(text.strip())
        year = int(found.group(1)) if found else 0
        month = int(found.group(2)) if found and found.group(2) else None
        if not found or not 2000 <= year <= 2199 or (month is not None and not 1 <= month <= 12):
            raise InvalidInputError(
                f"a period is a month (2025-03) or a year (2025); got '{text}'", field="period")
        if month is None:
            return cls(f"{year:04d}", datetime(year, 1, 1, tzinfo=WIB),
                       datetime(year + 1, 1, 1, tzinfo=WIB))
        after = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=WIB)
        return cls(f"{year:04d}-{month:02d}", datetime(year, month, 1, tzinfo=WIB), after)

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def months(self) -> list[str]:
        """The months of the period (``YYYY-MM``)."""
        if len(self.text) == 7:
            return [self.text]
        return [f"{self.text}-{m:02d}" for m in range(1, 13)]


def state_text(state: bytes) -> tuple[str, str]:
    """The stored state as a line carries it: ``(text, "utf-8")`` when it is UTF-8 (plain JSON),
    else ``(base64, "base64")`` (encrypted or compressed at rest). Either gives back the exact
    bytes the journal hashed."""
    try:
        return state.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(state).decode("ascii"), "base64"


def state_bytes(text: str, encoding: str) -> bytes:
    """The stored bytes back from a line's ``state`` and ``state_encoding``."""
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "base64":
        return base64.b64decode(text.encode("ascii"), validate=True)
    raise ValueError(f"unknown state_encoding {encoding!r}")


def _plain(value: Any) -> Any:
    """A stored value with the library's typed values (``{"_type_": ..., "_data_": ...}``)
    written plainly: dates and times as ISO text, ids with dashes, tuples as lists."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            kind, data = value["_type_"], value["_data_"]
            if kind in ("uuid_hex", "uuid"):
                return str(UUID(str(data)))
            return _plain(data)
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def plain_data(state: dict[str, Any]) -> dict[str, Any]:
    """An event's data as the bundle's ``data`` shows it: its stored state without the
    library's envelope, typed values written plainly (a reader needs no event library)."""
    found: dict[str, Any] = _plain({k: v for k, v in state.items() if k not in ENVELOPE})
    return found


def stored_json(text: str, encoding: str) -> dict[str, Any] | None:
    """A line's state as the JSON object the ledger stores, or None when it is not readable
    JSON (stored encrypted or compressed: the builder then decodes it with the ledger's key)."""
    if encoding != "utf-8":
        return None
    try:
        loaded = json.loads(text)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


def data_of(text: str, encoding: str) -> dict[str, Any] | None:
    """``plain_data`` of a line's state (None when it is not readable JSON)."""
    loaded = stored_json(text, encoding)
    return plain_data(loaded) if loaded is not None else None


def recorded_time(stored: dict[str, Any]) -> str:
    """When the ledger recorded an event, from its stored state (ISO 8601, UTC)."""
    return parse_time(str(stored["timestamp"]["_data_"])).astimezone(UTC).isoformat()


def _field(meaning: str, unit: str | None = None) -> dict[str, str]:
    return {"meaning": meaning, **({"unit": unit} if unit else {})}


RUPIAH = "rupiah (whole, an integer)"
POSITION = "log position (an integer: the event's place in the ledger's global log)"
TIME = "ISO 8601 date and time, UTC"
HEX = "hexadecimal (lower case)"

#: What every field of every line type means: the bundle's own ``dictionary`` lines.
DICTIONARY: dict[str, dict[str, dict[str, str]]] = {
    "header": {
        "type": _field("'header': the first line"),
        "format": _field(f"'{FORMAT}'"),
        "version": _field("the format's version", "integer"),
        "origin": _field("the ledger's origin: the first line of its checkpoints"),
        "program": _field("the programme's code"),
        "period": _field("the month (YYYY-MM) or year (YYYY) in which the events were recorded"),
        "period_start": _field("the first moment of the period", "ISO 8601, WIB (UTC+7)"),
        "period_end": _field("the first moment after the period", "ISO 8601, WIB (UTC+7)"),
        "period_closed": _field("true when the cut-off was recorded after the period ended: "
                                "no later bundle adds events to this period", "boolean"),
        "cut_off": _field("the last log position the bundle covers", POSITION),
        "cut_off_recorded_at": _field("when the event at the cut-off was recorded", TIME),
        "tree_size": _field("the number of journal leaves up to the cut-off: the size of the "
                            "checkpoint", "integer"),
    },
    "dictionary": {
        "type": _field("'dictionary': what each field of one line type means"),
        "line_type": _field("the line type described"),
        "fields": _field("field name -> its meaning and unit"),
    },
    "checkpoint": {
        "type": _field("'checkpoint': the signed tree head every proof is checked against"),
        "origin": _field("the log's origin"),
        "tree_size": _field("the number of leaves", "integer"),
        "root": _field("the RFC 6962 root hash", HEX),
        "note": _field("the C2SP tlog-checkpoint as a signed note: the ledger's signature and "
                       "every witness cosignature kept for it (c2sp.org/tlog-cosignature)"),
        "signed_by": _field("the names of the keys that signed the note (the ledger, witnesses)"),
    },
    "event": {
        "type": _field("'event': one recorded event of the programme"),
        "position": _field("the event's place in the log", POSITION),
        "leaf_index": _field("the event's leaf in the journal (0-based)", "integer"),
        "aggregate_id": _field("the record (enrolment, claim, ...) the event belongs to", "UUID"),
        "version": _field("the event's number within its record (1 = created)", "integer"),
        "topic": _field("the event's kind, module:Class.Event"),
        "recorded_at": _field("when the ledger recorded it", TIME),
        "actor": _field("who recorded it (the API token's name or the command's --as)"),
        "state": _field("the event's state exactly as stored: with position, aggregate_id, "
                        "version and topic it gives the leaf hash"),
        "state_encoding": _field("'utf-8' (state is the stored JSON text) or 'base64' (stored "
                                 "encrypted or compressed)"),
        "data": _field("the event's data read from state (each field in the 'event.data' "
                       "dictionary line): money in rupiah (integers), dates YYYY-MM-DD; "
                       "personal fields as the event holds them"),
        "leaf_hash": _field("SHA-256(0x00 || 'claims-ledger leaf v1' 0x00 || position 0x00 "
                            "aggregate_id 0x00 version 0x00 topic 0x00 || state)", HEX),
        "proof": _field("the RFC 6962 inclusion proof of the leaf in the checkpoint, nearest "
                        "sibling first", f"list of {HEX} hashes"),
    },
    "figures": {
        "type": _field("'figures': the read models' figures of the programme at the cut-off"),
        "figure": _field("'budget', 'coverage' or 'claims'"),
        "as_of_position": _field("the cut-off the figures were read at", POSITION),
        "funding_source": _field("where the budget comes from: APBD, BTT or APBN"),
        "dpa_reference": _field("the budget document (DPA) in force"),
        "ceiling": _field("the budget ceiling (DPA) after revisions", RUPIAH),
        "revisions": _field("each change of the ceiling: position, ceiling (rupiah), "
                            "dpa_reference, reason"),
        "paid": _field("contributions paid (budget) or payouts disbursed (claims)", RUPIAH),
        "reversed": _field("money paid then reversed", RUPIAH),
        "city_payouts": _field("the city's own death grants paid from the budget", RUPIAH),
        "committed": _field("contributions and city payouts net of reversals", RUPIAH),
        "remaining": _field("ceiling minus committed", RUPIAH),
        "months": _field("per month (YYYY-MM): active_members, rate (rupiah), due (rupiah), "
                         "paid (rupiah), paid_members, and flags short_of_roster, "
                         "paid_beyond_roster, over_ceiling"),
        "members": _field("members enrolled (coverage) or on the roster (budget)", "count"),
        "by_status": _field("members by status (active, ended, lapsed, deceased)", "counts"),
        "identity": _field("members by population-register answer (matched, not_matched, "
                           "not_checked)", "counts"),
        "months_paid": _field("member-months paid, over all members", "count"),
        "benefits": _field("per benefit: claims, entitlement, approved, disbursed, reversed, "
                           "outstanding (rupiah) and claims by status"),
        "totals": _field("the same over all benefits"),
    },
    "trailer": {
        "type": _field("'trailer': the last line"),
        "lines": _field("the number of lines before it in the whole bundle", "integer"),
        "events": _field("the number of event lines in the whole bundle", "integer"),
        "sha256": _field("SHA-256 of the bytes of every line before it in the whole bundle "
                         "(also when resumed with from_position)", HEX),
    },
}


def dictionary_lines() -> list[dict[str, Any]]:
    """The bundle's ``dictionary`` lines, one per line type in the order lines come, and one
    (``event.data``) for the fields of the events' own data."""
    from ledger.journal.event_fields import event_data_fields

    lines: list[dict[str, Any]] = []
    for name, fields in DICTIONARY.items():
        lines.append({"type": "dictionary", "line_type": name, "fields": fields})
        if name == "event":
            lines.append({"type": "dictionary", "line_type": "event.data",
                          "fields": event_data_fields()})
    return lines


def parse_time(text: str) -> datetime:
    """A line's ISO time, aware (UTC when it says no zone)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
