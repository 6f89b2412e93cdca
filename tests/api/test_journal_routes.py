"""The journal over HTTP: head, checkpoints, proofs that the standalone verifier accepts."""

from __future__ import annotations

from http_bodies import enrolment, programme
from http_client import Api

from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
from ledger.journal.merkle import verify_consistency
from ledger.journal.verify_proof import check_inclusion
from projections.journal import Journal
from projections.runner import Projector


def test_the_journal_head_checkpoints_and_proofs_are_served(api: Api) -> None:
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    member = api.post("/api/v1/members", "clerk", enrolment()).json
    ledger = api.app.extensions["claims_ledger"]
    projector = Projector(ledger)
    key = new_private_key()
    try:
        projector.catch_up()
        first = Journal(ledger, projector.connection, projector.live).checkpoint(key)
        api.post(f"/api/v1/members/{member['id']}/kpj", "clerk", {"kpj": "25012345678"})
        projector.catch_up()
        second = Journal(ledger, projector.connection, projector.live).checkpoint(key)
    finally:
        projector.close()
    head = api.get("/api/v1/journal").json
    assert head["size"] == second.size and head["root"] == second.root.hex()
    assert head["latest_checkpoint"]["key_fingerprint"] == second.key_fingerprint
    assert len(api.get("/api/v1/journal/checkpoints").json["items"]) == 2
    proof = api.get("/api/v1/journal/proofs/inclusion",
                    query_string={"position": member["position"]}).json
    assert check_inclusion(proof, public_key_text(private_key(key))).ok
    answer = api.get("/api/v1/journal/proofs/consistency",
                     query_string={"first": first.size, "second": second.size}).json
    assert verify_consistency(first.size, second.size, first.root, second.root,
                              [bytes.fromhex(h) for h in answer["proof"]])
    missing = api.get("/api/v1/journal/proofs/inclusion", query_string={"position": 10**6})
    assert missing.status_code == 404
