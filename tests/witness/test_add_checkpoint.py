"""A witness co-signs a checkpoint only if it extends the one it co-signed before."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from growing_log import ORIGIN, Log, MakeWitness

from ledger.journal.note import COSIGNATURE_V1, MLDSA44_COSIGNATURE, SignerKey
from ledger.journal.tlog import CheckpointBody, cosignatures, parse_checkpoint, sign_checkpoint
from witness.core import Witness, WitnessConfig, witness_key
from witness.protocol import SIZE_CONTENT_TYPE, format_add_checkpoint
from witness.state import StateFile


def stored_size(witness: Witness) -> int | None:
    log = StateFile(witness.config.state).read().get(ORIGIN)
    return log.size if log else None


def test_a_first_checkpoint_from_size_zero_is_cosigned_and_remembered(
        witness: Witness, log: Log) -> None:
    answer = witness.handle(log.request(0))
    assert answer.status == 200, answer.body
    cosigned = log.checkpoint().with_cosignatures(answer.cosignatures)
    [verified] = cosignatures(parse_checkpoint(cosigned.text), witness.config.verifiers)
    assert verified.timestamp == 1_780_000_001
    assert stored_size(witness) == 5


def test_a_growing_log_is_cosigned_at_each_size_with_its_consistency_proof(
        witness: Witness, log: Log) -> None:
    old = 0
    for grow in (1, 2, 8, 1, 17):
        log.append(grow)
        answer = witness.handle(log.request(old))
        assert answer.status == 200, answer.body
        old = len(log.leaves)
        assert stored_size(witness) == old


def test_the_same_checkpoint_sent_again_is_cosigned_again(witness: Witness, log: Log) -> None:
    assert witness.handle(log.request(0)).status == 200
    assert witness.handle(log.request(5)).status == 200
    assert stored_size(witness) == 5


def test_an_old_size_other_than_the_stored_one_is_answered_409_with_the_stored_size(
        witness: Witness, log: Log) -> None:
    assert witness.handle(log.request(0)).status == 200
    log.append(3)
    answer = witness.handle(log.request(2))
    assert (answer.status, answer.content_type, answer.body) == (409, SIZE_CONTENT_TYPE, b"5\n")
    assert answer.stored_size == 5
    assert witness.handle(log.request(answer.stored_size)).status == 200


def test_a_smaller_checkpoint_is_refused_and_the_witness_does_not_roll_back(
        witness: Witness, log: Log) -> None:
    log.append(3)
    assert witness.handle(log.request(0)).status == 200
    behind = witness.handle(log.request(3, size=5))
    assert (behind.status, behind.stored_size) == (409, 8)
    claims_the_stored_size = witness.handle(log.request(8, size=5))
    assert claims_the_stored_size.status == 400  # an old size above the checkpoint's size
    assert stored_size(witness) == 8


def test_a_fork_at_the_same_size_is_refused_409(witness: Witness, log: Log) -> None:
    assert witness.handle(log.request(0)).status == 200
    forked = log.tampered(2)
    answer = witness.handle(forked.request(5))
    assert answer.status == 409
    assert b"forked" in answer.body
    assert stored_size(witness) == 5


def test_the_rebuilt_journal_of_a_hand_edited_event_is_refused_422(
        witness: Witness, log: Log) -> None:
    assert witness.handle(log.request(0)).status == 200
    log.append(4)
    rebuilt = log.tampered(1)  # edit one event, rebuild, sign the new tree
    answer = witness.handle(rebuilt.request(5))
    assert answer.status == 422
    assert b"extends" in answer.body
    assert stored_size(witness) == 5
    assert witness.handle(log.request(5)).status == 200  # the honest history still goes on


def test_a_proof_from_size_zero_must_be_empty(witness: Witness, log: Log) -> None:
    body = log.request(0).replace(b"old 0\n", b"old 0\n" + b"A" * 43 + b"=\n", 1)
    assert witness.handle(body).status == 422


def test_a_log_the_witness_does_not_follow_is_404_and_a_wrong_key_403(
        make_witness: MakeWitness, log: Log) -> None:
    witness = make_witness()
    impostor = Log(SignerKey.generate(ORIGIN), log.leaves)
    assert witness.handle(impostor.request(0)).status == 403
    other_origin = log.checkpoint().text.replace(ORIGIN, "elsewhere.example/log", 1)
    assert witness.handle(b"old 0\n\n" + other_origin.encode()).status == 404
    assert stored_size(witness) is None


def test_a_malformed_body_is_400(witness: Witness) -> None:
    assert witness.handle(b"hello\n").status == 400
    assert witness.handle(b"old 0\n\nnot a checkpoint\n").status == 400


def test_the_state_is_on_disk_before_the_answer_and_survives_a_restart(
        make_witness: MakeWitness, log: Log) -> None:
    key = SignerKey.generate("bpk.go.id/witness", COSIGNATURE_V1)
    first = make_witness(key=key)
    assert first.handle(log.request(0)).status == 200
    on_disk = json.loads(first.config.state.read_text())
    assert on_disk["logs"][ORIGIN]["size"] == 5
    assert not list(first.config.state.parent.glob("*.tmp"))
    restarted = make_witness(key=key, state=first.config.state)
    assert restarted.handle(log.request(0)).stored_size == 5


def test_racing_requests_from_one_size_get_one_cosignature_and_no_rollback(
        witness: Witness, log: Log) -> None:
    assert witness.handle(log.request(0)).status == 200
    log.append(12)
    bodies = [log.request(5, size) for size in range(6, 18)]
    statuses: dict[int, int] = {}

    def send(size: int, body: bytes) -> None:
        statuses[size] = witness.handle(body).status

    threads = [threading.Thread(target=send, args=(6 + i, b)) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [size for size, status in statuses.items() if status == 200]
    assert len(winners) == 1
    assert sorted(statuses.values()).count(409) == 11
    assert stored_size(witness) == winners[0]


def test_a_witness_with_an_ml_dsa_44_key_beside_its_ed25519_key_answers_both(
        tmp_path: Path, log: Log, log_key: SignerKey) -> None:
    config = WitnessConfig(witness_key("ui.ac.id/witness"), {ORIGIN: [log_key.verifier()]},
                           tmp_path / "state.json",
                           extra_keys=(witness_key("ui.ac.id/witness-pq", MLDSA44_COSIGNATURE),))
    answer = Witness(config, lambda: 1_780_000_000).handle(log.request(0))
    assert answer.status == 200
    cosigned = parse_checkpoint(log.checkpoint().with_cosignatures(answer.cosignatures).text)
    verified = cosignatures(cosigned, list(config.verifiers))
    assert sorted(v.key.type for v in verified) == [COSIGNATURE_V1, MLDSA44_COSIGNATURE]


def test_an_empty_log_is_cosigned_only_with_the_empty_tree_root(
        witness: Witness, log: Log) -> None:
    assert witness.handle(log.request(0, size=0)).status == 200
    wrong_root = sign_checkpoint(CheckpointBody(ORIGIN, 0, bytes(32)), log.key)
    body = format_add_checkpoint(0, [], wrong_root)
    assert witness.handle(body).status == 409
    assert witness.handle(log.request(0)).status == 200
