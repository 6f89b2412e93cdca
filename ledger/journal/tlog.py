"""C2SP ``tlog-checkpoint`` and ``tlog-cosignature``: the journal's tree head as a signed note.

A checkpoint's note text is the log's *origin* (one per ledger, from its configuration), the tree
size in decimal, the base64 RFC 6962 root hash, and optional extension lines. The log signs it
with an Ed25519 note key whose name is the origin; witnesses add timestamped cosignatures
(signature type 0x04, or 0x06 for ML-DSA-44) over the same text.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ledger.errors import MalformedNoteError, UnverifiedNoteError
from ledger.journal.note import (
    COSIGNATURE_V1,
    ED25519,
    MLDSA44_COSIGNATURE,
    Note,
    NoteSignature,
    SignerKey,
    Verified,
    VerifierKey,
    check_key_name,
    parse_note,
    verify_note,
)

_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class CheckpointBody:
    """The note text of a checkpoint: origin, tree size, root hash, extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise MalformedNoteError("a checkpoint's origin is one non-empty line",
                                     field="origin")
        if self.size < 0 or len(self.root_hash) != 32:
            raise MalformedNoteError("a checkpoint has a size >= 0 and a 32-byte root hash",
                                     field="checkpoint")
        if any(not line or "\n" in line for line in self.extensions):
            raise MalformedNoteError("extension lines are non-empty", field="checkpoint")

    def to_text(self) -> str:
        """The note text, ending in a newline."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode(),
                 *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint_body(text: str) -> CheckpointBody:
    """Read a checkpoint's note text (signature lines already split off)."""
    if not text.endswith("\n"):
        raise MalformedNoteError("a checkpoint text ends with a newline", field="checkpoint")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedNoteError("a checkpoint has an origin, a size and a root hash",
                                 field="checkpoint")
    origin, size, root, *extensions = lines
    if not _SIZE.fullmatch(size):
        raise MalformedNoteError(f"{size!r} is not a tree size", field="checkpoint")
    try:
        root_hash = base64.b64decode(root.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise MalformedNoteError("the root hash is not base64", field="checkpoint") from None
    return CheckpointBody(origin, int(size), root_hash, tuple(extensions))


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint as it travels: the parsed body and the signed note that carries it."""

    body: CheckpointBody
    note: Note

    @property
    def text(self) -> str:
        """The whole signed checkpoint (body, blank line, every signature line)."""
        return self.note.to_text()

    def with_cosignatures(self, signatures: Iterable[NoteSignature]) -> Checkpoint:
        """The same checkpoint with more signature lines (as a witness answer gives them)."""
        return Checkpoint(self.body, self.note.with_signatures(*signatures))


def parse_checkpoint(data: str | bytes) -> Checkpoint:
    """Split a signed checkpoint into its body and signatures; nothing is verified here."""
    note = parse_note(data)
    return Checkpoint(parse_checkpoint_body(note.text), note)


def log_key(origin: str) -> SignerKey:
    """A new Ed25519 log key named after the origin (the key name SHOULD match it)."""
    return SignerKey.generate(check_key_name(origin), ED25519)


def log_signer(private_key_text: str, origin: str) -> SignerKey:
    """The ledger's existing journal key (``LEDGER_SIGNING_KEY``, ``ed25519:...``) as the note
    signer of its checkpoints, named after the origin: one key, both checkpoint formats."""
    from ledger.journal.checkpoint import private_key_seed

    seed = private_key_seed(private_key_text)
    return SignerKey(check_key_name(origin), ED25519, seed)


def sign_checkpoint(body: CheckpointBody, *signers: SignerKey) -> Checkpoint:
    """The checkpoint signed by the log's key(s) (plain Ed25519 note signatures)."""
    text = body.to_text().encode()
    return Checkpoint(body, Note(body.to_text(), tuple(s.sign(text) for s in signers)))


def open_checkpoint(data: str | bytes, log_keys: Sequence[VerifierKey]) -> Checkpoint:
    """Parse a checkpoint and check a trusted log key signed it for its own origin.

    Cosignatures and other signatures are ignored here; raises
    :class:`UnverifiedNoteError` when no log key signed it.
    """
    checkpoint = parse_checkpoint(data)
    keys = [k for k in log_keys if k.type == ED25519]
    verify_note(checkpoint.note, keys)
    return checkpoint


def cosign(checkpoint: Checkpoint, cosigner: SignerKey, timestamp: int) -> NoteSignature:
    """A cosigner's timestamped signature line over the checkpoint (tlog-cosignature v1)."""
    if cosigner.type not in (COSIGNATURE_V1, MLDSA44_COSIGNATURE):
        raise MalformedNoteError("a cosigner key has type 0x04 or 0x06", field="cosigner")
    return cosigner.sign(checkpoint.body.to_text().encode(), timestamp=timestamp,
                         origin=checkpoint.body.origin)


def cosignatures(checkpoint: Checkpoint, witness_keys: Sequence[VerifierKey]) -> list[Verified]:
    """The cosignatures on the checkpoint by any of ``witness_keys``, checked; none is fine.

    A line that names a known key but does not verify raises
    :class:`~ledger.errors.NoteSignatureInvalidError`.
    """
    keys = [k for k in witness_keys if k.type in (COSIGNATURE_V1, MLDSA44_COSIGNATURE)]
    try:
        return verify_note(checkpoint.note, keys)
    except UnverifiedNoteError:
        return []
