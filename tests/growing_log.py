"""A journal's Merkle tree grown with ``ledger.journal.merkle``, signing C2SP checkpoints: what
the witness tests send to witnesses (shared by ``tests/witness``)."""

from __future__ import annotations

from collections.abc import Callable

from ledger.journal.merkle import consistency_proof, leaf_hash, root
from ledger.journal.note import SignerKey
from ledger.journal.tlog import Checkpoint, CheckpointBody, sign_checkpoint
from witness.core import Witness
from witness.protocol import format_add_checkpoint

ORIGIN = "jamsos.tangerangkota.go.id/ledger"

#: Makes a witness following the log: name, key and state file optional.
MakeWitness = Callable[..., Witness]


class Log:
    """A journal's tree of leaf hashes, signing checkpoints with its origin key."""

    def __init__(self, key: SignerKey, leaves: list[bytes] | None = None) -> None:
        self.key = key
        self.leaves = leaves if leaves is not None else []

    def append(self, count: int, tag: str = "event") -> None:
        start = len(self.leaves)
        self.leaves += [leaf_hash(f"{tag} {i}".encode()) for i in range(start, start + count)]

    def checkpoint(self, size: int | None = None) -> Checkpoint:
        size = len(self.leaves) if size is None else size
        return sign_checkpoint(CheckpointBody(ORIGIN, size, root(self.leaves[:size])), self.key)

    def proof(self, old: int, size: int | None = None) -> list[bytes]:
        size = len(self.leaves) if size is None else size
        return consistency_proof(old, self.leaves[:size]) if 0 < old < size else []

    def request(self, old: int, size: int | None = None) -> bytes:
        """An add-checkpoint body from ``old`` to ``size`` (all leaves by default)."""
        return format_add_checkpoint(old, self.proof(old, size), self.checkpoint(size))

    def tampered(self, position: int) -> Log:
        """The same log with one event edited by hand and the journal rebuilt from it."""
        leaves = list(self.leaves)
        leaves[position] = leaf_hash(b"edited by hand")
        return Log(self.key, leaves)


class Clock:
    """A witness clock that ticks one second per cosignature."""

    def __init__(self, start: int = 1_780_000_000) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now
