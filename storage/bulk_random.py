"""Keys, nonces and ids for many records at once, from the ledger's own sources.

Production's sources are the operating system's randomness (:func:`ledger.clock.random_bytes`,
:func:`ledger.clock.random_ids`): they are read ahead in blocks of 256 KiB per thread, not one
system call per key, nonce and id (120,000 calls for 20,000 members), nor one per batch. Each
read lets the interpreter run another thread while the system answers, and in a process whose
threads are all busy (an import's sealing, its writer and its resolver) the reading thread then
waits up to a switch interval (5 ms) to run again: with a read per batch and per 24 KiB of
nonces, 46 reads cost an import's sealing thread 0.2 s of 20,000 members. A story's seeded sources
(the demo's, a test's) are asked one value at a time in the very order they were asked
before, so what they give stays the same bytes run to run.
"""

from __future__ import annotations

import os
import threading
import weakref
from binascii import b2a_base64
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger import clock
from ledger.clock import IdSource, RandomBytes, random_bytes, random_ids


def draws(source: RandomBytes, sizes: tuple[int, ...], count: int) -> list[tuple[bytes, ...]]:
    """``count`` groups of values of these sizes (a key, then its nonce), drawn in order."""
    if source is not random_bytes:
        return [tuple(source(size) for size in sizes) for _ in range(count)]
    width = sum(sizes)
    pool = read_ahead(width * count)
    if len(sizes) == 2:  # a key and its nonce (the usual draw): sliced by turns, no inner loop
        first = sizes[0]
        return [(pool[at:at + first], pool[at + first:at + width])
                for at in range(0, width * count, width)]
    groups = []
    for start in range(0, width * count, width):
        group = []
        for size in sizes:
            group.append(pool[start:start + size])
            start += size
        groups.append(tuple(group))
    return groups


def wrapped_keys(wrapping: AESGCM, source: RandomBytes, subjects: list[UUID],
                 ) -> tuple[list[tuple[str, str]], dict[UUID, bytes]]:
    """New data keys for these subjects, drawn in order (a key, then its wrapping nonce): their
    rows (subject, nonce + key sealed under ``wrapping`` with the subject as associated data,
    base64) and the keys."""
    rows = []
    keys: dict[UUID, bytes] = {}
    encrypt = wrapping.encrypt
    for subject, (key, nonce) in zip(subjects, draws(source, (32, 12), len(subjects)),
                                     strict=True):
        keys[subject] = key
        rows.append((str(subject), b2a_base64(
            nonce + encrypt(nonce, key, subject.bytes), newline=False).decode("ascii")))
    return rows, keys


def new_ids(source: IdSource, count: int) -> list[UUID]:
    """``count`` new ids, in order (random ids: version 4 UUIDs, as :func:`uuid.uuid4` makes)."""
    if source is not random_ids:
        return [source() for _ in range(count)]
    pool = read_ahead(16 * count)
    return [UUID(bytes=pool[i:i + 16], version=4) for i in range(0, 16 * count, 16)]


class RandomBlocks:
    """Production's randomness read ahead in blocks, for many small draws (the nonces an import
    seals with). What was read ahead is never handed to two processes: in a process forked from
    this one every block is emptied at the fork (``os.register_at_fork``)."""

    BLOCK = 262_144

    def __init__(self) -> None:
        self._block = b""
        self._at = 0
        _EVERY.add(self)

    def forget(self) -> None:
        """Drop what was read ahead (in a process just forked: it is the parent's)."""
        self._block, self._at = b"", 0

    def __call__(self, size: int) -> bytes:
        if self._at + size > len(self._block):
            self._block, self._at = os.urandom(max(self.BLOCK, size)), 0
        start = self._at
        self._at = start + size
        return self._block[start:self._at]


#: Every block of this process, each forgotten in a child the moment it is forked.
_EVERY: weakref.WeakSet[RandomBlocks] = weakref.WeakSet()


def _forget_in_child() -> None:
    for blocks in list(_EVERY):
        blocks.forget()


os.register_at_fork(after_in_child=_forget_in_child)

_THREAD = threading.local()


def read_ahead(size: int) -> bytes:
    """``size`` bytes of production's randomness from this thread's :class:`RandomBlocks` (a
    block is never shared by two threads, nor by two processes)."""
    blocks = getattr(_THREAD, "blocks", None)
    if blocks is None:
        blocks = _THREAD.blocks = RandomBlocks()
    return blocks(size)


def in_blocks(source: RandomBytes) -> RandomBytes:
    """``source`` drawn through the calling thread's read-ahead (:func:`read_ahead`) when it is
    production's, else as it is."""
    return read_ahead if source is random_bytes else source


def aggregate_ids(count: int) -> list[UUID] | None:
    """``count`` ids as :func:`ledger.clock.new_id` gives them, drawn at once, when
    production's source is in force (no ``recording(ids=...)``, which the demo and the tests
    use); None otherwise: the caller then asks ``new_id()`` one at a time, in its own order,
    so a seeded story draws the same ids as before."""
    if not clock.random_ids_in_force():
        return None
    return new_ids(random_ids, count)
