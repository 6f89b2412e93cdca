"""The standalone verifier: a proof from ``journal prove``, a checkpoint, a trusted key.

No database, no ledger: this module (with :mod:`ledger.journal.merkle` and
:mod:`ledger.journal.checkpoint`) is all an auditor needs to check that an event was in the
signed history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.journal.checkpoint import Checkpoint
from ledger.journal.merkle import verify_inclusion


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str


def check_inclusion(proof: dict[str, Any], trusted_public_key: str) -> Verdict:
    """Is the proof's leaf in the tree its checkpoint signs, signed by the trusted key?"""
    checkpoint = Checkpoint.from_text(proof["checkpoint"])
    if not checkpoint.verifies_with(trusted_public_key):
        return Verdict(False, "the checkpoint is not signed by the trusted key")
    if int(proof["tree_size"]) != checkpoint.size or proof["root"] != checkpoint.root.hex():
        return Verdict(False, "the proof names another tree than its checkpoint")
    path = [bytes.fromhex(h) for h in proof["proof"]]
    if not verify_inclusion(int(proof["leaf_index"]), checkpoint.size,
                            bytes.fromhex(proof["leaf_hash"]), path, checkpoint.root):
        return Verdict(False, "the audit path does not lead to the checkpoint's root")
    return Verdict(True, f"event at position {proof['position']} is leaf {proof['leaf_index']} "
                   f"of the {checkpoint.size}-event checkpoint signed at {checkpoint.time} by "
                   f"key {checkpoint.key_fingerprint}")
