"""The witness itself: check an ``add-checkpoint`` request, remember, co-sign.

A cosignature means only this: *the checkpoint extends every checkpoint of that log I co-signed
before*. It says nothing of the content of the log. The checks follow C2SP ``tlog-witness``:

- the body does not parse, or the old size exceeds the checkpoint's size: **400**;
- the origin is no log this witness follows: **404**; no signature of its key(s) verifies:
  **403**;
- the old size is not the size last co-signed (0 before the first): **409**, body the stored
  size; the same size with another root hash (a fork): **409**;
- the consistency proof from the stored root does not verify: **422**;
- otherwise the new size and root are persisted, then the cosignature lines answered: **200**.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ledger.errors import (
    MalformedNoteError,
    NoteSignatureInvalidError,
    RuleViolationError,
    UnverifiedNoteError,
)
from ledger.journal.merkle import EMPTY_ROOT, verify_consistency
from ledger.journal.note import (
    COSIGNATURE_V1,
    ED25519,
    MLDSA44_COSIGNATURE,
    SignerKey,
    VerifierKey,
    verify_note,
)
from ledger.journal.tlog import cosign, parse_checkpoint
from witness.protocol import (
    SIZE_CONTENT_TYPE,
    AddCheckpointRequest,
    Answer,
    parse_add_checkpoint,
)
from witness.state import LogState, StateFile

logger = logging.getLogger("witness")


class WitnessRefusal(RuleViolationError):
    """The witness does not co-sign; ``status`` is the HTTP status tlog-witness gives."""

    rule = "witness-refused"
    status = 400


class UnknownLogError(WitnessRefusal):
    rule = "witness-unknown-log"
    status = 404


class UntrustedCheckpointError(WitnessRefusal):
    """No signature of the log's known key verifies on the checkpoint."""

    rule = "witness-untrusted-checkpoint"
    status = 403


class OldSizeMismatchError(WitnessRefusal):
    """The request's old size is not the size the witness last co-signed."""

    rule = "witness-old-size-mismatch"
    status = 409

    def __init__(self, message: str, *, stored_size: int) -> None:
        super().__init__(message)
        self.stored_size = stored_size


class ForkedCheckpointError(WitnessRefusal):
    """The same size as the one co-signed, with another root hash: the log forked."""

    rule = "witness-fork"
    status = 409


class InconsistentCheckpointError(WitnessRefusal):
    """The consistency proof does not lead from the co-signed tree to the new one."""

    rule = "witness-bad-proof"
    status = 422


@dataclass(frozen=True)
class WitnessConfig:
    """Who the witness is and whom it follows.

    ``key`` is its cosigner key (type 0x04, or 0x06 for ML-DSA-44); ``extra_keys`` more cosigner
    keys answered alongside (for example an ML-DSA-44 key next to the Ed25519 one); ``logs``
    maps each followed origin to its log verifier keys; ``state`` is its own state file.
    """

    key: SignerKey
    logs: Mapping[str, Sequence[VerifierKey]]
    state: Path
    extra_keys: tuple[SignerKey, ...] = field(default=())

    @property
    def verifiers(self) -> tuple[VerifierKey, ...]:
        """The public keys of the witness's cosignatures (what a policy file lists)."""
        return tuple(k.verifier() for k in (self.key, *self.extra_keys))


def witness_key(name: str, key_type: int = COSIGNATURE_V1) -> SignerKey:
    """A new cosigner key for a witness named ``name`` (a schema-less URL, say)."""
    return SignerKey.generate(name, key_type)


class Witness:
    """A witness over its configuration; ``clock`` gives the POSIX time of a cosignature."""

    def __init__(self, config: WitnessConfig,
                 clock: Callable[[], int] = lambda: int(time.time())) -> None:
        for key in (config.key, *config.extra_keys):
            if key.type not in (COSIGNATURE_V1, MLDSA44_COSIGNATURE):
                raise MalformedNoteError("a witness key is a cosigner key (type 0x04 or 0x06)",
                                         field="witness_key")
        self.config = config
        self.clock = clock
        self.state = StateFile(config.state)

    def add_checkpoint(self, request: AddCheckpointRequest) -> Answer:
        """Check, persist and co-sign; a refusal raises a :class:`WitnessRefusal`."""
        try:
            checkpoint = parse_checkpoint(request.checkpoint)
        except MalformedNoteError as error:
            raise WitnessRefusal(f"the checkpoint does not parse: {error.message}") from None
        origin, size = checkpoint.body.origin, checkpoint.body.size
        keys = [k for k in self.config.logs.get(origin, ()) if k.type == ED25519]
        if not keys:
            raise UnknownLogError(f"this witness follows no log {origin!r}")
        try:
            verify_note(checkpoint.note, keys)
        except (UnverifiedNoteError, NoteSignatureInvalidError) as error:
            raise UntrustedCheckpointError(error.message) from None
        if request.old_size > size:
            raise WitnessRefusal(f"the old size {request.old_size} exceeds the checkpoint's "
                                 f"size {size}")
        with self.state.locked() as state:
            stored = state.get(origin, LogState(0, EMPTY_ROOT))
            if request.old_size != stored.size:
                raise OldSizeMismatchError(
                    f"the last checkpoint co-signed for {origin} has size {stored.size}, "
                    f"not {request.old_size}", stored_size=stored.size)
            root = checkpoint.body.root_hash
            if size == stored.size:
                # Before the first cosignature the stored tree is the empty one, whose root
                # RFC 6962 fixes: a size-0 checkpoint with any other root is no tree at all.
                if root != stored.root_hash:
                    raise ForkedCheckpointError(
                        f"{origin} at size {size} has another root hash than the one "
                        "co-signed: the log forked")
                if request.proof:
                    raise InconsistentCheckpointError("no proof is sent between equal sizes")
            elif stored.size == 0:
                if request.proof:
                    raise InconsistentCheckpointError("the proof from size 0 is empty")
            elif not verify_consistency(stored.size, size, stored.root_hash, root,
                                        request.proof):
                raise InconsistentCheckpointError(
                    f"the proof does not show {origin} at size {size} extends the checkpoint "
                    f"of size {stored.size} co-signed before")
            timestamp = self.clock()
            lines = [cosign(checkpoint, key, timestamp)
                     for key in (self.config.key, *self.config.extra_keys)]
            state[origin] = LogState(size, root)
            self.state.write(state)  # persisted before the answer leaves
        return Answer(200, "".join(s.to_line() for s in lines).encode())

    def handle(self, body: bytes) -> Answer:
        """The answer to one request body, refusals included (for HTTP and offline alike)."""
        try:
            return self.add_checkpoint(parse_add_checkpoint(body))
        except OldSizeMismatchError as error:
            return Answer(409, f"{error.stored_size}\n".encode(), SIZE_CONTENT_TYPE)
        except (ForkedCheckpointError, InconsistentCheckpointError) as error:
            # A log key signed a checkpoint that does not extend the co-signed one: keep the
            # request as evidence of the log's misbehaviour (tlog-witness allows it).
            logger.warning("refused %s: %s\n%s", error.rule, error.message,
                           body.decode(errors="replace"))
            return Answer(error.status, (error.message + "\n").encode())
        except WitnessRefusal as error:
            return Answer(error.status, (error.message + "\n").encode())
        except MalformedNoteError as error:
            return Answer(400, (error.message + "\n").encode())


def answer_file(witness: Witness, request_path: Path | str, answer_path: Path | str) -> Answer:
    """Offline mode: read a request body from a file, write the answer body to another.

    The answer file holds exactly what the HTTP answer's body would (cosignature lines, or the
    stored size, or the reason); the status comes back to the caller (the CLI's exit code).
    """
    answer = witness.handle(Path(request_path).read_bytes())
    Path(answer_path).write_bytes(answer.body)
    return answer


def refusal_message(answer: Answer) -> str:
    """A refusal's answer in plain words, for a clerk reading the CLI's output."""
    if answer.status == 409 and answer.stored_size is not None:
        return f"the witness holds size {answer.stored_size}; retry from there"
    return f"{answer.status}: {answer.body.decode(errors='replace').strip()}"


__all__ = ["Answer", "ForkedCheckpointError", "InconsistentCheckpointError", "OldSizeMismatchError",
           "UnknownLogError", "UntrustedCheckpointError", "Witness",
           "WitnessConfig", "WitnessRefusal", "answer_file", "refusal_message", "witness_key"]
