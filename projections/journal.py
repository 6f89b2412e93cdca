"""The journal as a service: its head, signed checkpoints, proofs, and ``verify``.

The projector keeps one leaf per stored event (``journal_leaves``) and the tree's right edge;
checkpoints are kept with the log (``ledger_checkpoints``). ``verify`` re-reads the stored rows
themselves, recomputes every leaf and root, and compares them with the journal and with every
checkpoint: it names the first position that differs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.application import Ledger
from ledger.errors import InvalidInputError, NotFoundError
from ledger.journal.checkpoint import Checkpoint, hashed_inputs, private_key
from ledger.journal.merkle import Frontier, consistency_proof, inclusion_proof
from projections.db import Connection, Namespace
from storage.bulk import leaf_input_pages
from storage.log_index import settings_of
from storage.store import CHECKPOINT_TABLE, postgres_connect_args, qualified

#: The bytes of one hash (SHA-256), leaf or node.
HASH = 32
#: How many of the journal's leaf hashes ``verify`` reads as one value (3.2 MB).
JOURNAL_CHUNK = 100_000
#: What stands, in the journal's joined hashes, for a leaf that is missing or holds no hash
#: (64 hex digits): 32 bytes, so the leaves after it keep their places, that no leaf is
#: expected to hash to.
UNREADABLE = b"\xff" * HASH


@dataclass(frozen=True)
class Head:
    size: int
    root: bytes


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found: all good, or the first position that differs and why."""

    ok: bool
    events: int
    root: bytes
    checkpoints: int
    position: int | None = None
    reason: str = ""


class Journal:
    """Reads and writes of the journal of one ledger (its projections must be caught up)."""

    def __init__(self, ledger: Ledger, connection: Connection, namespace: Namespace) -> None:
        self.ledger = ledger
        self.connection = connection
        self.ns = namespace
        self.table = qualified(settings_of(ledger), CHECKPOINT_TABLE)

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.ns.postgres else statement

    def head(self) -> Head:
        [row] = self.connection.query(self.ns.sql(
            "SELECT size, hashes FROM {journal_frontier} WHERE name = 'journal'"))
        frontier = Frontier(int(row["size"]), [bytes.fromhex(h) for h in json.loads(row["hashes"])])
        return Head(frontier.size, frontier.root())

    def leaves(self, size: int | None = None) -> list[tuple[int, bytes]]:
        """(position, leaf hash) of the first ``size`` leaves (all by default)."""
        limit = f" WHERE leaf_index < {int(size)}" if size is not None else ""
        rows = self.connection.tuples(self.ns.sql(
            "SELECT position, hash FROM {journal_leaves}" + limit + " ORDER BY leaf_index"))
        fromhex = bytes.fromhex
        return [(position, fromhex(digest)) for position, digest in rows]

    # -- checkpoints ---------------------------------------------------------------------------

    def checkpoint(self, signing_key: str, at: datetime | None = None) -> Checkpoint:
        """Sign the current head and keep the checkpoint with the log; ``at`` is the time it
        states (now by default; the demo states its story's last moment)."""
        from projections.standby import require_confirmed

        head = self.head()
        require_confirmed(self.connection, head.size)  # never sign what a fail-over could lose
        moment = (at or datetime.now(UTC)).astimezone(UTC)
        signed = Checkpoint.sign(head.size, head.root,
                                 moment.replace(microsecond=0).isoformat(),
                                 private_key(signing_key))
        with self.connection.transaction() as cursor:
            cursor.execute(self._sql(f"INSERT INTO {self.table} (size, root, time, text) "
                                     "VALUES (?, ?, ?, ?)"),
                           (signed.size, signed.root.hex(), signed.time, signed.to_text()))
        return signed

    def checkpoints(self) -> list[Checkpoint]:
        rows = self.connection.query(f"SELECT text FROM {self.table} ORDER BY size, time")
        return [Checkpoint.from_text(r["text"]) for r in rows]

    # -- proofs --------------------------------------------------------------------------------

    def prove(self, position: int, checkpoint: Checkpoint | None = None) -> dict[str, Any]:
        """The inclusion proof of the event at ``position`` in a checkpoint (latest by default)."""
        kept = self.checkpoints()
        chosen = checkpoint or (kept[-1] if kept else None)
        if chosen is None:
            raise NotFoundError("there is no checkpoint yet; run 'claims-ledger journal "
                                "checkpoint' first")
        leaves = self.leaves(chosen.size)
        index = next((i for i, (p, _) in enumerate(leaves) if p == position), None)
        if index is None:
            raise NotFoundError(f"position {position} is not in the checkpoint of "
                                f"{chosen.size} events", field="position")
        hashes = [h for _, h in leaves]
        return {
            "position": position, "leaf_index": index, "leaf_hash": hashes[index].hex(),
            "tree_size": chosen.size, "root": chosen.root.hex(),
            "proof": [h.hex() for h in inclusion_proof(index, hashes)],
            "checkpoint": chosen.to_text(),
        }

    def prove_many(self, positions: list[int], checkpoint: Checkpoint | None = None
                   ) -> dict[int, dict[str, Any] | None]:
        """Inclusion proofs of many events, reading the journal once.

        An event the checkpoint covers (by default the latest one kept) is proved in it (check
        it with ``claims-ledger journal check``); a later one in the journal's current head,
        which is not signed yet (``checkpoint`` is then None). An event not journaled yet gets
        None.
        """
        kept = [checkpoint] if checkpoint is not None else self.checkpoints()
        signed = kept[-1] if kept else None
        leaves = self.leaves()
        hashes = [h for _, h in leaves]
        index_of = {position: i for i, (position, _) in enumerate(leaves)}
        head_root = self.head().root
        signed_size = signed.size if signed is not None else 0
        proofs: dict[int, dict[str, Any] | None] = {}
        for position in positions:
            index = index_of.get(position)
            if index is None:
                proofs[position] = None
                continue
            in_signed = signed is not None and index < signed_size
            tree = hashes[:signed_size] if in_signed else hashes
            proofs[position] = {
                "position": position, "leaf_index": index, "leaf_hash": hashes[index].hex(),
                "tree_size": len(tree),
                "root": (signed.root if in_signed and signed else head_root).hex(),
                "proof": [h.hex() for h in inclusion_proof(index, tree)],
                "checkpoint": signed.to_text() if in_signed and signed else None,
            }
        return proofs

    def prove_consistency(self, first: int, second: int) -> dict[str, Any]:
        if not 0 < first <= second <= self.head().size:
            raise InvalidInputError(f"sizes must satisfy 0 < {first} <= {second} <= "
                                    f"{self.head().size}", field="first")
        hashes = [h for _, h in self.leaves(second)]
        from ledger.journal.merkle import root

        return {"first": first, "second": second, "first_root": root(hashes[:first]).hex(),
                "second_root": root(hashes).hex(),
                "proof": [h.hex() for h in consistency_proof(first, hashes)]}

    # -- verify --------------------------------------------------------------------------------

    def verify(self, trusted_key: str | None = None,
               external: Checkpoint | None = None,
               witnessed: Sequence[tuple[int, bytes]] = (),
               migrated: tuple[int, bytes] | None = None) -> VerifyReport:
        """Recompute every leaf and root from the stored rows; compare with all we kept, with
        ``witnessed`` (size, root) pairs: checkpoints witnesses co-signed, whose signatures the
        caller checked against its policy, and with the new head a migration's signed statement
        names (``migrated``, its signature checked by the caller)."""
        checkpoints = sorted([*self.checkpoints(), *([external] if external else [])],
                             key=lambda c: c.size)
        for kept in checkpoints:
            key = trusted_key or kept.public_key
            if not kept.verifies_with(key):
                return VerifyReport(False, 0, b"", len(checkpoints), None,
                                    f"the checkpoint of size {kept.size} is not signed by the "
                                    "trusted key")
        pending = sorted([*((c.size, c.root, "the checkpoint") for c in checkpoints),
                          *((size, root, "the co-signed checkpoint") for size, root in witnessed),
                          *([(*migrated, "the migration statement")] if migrated else [])])
        frontier = Frontier()
        settings = self.ledger.settings
        journaled = self._journal_size()  # before the rows: each leaf read has its row
        with ThreadPoolExecutor(1) as reader, closing(leaf_input_pages(
                self.ledger.recorder.datastore,  # type: ignore[attr-defined]
                self.ledger.qualified_events_table, settings.is_postgres,
                connect=lambda: _connect(settings))) as pages:
            # PostgreSQL reads the journal on another connection while the rows arrive.
            later = (reader.submit(self._leaf_hashes, journaled) if self.ns.postgres else None)
            journal = b"" if later else self._leaf_hashes(journaled)
            for page in pages:  # a page at a time: leaves, their comparison and tree levels in C
                leaves = hashed_inputs(page)
                if later:
                    journal, later = later.result(), None
                start = frontier.size
                expected = journal[start * HASH : (start + len(leaves)) * HASH]
                differs = (None if b"".join(leaves[: len(expected) // HASH]) == expected else
                           next(i for i, leaf in enumerate(leaves[: len(expected) // HASH])
                                if leaf != expected[i * HASH : (i + 1) * HASH]))
                good = len(leaves) if differs is None else differs  # leaves matching the journal
                done = 0  # leaves of this page in the frontier
                while pending and pending[0][0] - start <= good:  # a root to check on the way
                    size, kept_root, what = pending.pop(0)
                    frontier.extend(leaves[done : size - start])
                    done = size - start
                    if frontier.root() != kept_root:
                        return self._bad(frontier, checkpoints,
                                         page[size - start - 1][0] if size > start else None,
                                         f"the log no longer has the root of {what} of "
                                         f"{size} events")
                frontier.extend(leaves[done:good])
                if differs is not None:
                    slot = expected[differs * HASH : (differs + 1) * HASH]
                    return self._differs(frontier, checkpoints, page[differs][0],
                                         slot == UNREADABLE)
            if later:  # no rows at all
                journal = later.result()
        if frontier.size < len(journal) // HASH:
            return self._bad(frontier, checkpoints, self._position(frontier.size),
                             "the log ends before this journaled position (truncated)")
        if pending:
            return self._bad(frontier, checkpoints, None,
                             f"the log has {frontier.size} events, fewer than {pending[0][2]} "
                             f"of {pending[0][0]} (truncated)")
        return VerifyReport(True, frontier.size, frontier.root(), len(checkpoints))

    def _journal_size(self) -> int:
        """How many leaves the journal has now (one past its last leaf's index)."""
        [(size,)] = self.connection.tuples(self.ns.sql(
            "SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM {journal_leaves}"))
        return int(size)

    def _leaf_hashes(self, size: int) -> bytes:
        """The hashes of the journal's leaves below index ``size``, in leaf order, end to end
        (:data:`HASH` bytes each; a leaf that is missing or holds no hash, edited by hand,
        as :data:`UNREADABLE`, so that every later leaf keeps its place). PostgreSQL decodes
        the hex and joins the hashes itself, a value for each :data:`JOURNAL_CHUNK` leaves:
        no row, no object and no comparison per leaf on this side (a row a leaf cost verify a
        fifth of its time); a chunk with a leaf missing or not hex is read row by row."""
        if not self.ns.postgres:
            return _slots(self.connection.tuples(self.ns.sql(
                "SELECT leaf_index, hash FROM {journal_leaves} WHERE leaf_index < ?"), (size,)),
                0, size)
        import psycopg

        joined = bytearray()
        for first in range(0, size, JOURNAL_CHUNK):
            last = min(size, first + JOURNAL_CHUNK)
            chunk: bytes | None = None
            with suppress(psycopg.DataError):  # a hash that is not hex: read row by row
                [(chunk, count)] = self.connection.tuples(self.ns.sql(
                    "SELECT string_agg(CASE WHEN octet_length(digest) = 32 THEN digest "
                    "ELSE ? END, ''::bytea ORDER BY leaf_index), count(*) FROM ("
                    "SELECT leaf_index, decode(hash, 'hex') AS digest FROM {journal_leaves} "
                    "WHERE leaf_index >= ? AND leaf_index < ?) AS leaves"),
                    (UNREADABLE, first, last))
                if count != last - first:  # a leaf missing: read row by row
                    chunk = None
            joined += chunk if chunk is not None else _slots(
                self.connection.tuples(self.ns.sql(
                    "SELECT leaf_index, hash FROM {journal_leaves} "
                    "WHERE leaf_index >= ? AND leaf_index < ?"), (first, last)), first, last)
        return bytes(joined)

    def _position(self, index: int) -> int | None:
        """The log position the journal's leaf ``index`` stands for (None: it is missing)."""
        found = self.connection.tuples(self.ns.sql(
            "SELECT position FROM {journal_leaves} WHERE leaf_index = ?"), (index,))
        return int(found[0][0]) if found else None

    def _differs(self, frontier: Frontier, checkpoints: list[Checkpoint],
                 position: int, unreadable: bool = False) -> VerifyReport:
        """Why the stored row at ``position`` does not give the journal's next leaf."""
        expected = self._position(frontier.size)
        if expected is None or unreadable:
            return self._bad(frontier, checkpoints, position,
                             "the journal's leaf for this event is missing or holds no hash "
                             "(the journal was edited)")
        if position > expected:
            return self._bad(frontier, checkpoints, expected,
                             "the event recorded at this position is missing (deleted)")
        if position < expected:
            return self._bad(frontier, checkpoints, position,
                             "an event was inserted here that the journal never saw")
        return self._bad(frontier, checkpoints, position,
                         "the stored event differs from the one journaled (edited)")

    @staticmethod
    def _bad(frontier: Frontier, checkpoints: list[Checkpoint], position: int | None,
             reason: str) -> VerifyReport:
        return VerifyReport(False, frontier.size, frontier.root(), len(checkpoints), position,
                            reason)


def _slots(rows: Sequence[tuple[Any, ...]], first: int, last: int) -> bytes:
    """(leaf index, hash text) rows as the hashes of leaves ``first`` to ``last`` end to end,
    each missing or unreadable one as :data:`UNREADABLE`."""
    slots = [UNREADABLE] * (last - first)
    for index, text in rows:
        with suppress(ValueError, TypeError):  # not hex: left unreadable
            digest = bytes.fromhex(text)
            if len(digest) == HASH and len(text) == 2 * HASH:  # no blanks fromhex skipped
                slots[int(index) - first] = digest
    return b"".join(slots)


def _connect(settings: Any) -> Any:
    import psycopg

    return psycopg.connect(**postgres_connect_args(settings))
