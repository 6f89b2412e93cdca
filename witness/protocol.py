"""The ``add-checkpoint`` request and answer bodies of C2SP ``tlog-witness``, as pure functions.

Request: ``old <size>``, zero to 63 base64 consistency-proof hashes one per line, a blank line,
then the signed checkpoint. Answers: 200 with cosignature lines, 409 with the stored size (content
type ``text/x.tlog.size``), 422 for a proof that does not verify, 403/404 for a checkpoint not
signed by a known log, 400 for a malformed body.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ledger.errors import MalformedNoteError
from ledger.journal.note import NoteSignature
from ledger.journal.tlog import Checkpoint

MAX_PROOF_LINES: Final = 63
SIZE_CONTENT_TYPE: Final = "text/x.tlog.size"
TEXT_CONTENT_TYPE: Final = "text/plain; charset=utf-8"
_OLD = re.compile(r"old (0|[1-9][0-9]*)")


@dataclass(frozen=True)
class AddCheckpointRequest:
    """The parsed request: the old size, the consistency proof, the signed checkpoint bytes."""

    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: bytes

    def to_bytes(self) -> bytes:
        """The request body as sent."""
        return format_add_checkpoint(self.old_size, self.proof, self.checkpoint)


def format_add_checkpoint(old_size: int, proof: Sequence[bytes],
                          checkpoint: str | bytes | Checkpoint) -> bytes:
    """The body of an ``add-checkpoint`` request (what the ledger sends to a witness)."""
    if len(proof) > MAX_PROOF_LINES:
        raise MalformedNoteError(f"a consistency proof has at most {MAX_PROOF_LINES} hashes",
                                 field="proof")
    if isinstance(checkpoint, Checkpoint):
        checkpoint = checkpoint.text
    raw = checkpoint.encode() if isinstance(checkpoint, str) else checkpoint
    head = f"old {old_size}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof)
    return head.encode() + b"\n" + raw


def parse_add_checkpoint(body: bytes) -> AddCheckpointRequest:
    """Read a request body; anything out of form raises :class:`MalformedNoteError` (400)."""
    head, sep, checkpoint = body.partition(b"\n\n")
    if not sep or not checkpoint:
        raise MalformedNoteError("the request has a blank line before the checkpoint",
                                 field="request")
    try:
        lines = head.decode("ascii").split("\n")
    except UnicodeDecodeError:
        raise MalformedNoteError("the old size and proof lines are ASCII",
                                 field="request") from None
    match = _OLD.fullmatch(lines[0])
    if not match:
        raise MalformedNoteError("the request starts with 'old <size>'", field="old")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise MalformedNoteError(f"a consistency proof has at most {MAX_PROOF_LINES} hashes",
                                 field="proof")
    proof: list[bytes] = []
    for line in lines[1:]:
        try:
            digest = base64.b64decode(line, validate=True)
        except binascii.Error:
            raise MalformedNoteError("a proof line is one base64 hash", field="proof") from None
        if len(digest) != 32:
            raise MalformedNoteError("a proof line is one SHA-256 hash", field="proof")
        proof.append(digest)
    return AddCheckpointRequest(int(match.group(1)), tuple(proof), checkpoint)


@dataclass(frozen=True)
class Answer:
    """A witness's answer: HTTP status, body and content type (the same online and offline)."""

    status: int
    body: bytes
    content_type: str = TEXT_CONTENT_TYPE

    @property
    def cosignatures(self) -> tuple[NoteSignature, ...]:
        """The cosignature lines of a 200 answer (empty for any other)."""
        if self.status != 200:
            return ()
        return parse_cosignature_lines(self.body)

    @property
    def stored_size(self) -> int | None:
        """The size the witness holds, named by a 409 answer about the old size."""
        media_type = self.content_type.split(";")[0].strip().lower()
        if self.status != 409 or media_type != SIZE_CONTENT_TYPE:
            return None
        try:
            return int(self.body.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            return None


def parse_cosignature_lines(body: bytes) -> tuple[NoteSignature, ...]:
    """The signature lines of a 200 answer body."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedNoteError("the answer is UTF-8", field="answer") from None
    if text and not text.endswith("\n"):
        raise MalformedNoteError("each cosignature line ends with a newline", field="answer")
    return tuple(NoteSignature.parse_line(line) for line in text.split("\n")[:-1])
