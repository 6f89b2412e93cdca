"""Checking an audit-feed bundle with no database: every leaf recomputed from the stored state,
every inclusion proof checked against the bundle's checkpoint, the checkpoint against a policy
(its quorum of witnesses) when one is given, and the trailer's count and SHA-256.

What fails is said in words with the line and the log position concerned, as an auditor reads
it: "line 7, the event at position 42: its state does not give its leaf hash ...".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ledger.errors import MalformedNoteError
from ledger.journal.bundle import (
    FORMAT,
    VERSION,
    parse_time,
    plain_data,
    recorded_time,
    state_bytes,
    stored_json,
)
from ledger.journal.checkpoint import leaf_of
from ledger.journal.merkle import verify_inclusion
from ledger.journal.policy import Policy, check_checkpoint
from ledger.journal.tlog import parse_checkpoint

#: More problems than this are counted, not listed.
LISTED = 20


@dataclass
class BundleCheck:
    """What the check found: the problems in words (none: all good) and what was checked."""

    problems: list[str] = field(default_factory=list)
    more: int = 0
    events: int = 0
    lines: int = 0
    checkpoint: str = ""
    program: str = ""
    period: str = ""
    cut_off: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, text: str) -> None:
        if len(self.problems) < LISTED:
            self.problems.append(text)
        else:
            self.more += 1


@dataclass
class _State:
    header: dict[str, Any] | None = None
    size: int = 0
    root: bytes = b""
    has_checkpoint: bool = False
    last_position: int = 0
    trailer_seen: bool = False
    digest: Any = field(default_factory=hashlib.sha256)


def check_bundle(lines: Iterable[bytes], policy: Policy | None = None) -> BundleCheck:
    """Check a whole bundle, line by line (a file or a stream of lines)."""
    report = BundleCheck()
    state = _State()
    for number, raw in enumerate(lines, start=1):
        report.lines = number
        if state.trailer_seen:
            report.fail(f"line {number} comes after the trailer: the trailer must be last")
            break
        try:
            line = json.loads(raw)
            kind = line["type"] if isinstance(line, dict) else None
        except (ValueError, KeyError):
            report.fail(f"line {number} is not a JSON object with a type")
            state.digest.update(raw)
            continue
        if number == 1 and kind != "header":
            report.fail("the bundle does not start with its header line (a resumed tail? join "
                        "it to the part before it first)")
            return report
        if kind == "trailer":
            _trailer(report, state, line, number)
            state.trailer_seen = True
            continue
        state.digest.update(raw)
        if kind == "header":
            _header(report, state, line, number)
        elif kind == "checkpoint":
            _checkpoint(report, state, line, number, policy)
        elif kind == "event":
            report.events += 1
            _event(report, state, line, number)
    if not state.trailer_seen:
        report.fail("the bundle ends without its trailer line: it was cut short")
    return report


def _header(report: BundleCheck, state: _State, line: dict[str, Any], number: int) -> None:
    if number != 1:
        report.fail(f"line {number} is a second header")
        return
    if line.get("format") != FORMAT or line.get("version") != VERSION:
        report.fail(f"this is not a {FORMAT} bundle of version {VERSION} (it says "
                    f"{line.get('format')!r} version {line.get('version')!r})")
    state.header = line
    report.program = str(line.get("program", ""))
    report.period = str(line.get("period", ""))
    report.cut_off = int(line.get("cut_off", 0))


def _checkpoint(report: BundleCheck, state: _State, line: dict[str, Any], number: int,
                policy: Policy | None) -> None:
    header = state.header or {}
    try:
        body = parse_checkpoint(str(line.get("note", ""))).body
    except MalformedNoteError as error:
        report.fail(f"line {number}, the checkpoint: its note does not parse ({error.message})")
        return
    if (body.size, body.root_hash.hex(), body.origin) != (
            line.get("tree_size"), line.get("root"), line.get("origin")):
        report.fail(f"line {number}, the checkpoint: its size, root or origin differ from "
                    "those of its signed note")
    if body.size != header.get("tree_size") or body.origin != header.get("origin"):
        report.fail(f"line {number}, the checkpoint: it is of {body.size} events of "
                    f"{body.origin}, the header says {header.get('tree_size')} of "
                    f"{header.get('origin')}")
    state.size, state.root, state.has_checkpoint = body.size, body.root_hash, True
    if policy is None:
        report.checkpoint = (f"{body.origin} at size {body.size}; its signatures were not "
                             "checked (give a policy file to check them and the quorum)")
        return
    verdict = check_checkpoint(str(line["note"]), policy)
    report.checkpoint = verdict.reason
    if not verdict.ok:
        report.fail(f"line {number}, the checkpoint does not meet the policy: {verdict.reason}")


def _event(report: BundleCheck, state: _State, line: dict[str, Any], number: int) -> None:
    position = line.get("position")
    where = f"line {number}, the event at position {position}"
    if not state.has_checkpoint:
        report.fail(f"{where}: no checkpoint line comes before it")
        return
    try:
        index, version = int(line["leaf_index"]), int(line["version"])
        stored = state_bytes(str(line["state"]), str(line["state_encoding"]))
        leaf = leaf_of(int(str(position)), str(line["aggregate_id"]), version,
                       str(line["topic"]), stored)
        proof = [bytes.fromhex(h) for h in line["proof"]]
    except (KeyError, TypeError, ValueError):
        report.fail(f"{where}: a field is missing or malformed")
        return
    if int(str(position)) <= state.last_position:
        report.fail(f"{where}: positions must rise line by line (the one before was "
                    f"{state.last_position})")
    state.last_position = int(str(position))
    if state.header and int(str(position)) > int(state.header.get("cut_off", 0)):
        report.fail(f"{where}: it is past the cut-off {state.header.get('cut_off')}")
    if leaf.hex() != line.get("leaf_hash"):
        report.fail(f"{where}: its state does not give its leaf hash (the event differs from "
                    "the one the ledger journaled)")
    elif not verify_inclusion(index, state.size, leaf, proof, state.root):
        report.fail(f"{where}: its inclusion proof does not lead to the checkpoint's root")
    _readable(report, state, line, where, stored)


def _readable(report: BundleCheck, state: _State, line: dict[str, Any], where: str,
              stored: bytes) -> None:
    """The readable fields (data, recorded_at, actor) must say what the hashed state says."""
    if line["state_encoding"] != "utf-8":
        return  # stored encrypted: only the ledger's key reads it
    loaded = stored_json(stored.decode("utf-8"), "utf-8")
    try:
        stamp = recorded_time(loaded or {})
    except (ValueError, KeyError, TypeError):
        report.fail(f"{where}: its state is not the JSON the ledger stores")
        return
    data = plain_data(loaded or {})
    if line.get("data") != data:
        report.fail(f"{where}: its data differ from its stored state")
    if line.get("actor") != data.get("actor"):
        report.fail(f"{where}: its actor differs from its stored state")
    if line.get("recorded_at") != stamp:
        report.fail(f"{where}: its recorded_at differs from its stored state")
    recorded = parse_time(stamp)
    header = state.header or {}
    start, end = header.get("period_start"), header.get("period_end")
    if start and end and not parse_time(start) <= recorded < parse_time(end):
        report.fail(f"{where}: it was recorded at {recorded.isoformat()}, outside the period "
                    f"{header.get('period')}")


def _trailer(report: BundleCheck, state: _State, line: dict[str, Any], number: int) -> None:
    if line.get("lines") != number - 1 or line.get("events") != report.events:
        report.fail(f"line {number}, the trailer: it counts {line.get('lines')} lines and "
                    f"{line.get('events')} events, the bundle has {number - 1} and "
                    f"{report.events} (lines were added or removed)")
    if line.get("sha256") != state.digest.hexdigest():
        report.fail(f"line {number}, the trailer: the SHA-256 of the lines before it differs "
                    "(a line was changed, added or removed)")
