"""The log's side of ``add-checkpoint``: send a checkpoint to a witness and keep its answer.

:func:`post_add_checkpoint` makes one HTTP request; :func:`request_cosignatures` asks with the
size the log believes the witness holds and, when a 409 names another size, asks once more from
that size with a proof from there (tlog-witness lets a client start from 0 to learn it). The
ledger's ``journal witness`` command and the projector call these with proofs from the journal.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Sequence

from ledger.journal.tlog import Checkpoint
from witness.protocol import TEXT_CONTENT_TYPE, Answer, format_add_checkpoint

#: Consistency proof hashes from a given old size to the checkpoint's size.
ProofFrom = Callable[[int], Sequence[bytes]]


def post_add_checkpoint(url: str, body: bytes, *, timeout: float = 10.0) -> Answer:
    """POST ``body`` to ``<url>/add-checkpoint``; any HTTP status comes back as an Answer."""
    target = url.rstrip("/") + "/add-checkpoint"
    request = urllib.request.Request(target, data=body, method="POST",
                                     headers={"Content-Type": "text/plain"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.read(),
                          response.headers.get("Content-Type", TEXT_CONTENT_TYPE))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(),
                      error.headers.get("Content-Type", TEXT_CONTENT_TYPE))


def request_cosignatures(url: str, checkpoint: Checkpoint, proof_from: ProofFrom,
                         old_size: int = 0, *, timeout: float = 10.0) -> Answer:
    """Ask one witness to co-sign; retry once from the size a 409 names, if it is not larger
    than the checkpoint (a larger one means the witness saw more than this log has signed)."""
    def ask(old: int) -> Answer:
        proof = proof_from(old) if 0 < old < checkpoint.body.size else ()
        return post_add_checkpoint(url, format_add_checkpoint(old, proof, checkpoint),
                                   timeout=timeout)

    answer = ask(old_size)
    stored = answer.stored_size
    if stored is not None and stored != old_size and stored <= checkpoint.body.size:
        answer = ask(stored)
    return answer
