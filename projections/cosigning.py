"""Which witnesses co-signed the checkpoint a document or a page rests on, and whether the
quorum of a policy (``LEDGER_POLICY``) holds.

A document cut at a log position rests on the journal's head there. The cosignatures kept with
the log (``ledger_cosigned_checkpoints``, :mod:`projections.witnessing`) are of C2SP checkpoints
of some sizes: the one of the head's very size and root, or else the smallest later one whose
root the journal still recomputes (a later checkpoint holds the head's events too), is the one
shown. With a policy the cosignatures are checked against its keys and its quorum; without
one, the kept cosignatures are shown as kept (each verified when it was kept), and the reader
is told that no policy checked them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ledger.application import Ledger
from ledger.errors import ConfigurationError, MalformedNoteError
from ledger.journal.merkle import root as merkle_root
from ledger.journal.policy import Policy, check_checkpoint, parse_policy
from ledger.journal.tlog import Checkpoint, parse_checkpoint
from projections.db import Connection, Namespace
from storage.log_index import settings_of
from storage.store import COSIGNED_TABLE, qualified


@dataclass(frozen=True)
class Cosigner:
    """One witness that co-signed: its name (the policy's, or as ``LEDGER_WITNESSES`` names
    it) and the time in its cosignature."""

    name: str
    time: datetime


@dataclass(frozen=True)
class Cosigning:
    """The co-signed checkpoint a reading rests on.

    ``size`` is the co-signed checkpoint's, ``rests_on`` the head's (equal, or the checkpoint
    is a later one holding the head's events); ``quorum`` is None when no policy is configured,
    else whether it holds, with ``reason`` in the policy's words."""

    size: int
    rests_on: int
    cosigners: tuple[Cosigner, ...]
    quorum: bool | None
    reason: str
    text: str

    @property
    def names(self) -> str:
        """The witnesses' names, comma separated (empty when none co-signed)."""
        return ", ".join(c.name for c in self.cosigners)


def load_policy(path: str | Path | None) -> Policy | None:
    """The policy file at ``path`` (``LEDGER_POLICY``), None for no path; a file that cannot be
    read or is no policy is a configuration error said in words."""
    if path is None or not str(path).strip():
        return None
    try:
        return parse_policy(Path(path).read_bytes())
    except OSError as error:
        raise ConfigurationError(f"cannot read the policy file {path} (LEDGER_POLICY): "
                                 f"{error.strerror}") from None
    except MalformedNoteError as error:
        raise ConfigurationError(f"{path} (LEDGER_POLICY) is not a tlog-policy file: "
                                 f"{error.message}") from None


def configured_policy() -> Policy | None:
    """The policy ``LEDGER_POLICY`` names, None when it is unset."""
    from storage.settings import policy_path_from_environment

    return load_policy(policy_path_from_environment())


def kept_cosignatures(connection: Connection, table: str, postgres: bool, least: int = 0
                      ) -> dict[int, tuple[Checkpoint, list[tuple[str, int]]]]:
    """Per size (at least ``least``): the co-signed checkpoint with every kept cosignature, and
    (witness name, cosignature time) of each row. A store without the table has none."""
    if not _exists(connection, table, postgres):
        return {}
    mark = "%s" if postgres else "?"
    merged: dict[int, tuple[Checkpoint, list[tuple[str, int]]]] = {}
    for row in connection.query(f"SELECT witness, size, text FROM {table} WHERE size >= {mark} "
                                "ORDER BY size, witness", (least,)):
        checkpoint = parse_checkpoint(str(row["text"]))
        size = checkpoint.body.size
        own = [s for s in checkpoint.note.signatures if s.name != checkpoint.body.origin]
        time = struct.unpack(">Q", own[0].signature[:8])[0] if own and \
            len(own[0].signature) > 8 else 0
        if size not in merged:
            merged[size] = (checkpoint, [(str(row["witness"]), time)])
        elif merged[size][0].body == checkpoint.body:
            first, names = merged[size]
            merged[size] = (first.with_cosignatures(own), [*names, (str(row["witness"]), time)])
    return merged


def cosigning_of(connection: Connection, table: str, postgres: bool, size: int, root: bytes,
                 root_at: Callable[[int], bytes | None], policy: Policy | None) -> Cosigning:
    """The cosignatures of the head (``size``, ``root``), or of the smallest later co-signed
    checkpoint whose root ``root_at`` recomputes; no cosigner when no witness co-signed
    either (and then the quorum holds only for a policy that asks for none)."""
    for kept_size, (checkpoint, rows) in sorted(kept_cosignatures(connection, table, postgres,
                                                                  size).items()):
        expected = root if kept_size == size else root_at(kept_size)
        if checkpoint.body.root_hash != expected:
            continue
        if policy is None:
            cosigners = tuple(Cosigner(name, _utc(time)) for name, time in rows)
            return Cosigning(kept_size, size, cosigners, None, "", checkpoint.text)
        verdict = check_checkpoint(checkpoint.text, policy)
        cosigners = tuple(Cosigner(name, _utc(time)) for name, time in verdict.times)
        return Cosigning(kept_size, size, cosigners, verdict.ok, verdict.reason, checkpoint.text)
    if policy is None:
        return Cosigning(size, size, (), None, "", "")
    holds = policy.satisfied_by(frozenset())
    return Cosigning(size, size, (), holds, f"no witness co-signed the checkpoint of {size} "
                     f"events; the quorum {policy.quorum!r} "
                     f"{'holds' if holds else 'does not hold'}", "")


def journal_cosigning(ledger: Ledger, connection: Connection, namespace: Namespace, size: int,
                      root: bytes, policy: Policy | None) -> Cosigning:
    """:func:`cosigning_of` for a journal of ``ledger`` whose leaves are in ``namespace`` (the
    live projections: a later checkpoint's root is recomputed from them)."""
    from projections.journal import Journal

    def root_at(later: int) -> bytes | None:
        leaves = Journal(ledger, connection, namespace).leaves(later)
        return merkle_root([h for _, h in leaves]) if len(leaves) == later else None

    return cosigning_of(connection, qualified(settings_of(ledger), COSIGNED_TABLE),
                        namespace.postgres, size, root, root_at, policy)


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _exists(connection: Connection, table: str, postgres: bool) -> bool:
    if postgres:
        rows = connection.query("SELECT to_regclass(%s) IS NOT NULL AS found", (table,))
        return bool(rows and rows[0]["found"])
    rows = connection.query("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' "
                            "AND name = ?", (table,))
    return bool(rows and rows[0]["n"])
