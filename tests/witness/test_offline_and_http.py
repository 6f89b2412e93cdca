"""The witness offline (request file in, answer file out) and over HTTP: two witnesses on
loopback co-signing a growing log, checked against a tlog-policy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from growing_log import Log, MakeWitness

from ledger.journal.merkle import inclusion_proof
from ledger.journal.policy import (
    check_checkpoint,
    check_tlog_proof,
    export_tlog_proof,
    parse_policy,
    parse_tlog_proof,
)
from ledger.journal.tlog import parse_checkpoint
from witness.app import create_app, make_server
from witness.client import post_add_checkpoint, request_cosignatures
from witness.core import Witness, answer_file
from witness.protocol import Answer, parse_cosignature_lines


def policy_for(log: Log, *witnesses: Witness, quorum: str = "all") -> str:
    lines = [f"log {log.key.verifier()}"]
    lines += [f"witness w{i} {w.config.verifiers[0]}" for i, w in enumerate(witnesses)]
    lines += [f"group witnesses {quorum} " + " ".join(f"w{i}" for i in range(len(witnesses))),
              "quorum witnesses"]
    return "\n".join(lines) + "\n"


def test_offline_a_request_file_gets_an_answer_file_of_cosignatures(
        witness: Witness, log: Log, tmp_path: Path) -> None:
    request, answer = tmp_path / "request.txt", tmp_path / "answer.txt"
    request.write_bytes(log.request(0))
    assert answer_file(witness, request, answer).status == 200
    cosigned = log.checkpoint().with_cosignatures(parse_cosignature_lines(answer.read_bytes()))
    assert check_checkpoint(cosigned.text, parse_policy(policy_for(log, witness))).ok

    log.append(6)
    request.write_bytes(log.request(0))  # the log forgot what the witness holds
    refused = answer_file(witness, request, answer)
    assert (refused.status, answer.read_bytes()) == (409, b"5\n")
    request.write_bytes(log.request(5))
    assert answer_file(witness, request, answer).status == 200


def test_the_flask_app_answers_add_checkpoint_with_the_witness_statuses(
        witness: Witness, log: Log) -> None:
    client = create_app(witness).test_client()
    first = client.post("/add-checkpoint", data=log.request(0))
    assert first.status_code == 200
    assert first.data.decode().startswith("\u2014 bpk.go.id/witness ")
    conflict = client.post("/add-checkpoint", data=log.request(0))
    assert (conflict.status_code, conflict.content_type, conflict.data) == (
        409, "text/x.tlog.size", b"5\n")
    assert client.post("/add-checkpoint", data=b"nonsense").status_code == 400
    assert client.get("/add-checkpoint").status_code == 405


@pytest.fixture
def two_witnesses(make_witness: MakeWitness) -> Iterator[list[tuple[Witness, str]]]:
    """Two witnesses, each on its own free loopback port in a server thread."""
    served = []
    for name in ("bpk.go.id/witness", "ui.ac.id/witness"):
        witness = make_witness(name)
        server = make_server(witness, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        served.append((witness, server, thread))
    try:
        yield [(w, f"http://127.0.0.1:{s.port}") for w, s, _ in served]
    finally:
        for _, server, thread in served:
            server.shutdown()
            thread.join(timeout=5)


def test_two_witnesses_on_loopback_cosign_a_growing_log(
        two_witnesses: list[tuple[Witness, str]], log: Log) -> None:
    witnesses = [w for w, _ in two_witnesses]
    policy = parse_policy(policy_for(log, *witnesses))
    known = {url: 0 for _, url in two_witnesses}
    for grow in (0, 1, 3, 7, 16, 1):
        log.append(grow)
        checkpoint = log.checkpoint()
        for _, url in two_witnesses:
            answer = request_cosignatures(url, checkpoint, log.proof, known[url])
            assert answer.status == 200, answer.body
            known[url] = checkpoint.body.size
            checkpoint = checkpoint.with_cosignatures(answer.cosignatures)
        verdict = check_checkpoint(checkpoint.text, policy)
        assert verdict.ok, verdict.reason
        assert verdict.cosigned_by == ("w0", "w1")
    # Every event's inclusion proof checks offline against the last cosigned checkpoint.
    for index in (0, 17, len(log.leaves) - 1):
        proof = parse_tlog_proof(export_tlog_proof(index, inclusion_proof(index, log.leaves),
                                                   checkpoint))
        assert check_tlog_proof(proof, log.leaves[index], policy).ok


def test_a_client_that_forgot_the_witness_size_retries_from_the_409(
        two_witnesses: list[tuple[Witness, str]], log: Log) -> None:
    (witness, url), _ = two_witnesses
    assert request_cosignatures(url, log.checkpoint(), log.proof).status == 200
    log.append(9)
    answer = request_cosignatures(url, log.checkpoint(), log.proof, old_size=0)
    assert answer.status == 200, answer.body
    cosigned = parse_checkpoint(log.checkpoint().with_cosignatures(answer.cosignatures).text)
    assert check_checkpoint(cosigned.text, parse_policy(policy_for(log, witness))).ok


def test_over_http_a_rebuilt_journal_is_refused_and_one_witness_short_fails_the_quorum(
        two_witnesses: list[tuple[Witness, str]], log: Log) -> None:
    witnesses = [w for w, _ in two_witnesses]
    for _, url in two_witnesses:
        assert request_cosignatures(url, log.checkpoint(), log.proof).status == 200
    log.append(3)
    rebuilt = log.tampered(0)
    (_, first), (_, second) = two_witnesses
    refused: Answer = post_add_checkpoint(first, rebuilt.request(5))
    assert refused.status == 422
    checkpoint = rebuilt.checkpoint()
    answer = request_cosignatures(second, checkpoint, rebuilt.proof, 5)
    assert answer.status == 422
    verdict = check_checkpoint(checkpoint.text, parse_policy(policy_for(log, *witnesses)))
    assert not verdict.ok
    assert verdict.cosigned_by == ()
