"""The ledger asks witnesses: C2SP checkpoints of the journal, their cosignatures, the policy.

The journal's head is signed as a C2SP ``tlog-checkpoint`` named after the ledger's origin (with
the journal's own ``LEDGER_SIGNING_KEY``), sent with a consistency proof to each witness of
``LEDGER_WITNESSES``, and every cosignature that verifies is kept with the log
(``ledger_cosigned_checkpoints``, one row per witness and checkpoint). The ledger never signs a
checkpoint that does not extend every checkpoint it signed before; a witness's refusal is said in
plain words (a 409 at the same size or a 422 means the journal's past was changed: a fork).

A verifier decides with a ``tlog-policy``: :meth:`Witnessing.verify_with_policy` takes the latest
co-signed checkpoint that meets the quorum (kept here, or handed in from outside) and recomputes
the journal from the stored rows against its root.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.errors import (
    MalformedNoteError,
    NoteSignatureInvalidError,
    NotFoundError,
    RuleViolationError,
)
from ledger.journal.merkle import consistency_proof, inclusion_proof, root
from ledger.journal.note import VerifierKey
from ledger.journal.policy import Policy, PolicyVerdict, check_checkpoint, export_tlog_proof
from ledger.journal.tlog import (
    Checkpoint,
    CheckpointBody,
    cosignatures,
    log_signer,
    parse_checkpoint,
    sign_checkpoint,
)
from projections.cosigning import kept_cosignatures
from projections.journal import Journal, VerifyReport
from storage.log_index import settings_of
from storage.settings import OFFLINE, ConfiguredWitness
from storage.store import COSIGNED_TABLE, cosigned_statement, qualified
from witness.client import request_cosignatures
from witness.protocol import Answer, format_add_checkpoint

#: How the ledger reaches a witness (the HTTP client; tests may pass another transport).
Ask = Callable[[str, Checkpoint, Callable[[int], Sequence[bytes]], int], Answer]


class JournalForkError(RuleViolationError):
    """The journal no longer extends a checkpoint the ledger signed: it will not sign again."""

    rule = "journal-fork"


@dataclass(frozen=True)
class WitnessOutcome:
    """What one witness answered, in plain words; ``fork`` when it saw another history."""

    name: str
    ok: bool
    message: str
    fork: bool = False


@dataclass(frozen=True)
class PolicyReport:
    """``verify --policy``: the policy's verdict on the co-signed checkpoint, and the journal
    recomputed against it (None when there was no checkpoint to recompute against)."""

    verdict: PolicyVerdict
    journal: VerifyReport | None

    @property
    def ok(self) -> bool:
        return self.verdict.ok and self.journal is not None and self.journal.ok


def http_ask(url: str, checkpoint: Checkpoint, proof_from: Callable[[int], Sequence[bytes]],
              old_size: int) -> Answer:
    return request_cosignatures(url, checkpoint, proof_from, old_size)


class Witnessing:
    """The C2SP side of one ledger's journal (its projections caught up)."""

    def __init__(self, journal: Journal, origin: str) -> None:
        self.journal = journal
        self.origin = origin
        self.table = qualified(settings_of(journal.ledger), COSIGNED_TABLE)
        # A store initialised before witnesses existed gets its table here ('db init' makes it).
        with journal.connection.transaction() as cursor:
            cursor.execute(cosigned_statement(self.table))

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.journal.ns.postgres else statement

    def _hashes(self) -> list[bytes]:
        return [h for _, h in self.journal.leaves()]

    # -- signing -------------------------------------------------------------------------------

    def log_key(self, signing_key: str) -> VerifierKey:
        """The ledger's verifier key as witnesses and policies name it (``origin+id+key``)."""
        return log_signer(signing_key, self.origin).verifier()

    def checkpoint(self, signing_key: str) -> Checkpoint:
        """The journal's head as a signed C2SP checkpoint, refused when the journal does not
        extend every checkpoint the ledger signed before (it never signs two histories)."""
        hashes = self._hashes()
        self._require_extends(hashes)
        body = CheckpointBody(self.origin, len(hashes), root(hashes))
        return sign_checkpoint(body, log_signer(signing_key, self.origin))

    def _require_extends(self, hashes: list[bytes]) -> None:
        kept = {(c.size, c.root) for c in self.journal.checkpoints()}
        kept |= {(int(r["size"]), bytes.fromhex(r["root"])) for r in self._rows()}
        for size, kept_root in sorted(kept):
            if size > len(hashes) or root(hashes[:size]) != kept_root:
                raise JournalForkError(
                    f"the journal no longer matches the checkpoint of {size} events signed "
                    "before: an event of the past was changed or removed. No new checkpoint is "
                    "signed; run 'claims-ledger verify' to find the position")

    # -- asking witnesses ----------------------------------------------------------------------

    def last_size(self, witness: str) -> int:
        """The largest size ``witness`` co-signed, as kept here (0 before the first)."""
        rows = self.journal.connection.query(
            self._sql(f"SELECT max(size) AS size FROM {self.table} WHERE witness = ?"),
            (witness,))
        return int(rows[0]["size"] or 0) if rows else 0

    def proof_from(self, old_size: int) -> list[bytes]:
        """The consistency proof from ``old_size`` to the journal's head."""
        hashes = self._hashes()
        return consistency_proof(old_size, hashes) if 0 < old_size < len(hashes) else []

    def request(self, checkpoint: Checkpoint, old_size: int) -> bytes:
        """An ``add-checkpoint`` body from ``old_size`` (the offline request file)."""
        proof = self.proof_from(old_size) if old_size < checkpoint.body.size else []
        return format_add_checkpoint(old_size, proof, checkpoint)

    def ask(self, witnesses: Sequence[ConfiguredWitness], checkpoint: Checkpoint,
            transport: Ask = http_ask) -> list[WitnessOutcome]:
        """Send the checkpoint to each witness, keep the cosignatures, say what each did."""
        outcomes = []
        for witness in witnesses:
            try:
                key = VerifierKey.parse(witness.key)
            except MalformedNoteError as error:
                outcomes.append(WitnessOutcome(witness.name, False, (
                    f"the key of witness {witness.name} in LEDGER_WITNESSES is not a "
                    f"verifier key: {error.message}")))
                continue
            if witness.url == OFFLINE:
                outcomes.append(WitnessOutcome(witness.name, False, (
                    f"witness {witness.name} takes files: write a request with 'claims-ledger "
                    f"journal witness --request FILE --witness {witness.name}'")))
                continue
            try:
                answer = transport(witness.url, checkpoint, self.proof_from,
                                   self.last_size(witness.name))
            except OSError as error:
                reason = getattr(error, "reason", error)
                outcomes.append(WitnessOutcome(witness.name, False, (
                    f"witness {witness.name} cannot be reached at {witness.url} ({reason}); "
                    "nothing was kept, ask again later")))
                continue
            outcomes.append(self.accept(witness.name, key, checkpoint, answer))
        return outcomes

    def accept(self, name: str, key: VerifierKey, checkpoint: Checkpoint,
               answer: Answer) -> WitnessOutcome:
        """Keep a witness's cosignature from its answer (online or an offline answer file)."""
        size = checkpoint.body.size
        if answer.status != 200:
            return self._refused(name, size, answer)
        try:
            lines = answer.cosignatures
            cosigned = checkpoint.with_cosignatures(lines)
            verified = cosignatures(cosigned, [key])
        except (MalformedNoteError, NoteSignatureInvalidError) as error:
            return WitnessOutcome(name, False, f"witness {name} answered a cosignature that "
                                  f"does not verify ({error.message}); nothing was kept")
        if not verified:
            return WitnessOutcome(name, False, f"witness {name} answered no cosignature of its "
                                  f"key {key.name}; nothing was kept")
        own = [s for s in lines if key.matches(s)]
        kept = checkpoint.with_cosignatures(own)
        with self.journal.connection.transaction() as cursor:
            # Asked again at the same size, a witness co-signs again with a newer time: keep
            # one cosignature per witness and checkpoint, the newest.
            cursor.execute(self._sql(f"DELETE FROM {self.table} WHERE witness = ? AND size = ? "
                                     "AND root = ?"),
                           (name, size, checkpoint.body.root_hash.hex()))
            cursor.execute(self._sql(f"INSERT INTO {self.table} (witness, size, root, text) "
                                     "VALUES (?, ?, ?, ?)"),
                           (name, size, checkpoint.body.root_hash.hex(), kept.text))
        return WitnessOutcome(name, True, f"witness {name} co-signed the checkpoint of "
                              f"{size} events")

    @staticmethod
    def _refused(name: str, size: int, answer: Answer) -> WitnessOutcome:
        said = answer.body.decode(errors="replace").strip()
        stored = answer.stored_size
        if answer.status == 409 and stored is not None and stored > size:
            return WitnessOutcome(name, False, (
                f"witness {name} refuses: it co-signed {stored} events of this log, more than "
                f"the journal now holds ({size}). Events were removed, or another ledger signs "
                "with this key: do not trust this database before 'claims-ledger verify "
                "--policy' passes"), fork=True)
        if answer.status in (409, 422):
            return WitnessOutcome(name, False, (
                f"witness {name} refuses (a fork): the journal of {size} events does not extend "
                f"the history it co-signed before ({said}). Someone changed the journal's past; "
                "do not trust this database before 'claims-ledger verify --policy' passes"),
                fork=True)
        if answer.status == 403:
            return WitnessOutcome(name, False, (
                f"witness {name} does not trust this ledger's key; give its operator the key "
                "that 'claims-ledger journal log-key' prints"))
        if answer.status == 404:
            return WitnessOutcome(name, False, (
                f"witness {name} does not follow this log ({said}); ask its operator to add "
                "it, or check LEDGER_ORIGIN"))
        return WitnessOutcome(name, False, f"witness {name} answered {answer.status}: {said}")

    # -- reading the cosigned checkpoints ------------------------------------------------------

    def _rows(self) -> list[dict[str, Any]]:
        return self.journal.connection.query(
            f"SELECT witness, size, root, text FROM {self.table} ORDER BY size, witness")

    def cosigned(self) -> list[str]:
        """Every co-signed checkpoint kept, largest first, each with all its cosignatures."""
        kept = kept_cosignatures(self.journal.connection, self.table, self.journal.ns.postgres)
        return [kept[size][0].text for size in sorted(kept, reverse=True)]

    def best(self, policy: Policy, candidates: Sequence[str]) -> tuple[str | None,
                                                                      PolicyVerdict]:
        """The largest candidate that meets the policy, else the largest with its verdict."""
        verdicts = [(text, check_checkpoint(text, policy)) for text in candidates]
        for text, verdict in verdicts:
            if verdict.ok:
                return text, verdict
        if verdicts:
            return verdicts[0]
        return None, PolicyVerdict(False, (
            "no checkpoint co-signed by witnesses is kept in the database or given with "
            "--checkpoint: nothing shows that this journal is the one the witnesses saw"))

    def verify_with_policy(self, policy: Policy, external: str | None = None) -> PolicyReport:
        """Does a co-signed checkpoint meet the policy, and does the journal recomputed from
        the stored rows still have its root? ``external`` is one kept outside the database."""
        text, verdict = self.best(policy, [external] if external else self.cosigned())
        if text is None or not verdict.ok:
            return PolicyReport(verdict, None)
        body = parse_checkpoint(text).body
        if body.origin != self.origin:
            return PolicyReport(PolicyVerdict(False, (
                f"the co-signed checkpoint is of the log {body.origin!r}, this ledger's origin "
                f"is {self.origin!r} (LEDGER_ORIGIN)"), body.origin, body.size), None)
        return PolicyReport(verdict, self.journal.verify(witnessed=[(body.size, body.root_hash)]))

    def tlog_proof(self, position: int, policy: Policy | None = None) -> tuple[str, bytes]:
        """The ``.tlog-proof`` of the event at ``position`` in the latest co-signed checkpoint
        (the latest meeting ``policy`` if one is given), and the event's leaf hash."""
        candidates = self.cosigned()
        text = (self.best(policy, candidates)[0] if policy
                else candidates[0] if candidates else None)
        if text is None:
            raise NotFoundError("no co-signed checkpoint is kept yet; run 'claims-ledger "
                                "journal witness' first")
        size = parse_checkpoint(text).body.size
        leaves = self.journal.leaves(size)
        index = next((i for i, (p, _) in enumerate(leaves) if p == position), None)
        if index is None:
            raise NotFoundError(f"position {position} is not in the co-signed checkpoint of "
                                f"{size} events", field="position")
        hashes = [h for _, h in leaves]
        return export_tlog_proof(index, inclusion_proof(index, hashes), text), hashes[index]

