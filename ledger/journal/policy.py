"""C2SP ``tlog-policy`` (which logs and witnesses a verifier trusts, and the quorum of witnesses a
checkpoint needs) and ``tlog-proof`` (an inclusion proof with its cosigned checkpoint, checkable
offline against a policy).

A policy file, for example BPK and any one of the Inspektorat, the DPRD or a university::

    log jamsos.tangerangkota.go.id/ledger+<id>+<base64>
    witness bpk bpk.go.id/witness+<id>+<base64>
    witness inspektorat ...
    witness dprd ...
    witness ui ...
    group others any inspektorat dprd ui
    group audit all bpk others
    quorum audit

A checkpoint meets the policy when one listed log signed it for its own origin and the quorum
holds over the witnesses whose cosignatures verify; signatures of unknown keys are ignored.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from ledger.errors import MalformedNoteError, NoteSignatureInvalidError, UnverifiedNoteError
from ledger.journal.merkle import verify_inclusion
from ledger.journal.note import (
    COSIGNATURE_V1,
    ED25519,
    MLDSA44_COSIGNATURE,
    VerifierKey,
    verify_note,
)
from ledger.journal.tlog import Checkpoint, cosignatures, parse_checkpoint

NONE: Final = "none"
_WHITESPACE = re.compile(r"[ \t]+")
_DECIMAL = re.compile(r"[1-9][0-9]*")


@dataclass(frozen=True)
class PolicyLog:
    """A trusted log: its verifier key (named after its origin) and an optional URL."""

    key: VerifierKey
    url: str | None = None


@dataclass(frozen=True)
class PolicyWitness:
    """A trusted witness: its name in the policy, its cosigner key, an optional URL."""

    name: str
    key: VerifierKey
    url: str | None = None


@dataclass(frozen=True)
class Group:
    """A group is satisfied when at least ``threshold`` of its ``members`` are."""

    name: str
    threshold: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    """A parsed policy: logs, witnesses by name, groups by name, and the quorum's name."""

    logs: tuple[PolicyLog, ...]
    witnesses: tuple[PolicyWitness, ...]
    groups: tuple[Group, ...]
    quorum: str

    def witness_keys(self) -> tuple[VerifierKey, ...]:
        """Every witness's cosigner key."""
        return tuple(w.key for w in self.witnesses)

    def log_keys(self) -> tuple[VerifierKey, ...]:
        """Every log's key."""
        return tuple(log.key for log in self.logs)

    def satisfied_by(self, witnessed: set[str] | frozenset[str]) -> bool:
        """Whether the quorum holds when the witnesses named in ``witnessed`` co-signed."""
        if self.quorum == NONE:
            return True
        groups = {g.name: g for g in self.groups}

        def holds(name: str) -> bool:
            group = groups.get(name)
            if group is None:
                return name in witnessed
            return sum(holds(member) for member in group.members) >= group.threshold

        return holds(self.quorum)


def parse_policy(text: str | bytes) -> Policy:
    """Read a policy file; anything against the spec raises :class:`MalformedNoteError`."""
    raw = text.encode() if isinstance(text, str) else text
    if any((b < 0x20 and b not in (0x09, 0x0A)) or b == 0x7F for b in raw):
        raise MalformedNoteError("a policy holds no control character but tab and newline",
                                 field="policy")
    logs: list[PolicyLog] = []
    witnesses: list[PolicyWitness] = []
    groups: list[Group] = []
    defined: set[str] = set()
    used: set[str] = set()
    quorum: str | None = None
    for number, line in enumerate(raw.decode("utf-8", "surrogateescape").split("\n"), 1):
        words = [w for w in _WHITESPACE.split(line.strip()) if w]
        if not words or words[0].startswith("#"):
            continue

        def bad(why: str, line_number: int = number) -> MalformedNoteError:
            return MalformedNoteError(f"policy line {line_number}: {why}", field="policy")

        keyword, args = words[0], words[1:]
        if keyword == "log":
            if len(args) not in (1, 2):
                raise bad("log <vkey> [<url>]")
            key = _key(args[0], ED25519, bad)
            if any(log.key.same_material(key) for log in logs):
                raise bad("the same log key twice")
            logs.append(PolicyLog(key, args[1] if len(args) == 2 else None))
        elif keyword == "witness":
            if len(args) not in (2, 3):
                raise bad("witness <name> <vkey> [<url>]")
            name = args[0]
            if name in defined or name == NONE:
                raise bad(f"the name {name!r} is taken")
            key = _key(args[1], COSIGNATURE_V1, bad)
            if any(w.key.same_material(key) for w in witnesses):
                raise bad("the same witness key twice")
            witnesses.append(PolicyWitness(name, key, args[2] if len(args) == 3 else None))
            defined.add(name)
        elif keyword == "group":
            if len(args) < 3:
                raise bad("group <name> all|any|<k> <name>...")
            name, kind, members = args[0], args[1], tuple(args[2:])
            if name in defined or name == NONE:
                raise bad(f"the name {name!r} is taken")
            for member in members:
                if member not in defined:
                    raise bad(f"{member!r} is not defined on a line before")
                if member in used:
                    raise bad(f"{member!r} is a member of a group already")
            if len(set(members)) != len(members):
                raise bad("a member is listed twice")
            if kind == "all":
                threshold = len(members)
            elif kind == "any":
                threshold = 1
            elif _DECIMAL.fullmatch(kind) and int(kind) <= len(members):
                threshold = int(kind)
            else:
                raise bad("the threshold is all, any, or 1 to the number of members")
            used.update(members)
            groups.append(Group(name, threshold, members))
            defined.add(name)
        elif keyword == "quorum":
            if len(args) != 1:
                raise bad("quorum <name>")
            if quorum is not None:
                raise bad("a policy has one quorum line")
            if args[0] != NONE and args[0] not in defined:
                raise bad(f"{args[0]!r} is not defined on a line before")
            quorum = args[0]
        else:
            raise bad(f"unknown keyword {keyword!r}")
    if quorum is None:
        raise MalformedNoteError("a policy has a quorum line", field="policy")
    return Policy(tuple(logs), tuple(witnesses), tuple(groups), quorum)


def _key(text: str, expected: int, bad: Callable[[str], MalformedNoteError]) -> VerifierKey:
    try:
        key = VerifierKey.parse(text)
    except MalformedNoteError as error:
        raise bad(error.message) from None
    # A witness may also be a post-quantum (ML-DSA-44) cosigner; a log signs with Ed25519.
    allowed = (expected,) if expected == ED25519 else (COSIGNATURE_V1, MLDSA44_COSIGNATURE)
    if key.type not in allowed:
        raise bad(f"a key of type 0x{key.type:02x} where 0x{expected:02x} is expected")
    return key


@dataclass(frozen=True)
class PolicyVerdict:
    """Whether a checkpoint meets a policy, which witnesses co-signed it, and why in words."""

    ok: bool
    reason: str
    origin: str | None = None
    size: int | None = None
    cosigned_by: tuple[str, ...] = ()
    #: Each cosigning witness's timestamp, by witness name.
    times: tuple[tuple[str, int], ...] = ()


def check_checkpoint(checkpoint_text: str | bytes, policy: Policy) -> PolicyVerdict:
    """Does the checkpoint meet the policy? Never raises for a bad checkpoint: says why."""
    try:
        checkpoint = parse_checkpoint(checkpoint_text)
    except MalformedNoteError as error:
        return PolicyVerdict(False, f"the checkpoint does not parse: {error.message}")
    origin, size = checkpoint.body.origin, checkpoint.body.size
    # The log's key name is its origin: a trusted key of another log proves nothing here.
    keys = [log.key for log in policy.logs if log.key.name == origin]
    if not keys:
        return PolicyVerdict(False, f"the policy trusts no log {origin!r}", origin, size)
    try:
        verify_note(checkpoint.note, keys)
    except (UnverifiedNoteError, NoteSignatureInvalidError) as error:
        return PolicyVerdict(False, f"the log's signature is missing or wrong: {error.message}",
                             origin, size)
    try:
        verified = cosignatures(checkpoint, policy.witness_keys())
    except NoteSignatureInvalidError as error:
        return PolicyVerdict(False, f"a witness's cosignature is forged: {error.message}",
                             origin, size)
    by_key = {w.key: w.name for w in policy.witnesses}
    times = {by_key[v.key]: v.timestamp or 0 for v in verified}
    names = tuple(sorted(times))
    ok = policy.satisfied_by(frozenset(names))
    who = ", ".join(names) or "no witness"
    reason = (f"{origin} at size {size}: co-signed by {who}; the quorum "
              f"{policy.quorum!r} {'holds' if ok else 'does not hold'}")
    return PolicyVerdict(ok, reason, origin, size, names, tuple(sorted(times.items())))


# -- tlog-proof -----------------------------------------------------------------------------------

PROOF_HEADER: Final = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"index (0|[1-9][0-9]*)")


@dataclass(frozen=True)
class TlogProof:
    """An entry's index, its inclusion proof, the checkpoint verbatim, optional extra data."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def to_text(self) -> str:
        """The ``.tlog-proof`` file's text."""
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.proof)
        return "\n".join(lines) + "\n\n" + self.checkpoint


def parse_tlog_proof(text: str | bytes) -> TlogProof:
    """Read a ``.tlog-proof``; the checkpoint is kept verbatim (parsed when verified)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    head, sep, checkpoint = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or not checkpoint or lines[0] != PROOF_HEADER:
        raise MalformedNoteError(f"a proof starts with {PROOF_HEADER} and ends with a "
                                 "checkpoint after a blank line", field="proof")
    rest = lines[1:]
    extra = None
    if rest and rest[0].startswith("extra "):
        extra = _b64(rest.pop(0)[len("extra "):], "extra")
    match = _INDEX.fullmatch(rest[0]) if rest else None
    if not match:
        raise MalformedNoteError("a proof names its entry's index", field="proof")
    hashes = tuple(_b64(line, "proof") for line in rest[1:])
    if any(len(h) != 32 for h in hashes):
        raise MalformedNoteError("a proof line is one SHA-256 hash", field="proof")
    return TlogProof(int(match.group(1)), hashes, checkpoint, extra)


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise MalformedNoteError(f"the {what} line is not base64", field=what) from None


def export_tlog_proof(index: int, proof: Sequence[bytes], checkpoint: str | Checkpoint,
                      extra: bytes | None = None) -> str:
    """A ``.tlog-proof`` text for the entry at ``index`` (a proof from ``merkle``)."""
    text = checkpoint.text if isinstance(checkpoint, Checkpoint) else checkpoint
    parse_checkpoint(text)  # refuse to export what no verifier could read
    return TlogProof(index, tuple(proof), text, extra).to_text()


def check_tlog_proof(proof: TlogProof, leaf_hash: bytes, policy: Policy) -> PolicyVerdict:
    """Is the leaf at the proof's index of the checkpoint, and does the checkpoint meet the
    policy? ``leaf_hash`` is the RFC 6962 leaf hash of the entry, computed by the verifier."""
    verdict = check_checkpoint(proof.checkpoint, policy)
    if verdict.size is None:
        return verdict
    checkpoint = parse_checkpoint(proof.checkpoint)
    if not verify_inclusion(proof.index, checkpoint.body.size, leaf_hash, proof.proof,
                            checkpoint.body.root_hash):
        return PolicyVerdict(False, f"the inclusion proof does not put the entry at index "
                             f"{proof.index} of the checkpoint", verdict.origin, verdict.size,
                             verdict.cosigned_by, verdict.times)
    return verdict
