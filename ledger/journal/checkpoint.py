"""Journal leaves and signed checkpoints: what an auditor verifies, with no database at hand.

A leaf is the stored event's canonical bytes: its log position, aggregate id, version, topic
and state exactly as stored. A checkpoint is (log size, root hash, time), signed with Ed25519;
its text form is what operators export and auditors keep.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import sha256
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.errors import InvalidInputError

LEAF_PREFIX = b"claims-ledger leaf v1\x00"
#: The RFC 6962 leaf prefix (0x00) and ours, joined once: the same hash as leaf_hash(...).
LEAF_DOMAIN = b"\x00" + LEAF_PREFIX
#: The bytes ``leaf_of`` hashes, as one format: position, aggregate id, version and topic, each
#: ended by a NUL, then the state (for :func:`leaf_input`, which formats a row in C).
LEAF_FORMAT = LEAF_DOMAIN + b"%d\x00%b\x00%d\x00%b\x00%b"
HEADER = "claims-ledger checkpoint v1"
KEY_PREFIX = "ed25519:"


def leaf_of(position: int, originator_id: UUID | str, version: int, topic: str,
            state: bytes | str) -> bytes:
    """The leaf hash of one stored event (its canonical bytes, hashed with the leaf prefix).

    ``state`` is what the database holds; a row edited by hand may hold text instead of bytes,
    and is hashed as it is (so the edit shows).
    """
    head = f"{position}\x00{_canonical(originator_id)}\x00{version}\x00{topic}\x00".encode()
    raw = state.encode() if isinstance(state, str) else state
    return sha256(LEAF_DOMAIN + head + raw).digest()


#: A stored row as :func:`leaf_input` takes it: (position, aggregate id, version, topic, state),
#: the id as :func:`canonical_id` gives it and the topic as UTF-8 bytes.
LeafRow = tuple[int, bytes, int, bytes, bytes]


def leaf_input(row: LeafRow) -> bytes:
    """The bytes a row's leaf hashes (one bytes format in C: no f-string, no encoding and no
    concatenation per event), the same as ``leaf_of`` hashes."""
    return LEAF_FORMAT % row


#: A stored event as ``verify`` hashes it: (position, its leaf's bytes: :func:`leaf_input`).
LeafInput = tuple[int, bytes]


def hashed_inputs(rows: Iterable[LeafInput]) -> list[bytes]:
    """The leaf hash of each row's laid-out bytes, the same as ``leaf_of`` gives one by one;
    a comprehension measured a little faster than mapping the same calls."""
    return [sha256(row[1]).digest() for row in rows]


def canonical_id(originator_id: UUID | str) -> bytes:
    """An aggregate id as a leaf holds it (lower-case hex with dashes), in UTF-8."""
    return _canonical(originator_id).encode()


def _canonical(originator_id: UUID | str) -> str:
    """An aggregate id as lower-case hex with dashes, however the store handed it over."""
    if isinstance(originator_id, str):
        if len(originator_id) == 36:
            return originator_id.lower()
        if len(originator_id) == 32:  # SQLite keeps UUIDs as bare hex
            h = originator_id.lower()
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return str(UUID(str(originator_id)))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def new_private_key() -> str:
    """A new signing key as text (``ed25519:`` and the base64 of its 32 raw bytes)."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw,
                                                     NoEncryption())
    return KEY_PREFIX + _b64(raw)


def private_key(text: str) -> Ed25519PrivateKey:
    try:
        if not text.startswith(KEY_PREFIX):
            raise ValueError
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text[len(KEY_PREFIX):]))
    except ValueError:
        raise InvalidInputError(
            "LEDGER_SIGNING_KEY must be a key made by 'claims-ledger journal keygen' "
            "(ed25519:...)", field="LEDGER_SIGNING_KEY") from None


def private_key_seed(text: str) -> bytes:
    """The 32-byte seed of a ``LEDGER_SIGNING_KEY`` text (what a C2SP note signer holds)."""
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    return private_key(text).private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return KEY_PREFIX + _b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key(text: str) -> Ed25519PublicKey:
    try:
        if not text.startswith(KEY_PREFIX):
            raise ValueError
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text[len(KEY_PREFIX):]))
    except ValueError:
        raise InvalidInputError("a public key looks like ed25519:<base64>",
                                field="public_key") from None


def fingerprint(public: str) -> str:
    """A short, stable name for a public key (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(public.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: the log had ``size`` events with this root at this time."""

    size: int
    root: bytes
    time: str
    public_key: str
    signature: bytes

    @staticmethod
    def body(size: int, root: bytes, time: str) -> bytes:
        return f"{HEADER}\n{size}\n{root.hex()}\n{time}\n".encode()

    @classmethod
    def sign(cls, size: int, root: bytes, time: str, key: Ed25519PrivateKey) -> Checkpoint:
        return cls(size, root, time, public_key_text(key), key.sign(cls.body(size, root, time)))

    @property
    def key_fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def verifies_with(self, trusted_public_key: str) -> bool:
        """Signed by the trusted key, and the signature covers exactly these fields."""
        return signed_by(trusted_public_key, self.public_key, self.signature,
                         self.body(self.size, self.root, self.time))

    def to_text(self) -> str:
        return (f"{HEADER}\nsize {self.size}\nroot {self.root.hex()}\ntime {self.time}\n"
                f"key {self.public_key}\nsignature {_b64(self.signature)}\n")

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        lines = [line.strip() for line in text.strip().splitlines()]
        try:
            if lines[0] != HEADER:
                raise ValueError
            fields = dict(line.split(" ", 1) for line in lines[1:])
            return cls(int(fields["size"]), bytes.fromhex(fields["root"]), fields["time"],
                       fields["key"], base64.b64decode(fields["signature"]))
        except (ValueError, KeyError, IndexError):
            raise InvalidInputError(f"not a {HEADER} text", field="checkpoint") from None


def signed_by(trusted_public_key: str, named_key: str, signature: bytes, body: bytes) -> bool:
    """A signed statement (a checkpoint, a migration's link) names the trusted key and its
    signature over ``body`` holds under it."""
    if trusted_public_key != named_key:
        return False
    try:
        public_key(trusted_public_key).verify(signature, body)
    except InvalidSignature:
        return False
    return True
