"""C2SP ``signed-note``: text signed by one or more named keys, with Ed25519 signatures, timestamped
Ed25519 cosignatures (``tlog-cosignature`` v1) and, since ``cryptography`` offers it, ML-DSA-44
cosignatures (``subtree/v1``).

A note is UTF-8 text ending in a newline, a blank line, then signature lines
``— <key name> base64(key ID || signature)``. A key is named; its 4-byte ID is the first four bytes
of SHA-256(name || 0x0A || type byte || public key), so a verifier finds the signatures of the
keys it trusts by (name, ID) and ignores every other one. Keys travel as *verifier keys*
(``name+hex ID+base64(type || public key)``); a signer's own key as
``PRIVATE+KEY+name+hex ID+base64(type || seed)``, the form the Go and Rust tools also read.

Everything here is a pure function of its inputs: the time of a cosignature is a parameter.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
from dataclasses import dataclass, field
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import mldsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.errors import (
    MalformedNoteError,
    NoteSignatureInvalidError,
    UnverifiedNoteError,
)

#: Signature type bytes assigned by signed-note and tlog-cosignature.
ED25519: Final = 0x01
COSIGNATURE_V1: Final = 0x04
MLDSA44_COSIGNATURE: Final = 0x06
SUPPORTED_TYPES: Final = frozenset({ED25519, COSIGNATURE_V1, MLDSA44_COSIGNATURE})

DASH: Final = "\u2014"
SIGNATURE_PREFIX: Final = DASH + " "
#: The signed-note spec asks verifiers to cap the signatures of a note but accept at least 16.
MAX_SIGNATURES: Final = 100
COSIGNATURE_HEADER: Final = b"cosignature/v1\n"
SUBTREE_LABEL: Final = b"subtree/v1\n\x00"
PRIVATE_PREFIX: Final = "PRIVATE+KEY+"

_PUBLIC_LENGTH: Final = {ED25519: 32, COSIGNATURE_V1: 32, MLDSA44_COSIGNATURE: 1312}
_SIGNATURE_LENGTH: Final = {ED25519: 64, COSIGNATURE_V1: 8 + 64, MLDSA44_COSIGNATURE: 8 + 2420}


def key_id(name: str, key_type: int, public_key: bytes) -> bytes:
    """The 4-byte key ID: SHA-256(name || "\\n" || type byte || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public_key).digest()[:4]


def check_key_name(name: str) -> str:
    """A key name: non-empty, no Unicode space and no '+' (signed-note, Format)."""
    if not name or "+" in name or any(c.isspace() for c in name) or _has_control(name):
        raise MalformedNoteError(f"{name!r} is not a key name (non-empty, no spaces, no '+')",
                                 field="key_name")
    return name


def _has_control(text: str) -> bool:
    return any(ord(c) < 0x20 and c != "\n" for c in text)


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise MalformedNoteError(f"{what} is not standard base64", field=what) from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# -- keys -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifierKey:
    """A public key a verifier trusts: its name, signature type and raw public key."""

    name: str
    type: int
    public_key: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if self.type not in SUPPORTED_TYPES:
            raise MalformedNoteError(f"signature type 0x{self.type:02x} is not supported",
                                     field="key_type")
        if len(self.public_key) != _PUBLIC_LENGTH[self.type]:
            raise MalformedNoteError(f"a type 0x{self.type:02x} public key has "
                                     f"{_PUBLIC_LENGTH[self.type]} bytes", field="public_key")

    @property
    def id(self) -> bytes:
        """The 4-byte key ID that prefixes each of this key's signatures."""
        return key_id(self.name, self.type, self.public_key)

    def to_text(self) -> str:
        """The verifier key as text: ``name+<8 hex digits>+base64(type || public key)``."""
        return f"{self.name}+{self.id.hex()}+{_b64(bytes([self.type]) + self.public_key)}"

    def __str__(self) -> str:
        return self.to_text()

    def matches(self, signature: NoteSignature) -> bool:
        """Whether a signature line claims to be this key's (same name and same ID)."""
        return signature.name == self.name and signature.key_id == self.id

    def same_material(self, other: VerifierKey) -> bool:
        """Both wrap the same public key (tlog-policy calls such keys duplicates)."""
        return self.public_key == other.public_key

    def verify(self, text: bytes, signature: bytes, *, origin: str | None = None) -> int | None:
        """Check ``signature`` (without its key ID) over the note ``text``.

        Returns the cosignature's timestamp for the timestamped types, None for a plain Ed25519
        signature; raises :class:`NoteSignatureInvalidError` if it does not verify. ``origin``
        is the checkpoint's origin, which an ML-DSA-44 cosignature signs (read from the text
        when not given).
        """
        if len(signature) != _SIGNATURE_LENGTH[self.type]:
            raise NoteSignatureInvalidError(f"the signature of {self.name} has the wrong length")
        try:
            if self.type == ED25519:
                Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
                return None
            timestamp = struct.unpack(">Q", signature[:8])[0]
            if self.type == COSIGNATURE_V1:
                Ed25519PublicKey.from_public_bytes(self.public_key).verify(
                    signature[8:], cosignature_message(text, timestamp))
            else:
                mldsa.MLDSA44PublicKey.from_public_bytes(self.public_key).verify(
                    signature[8:], subtree_message(self.name, text, timestamp, origin))
            return int(timestamp)
        except (InvalidSignature, ValueError, MalformedNoteError):
            # A time past 2^63-1, or an ML-DSA-44 cosignature on a text that is no checkpoint:
            # as good as a forged line, and refused the same way.
            raise NoteSignatureInvalidError(
                f"the signature of {self.name} ({self.id.hex()}) does not verify") from None

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Read ``name+id+base64``; the ID must be the one the name and key give."""
        try:
            name, hex_id, data = text.strip().split("+", 2)
        except ValueError:
            raise MalformedNoteError(f"{text!r} is not a verifier key (name+id+base64)",
                                     field="verifier_key") from None
        raw = _b64decode(data, "verifier_key")
        if len(hex_id) != 8 or hex_id != hex_id.lower() or not raw:
            raise MalformedNoteError(f"{text!r} is not a verifier key", field="verifier_key")
        key = cls(name, raw[0], raw[1:])
        if key.id.hex() != hex_id:
            raise MalformedNoteError(f"the key ID of {name} is {key.id.hex()}, not {hex_id}",
                                     field="verifier_key")
        return key


@dataclass(frozen=True)
class SignerKey:
    """A signing key: its name, signature type and 32-byte seed (Ed25519 or ML-DSA-44)."""

    name: str
    type: int
    #: Secret: kept out of repr() so a traceback or a log line never prints it.
    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if self.type not in SUPPORTED_TYPES or len(self.seed) != 32:
            raise MalformedNoteError("a signer key is a supported type and a 32-byte seed",
                                     field="signer_key")

    @classmethod
    def generate(cls, name: str, key_type: int = ED25519) -> SignerKey:
        """A new random key of this name and type."""
        return cls(name, key_type, os.urandom(32))

    def verifier(self) -> VerifierKey:
        """The public half, as a verifier key."""
        if self.type == MLDSA44_COSIGNATURE:
            raw = mldsa.MLDSA44PrivateKey.from_seed_bytes(self.seed).public_key().public_bytes(
                Encoding.Raw, PublicFormat.Raw)
        else:
            raw = Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes(
                Encoding.Raw, PublicFormat.Raw)
        return VerifierKey(self.name, self.type, raw)

    def to_text(self) -> str:
        """``PRIVATE+KEY+name+id+base64(type || seed)``: keep it secret."""
        return (f"{PRIVATE_PREFIX}{self.name}+{self.verifier().id.hex()}+"
                f"{_b64(bytes([self.type]) + self.seed)}")

    @classmethod
    def parse(cls, text: str) -> SignerKey:
        """Read a key written by :meth:`to_text` (or by the Go ``note`` package)."""
        text = text.strip()
        if not text.startswith(PRIVATE_PREFIX):
            raise MalformedNoteError("a signer key starts with PRIVATE+KEY+", field="signer_key")
        try:
            name, hex_id, data = text[len(PRIVATE_PREFIX):].split("+", 2)
        except ValueError:
            raise MalformedNoteError("not a signer key", field="signer_key") from None
        raw = _b64decode(data, "signer_key")
        if not raw:
            raise MalformedNoteError("not a signer key", field="signer_key")
        key = cls(name, raw[0], raw[1:])
        if key.verifier().id.hex() != hex_id:
            raise MalformedNoteError(f"the key ID of {name} is not {hex_id}", field="signer_key")
        return key

    def sign(self, text: bytes, *, timestamp: int = 0, origin: str | None = None) -> NoteSignature:
        """This key's signature line over the note ``text`` (a timestamp for cosignatures)."""
        if self.type == ED25519:
            raw = Ed25519PrivateKey.from_private_bytes(self.seed).sign(text)
        elif self.type == COSIGNATURE_V1:
            message = cosignature_message(text, timestamp)
            raw = struct.pack(">Q", timestamp) + Ed25519PrivateKey.from_private_bytes(
                self.seed).sign(message)
        else:
            message = subtree_message(self.name, text, timestamp, origin)
            raw = struct.pack(">Q", timestamp) + mldsa.MLDSA44PrivateKey.from_seed_bytes(
                self.seed).sign(message)
        return NoteSignature(self.name, self.verifier().id, raw)


def cosignature_message(checkpoint_text: bytes, timestamp: int) -> bytes:
    """What a v1 Ed25519 cosignature signs: ``cosignature/v1``, ``time T``, then the note text."""
    if not 0 <= timestamp < 2**63:
        raise MalformedNoteError("a cosignature time is 0 to 2^63-1", field="timestamp")
    return COSIGNATURE_HEADER + f"time {timestamp}\n".encode() + checkpoint_text


def subtree_message(cosigner: str, checkpoint_text: bytes, timestamp: int,
                    origin: str | None = None) -> bytes:
    """What an ML-DSA-44 cosignature signs: the ``subtree/v1`` structure of a whole checkpoint
    (start 0, end = tree size); it commits to the cosigner's name and not to extension lines."""
    from ledger.journal.tlog import parse_checkpoint_body  # the body format lives there

    body = parse_checkpoint_body(checkpoint_text.decode())
    log_origin = (origin if origin is not None else body.origin).encode()
    name = cosigner.encode()
    if not 0 < len(name) < 256 or not 0 < len(log_origin) < 256:
        raise MalformedNoteError("a cosigner name and an origin are 1 to 255 bytes",
                                 field="origin")
    return (SUBTREE_LABEL + bytes([len(name)]) + name + struct.pack(">Q", timestamp)
            + bytes([len(log_origin)]) + log_origin + struct.pack(">QQ", 0, body.size)
            + body.root_hash)


# -- notes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: the key's name, its 4-byte ID, and the signature bytes after it."""

    name: str
    key_id: bytes
    signature: bytes

    def to_line(self) -> str:
        """``— name base64(id || signature)`` with its newline."""
        return f"{SIGNATURE_PREFIX}{self.name} {_b64(self.key_id + self.signature)}\n"

    @classmethod
    def parse_line(cls, line: str) -> NoteSignature:
        """Read one signature line (with or without its newline)."""
        line = line.removesuffix("\n")
        if not line.startswith(SIGNATURE_PREFIX):
            raise MalformedNoteError(f"{line!r} is not a signature line", field="signature")
        try:
            name, data = line[len(SIGNATURE_PREFIX):].split(" ")
        except ValueError:
            raise MalformedNoteError(f"{line!r} is not a signature line",
                                     field="signature") from None
        raw = _b64decode(data, "signature")
        if len(raw) < 5:
            raise MalformedNoteError("a signature holds a key ID and at least one byte",
                                     field="signature")
        return cls(check_key_name(name), raw[:4], raw[4:])


@dataclass(frozen=True)
class Note:
    """A note's text (ending in a newline) and its signature lines, in order."""

    text: str
    signatures: tuple[NoteSignature, ...] = ()

    def to_text(self) -> str:
        """The note as it travels: text, blank line, signature lines."""
        return self.text + "\n" + "".join(s.to_line() for s in self.signatures)

    def with_signatures(self, *extra: NoteSignature) -> Note:
        """The same note with more signature lines (repeated lines are kept once)."""
        kept = list(self.signatures)
        kept.extend(s for s in extra if s not in kept)
        return Note(self.text, tuple(kept))


def parse_note(data: str | bytes) -> Note:
    """Split a signed note into its text and signature lines (nothing is verified here)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedNoteError("a note is UTF-8 text", field="note") from None
    if _has_control(data):
        raise MalformedNoteError("a note holds no control character but newline", field="note")
    if not data.endswith("\n"):
        raise MalformedNoteError("a note ends with a newline", field="note")
    split = data.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("a note has a blank line before its signatures", field="note")
    # Split on newlines only: str.splitlines() would also cut at U+2028, U+0085 and the like,
    # which the format allows inside a key name's neighbours and must not reinterpret.
    text, rest = data[:split + 1], data[split + 2:]
    lines = rest[:-1].split("\n") if rest else []
    if not lines:
        raise MalformedNoteError("a note has at least one signature", field="note")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"a note has at most {MAX_SIGNATURES} signatures", field="note")
    return Note(text, tuple(NoteSignature.parse_line(line) for line in lines))


def sign_note(text: str, *signers: SignerKey, timestamp: int = 0) -> Note:
    """A note of ``text`` signed by each signer in turn."""
    if not text.endswith("\n") or _has_control(text):
        raise MalformedNoteError("a note text ends with a newline and has no control characters",
                                 field="note")
    raw = text.encode()
    return Note(text, tuple(s.sign(raw, timestamp=timestamp) for s in signers))


@dataclass(frozen=True)
class Verified:
    """A signature that verified, with the key that made it and its time (cosignatures)."""

    key: VerifierKey
    signature: NoteSignature
    timestamp: int | None


def verify_note(note: Note, keys: tuple[VerifierKey, ...] | list[VerifierKey]) -> list[Verified]:
    """The signatures of ``note`` made by ``keys``; unknown signatures are ignored.

    Raises :class:`NoteSignatureInvalidError` if a known key's signature fails (the spec lets
    a client reject the whole note then, and a forged line is worth refusing loudly), and
    :class:`UnverifiedNoteError` if no known key signed it.
    """
    raw = note.text.encode()
    verified: list[Verified] = []
    for signature in note.signatures:
        for key in keys:
            if key.matches(signature):
                verified.append(Verified(key, signature, key.verify(raw, signature.signature)))
    if not verified:
        names = ", ".join(sorted({k.name for k in keys})) or "none"
        raise UnverifiedNoteError(f"the note is signed by none of the trusted keys ({names})")
    return verified
