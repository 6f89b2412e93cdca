"""The signed statement a migration leaves: the old log's (size, root) became the new log's.

A store written by an earlier release is rewritten into a new log (``claims-ledger migrate``):
its events are the same records in a new form, so the new journal's root differs from every
checkpoint signed over the old one. This statement, signed with the journal's key like a
checkpoint, links the two heads, so that a checkpoint kept from before the migration (and the
old log's export that proves it) stays tied to the log that carries on. Its text form is what
operators publish beside the checkpoints; ``claims-ledger verify`` checks it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.errors import InvalidInputError
from ledger.journal.checkpoint import fingerprint, public_key_text, signed_by

HEADER = "claims-ledger migration v1"


@dataclass(frozen=True)
class MigrationLink:
    """Signed: the log of ``old_size`` events with ``old_root`` was migrated, at ``time``, into
    the log of ``new_size`` events with ``new_root``."""

    old_size: int
    old_root: bytes
    new_size: int
    new_root: bytes
    time: str
    public_key: str
    signature: bytes

    @staticmethod
    def body(old_size: int, old_root: bytes, new_size: int, new_root: bytes, time: str
             ) -> bytes:
        return (f"{HEADER}\n{old_size}\n{old_root.hex()}\n{new_size}\n{new_root.hex()}\n"
                f"{time}\n").encode()

    @classmethod
    def sign(cls, old: tuple[int, bytes], new: tuple[int, bytes], time: str,
             key: Ed25519PrivateKey) -> MigrationLink:
        """The statement that the log ``old`` (size, root) became the log ``new``."""
        return cls(old[0], old[1], new[0], new[1], time, public_key_text(key),
                   key.sign(cls.body(old[0], old[1], new[0], new[1], time)))

    @property
    def key_fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def verifies_with(self, trusted_public_key: str) -> bool:
        """Signed by the trusted key, and the signature covers exactly these fields."""
        return signed_by(trusted_public_key, self.public_key, self.signature,
                         self.body(self.old_size, self.old_root, self.new_size, self.new_root,
                                   self.time))

    def to_text(self) -> str:
        return (f"{HEADER}\nold-size {self.old_size}\nold-root {self.old_root.hex()}\n"
                f"new-size {self.new_size}\nnew-root {self.new_root.hex()}\ntime {self.time}\n"
                f"key {self.public_key}\n"
                f"signature {base64.b64encode(self.signature).decode()}\n")

    @classmethod
    def from_text(cls, text: str) -> MigrationLink:
        lines = [line.strip() for line in text.strip().splitlines()]
        try:
            if lines[0] != HEADER:
                raise ValueError
            fields = dict(line.split(" ", 1) for line in lines[1:])
            return cls(int(fields["old-size"]), bytes.fromhex(fields["old-root"]),
                       int(fields["new-size"]), bytes.fromhex(fields["new-root"]),
                       fields["time"], fields["key"], base64.b64decode(fields["signature"]))
        except (ValueError, KeyError, IndexError):
            raise InvalidInputError(f"not a {HEADER} text", field="statement") from None
