"""C2SP tlog-policy (quorum met, not met, unknown keys ignored) and tlog-proof files."""

from __future__ import annotations

import base64

import pytest

from ledger.errors import MalformedNoteError
from ledger.journal.merkle import inclusion_proof, leaf_hash, root
from ledger.journal.note import COSIGNATURE_V1, NoteSignature, SignerKey
from ledger.journal.policy import (
    check_checkpoint,
    check_tlog_proof,
    export_tlog_proof,
    parse_policy,
    parse_tlog_proof,
)
from ledger.journal.tlog import Checkpoint, CheckpointBody, cosign, sign_checkpoint

ORIGIN = "jamsos.tangerangkota.go.id/ledger"
LOG = SignerKey.generate(ORIGIN)
WITNESSES = {name: SignerKey.generate(f"{name}.example/witness", COSIGNATURE_V1)
             for name in ("bpk", "inspektorat", "dprd", "ui")}
LEAVES = [leaf_hash(f"event {i}".encode()) for i in range(11)]

# tlog-proof, the specification's example (its signatures elided there with "[...]").
SPEC_PROOF = """c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

\u2014 example.com/fancylog hI2DJw[...]1roloI=
\u2014 witness1.example mJirIklj[...]qY9v2B/5bg==
"""


def audit_policy() -> str:
    """BPK and any one of the Inspektorat, the DPRD or a university."""
    lines = [f"log {LOG.verifier()}", ""]
    lines += [f"witness {name} {key.verifier()}" for name, key in WITNESSES.items()]
    lines += ["# any one of the local overseers", "group others any inspektorat dprd ui",
              "group audit all bpk others", "quorum audit"]
    return "\n".join(lines) + "\n"


def checkpoint(size: int = 11) -> Checkpoint:
    return sign_checkpoint(CheckpointBody(ORIGIN, size, root(LEAVES[:size])), LOG)


def cosigned_by(*names: str, extra: tuple[SignerKey, ...] = ()) -> str:
    signed = checkpoint()
    lines = [cosign(signed, WITNESSES[n], 1_780_000_000 + i) for i, n in enumerate(names)]
    lines += [cosign(signed, key, 1_780_000_000) for key in extra]
    return signed.with_cosignatures(lines).text


def test_the_spec_example_policy_shape_parses_with_real_keys() -> None:
    keys = {n: SignerKey.generate(f"{n}.example", COSIGNATURE_V1) for n in
            ("X1", "X2", "X3", "Y1", "Y2", "Y3")}
    text = (f"log {LOG.verifier()}\n\n"
            + "".join(f"witness {n} {keys[n].verifier()}\n" for n in ("X1", "X2", "X3"))
            + "group X-witnesses 2 X1 X2 X3\n\n"
            + "".join(f"witness {n} {keys[n].verifier()}\n" for n in ("Y1", "Y2", "Y3"))
            + "group Y-witnesses any Y1 Y2 Y3\n\n"
            "group X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y\n")
    policy = parse_policy(text)
    assert policy.quorum == "X-and-Y"
    assert [(g.name, g.threshold) for g in policy.groups] == [
        ("X-witnesses", 2), ("Y-witnesses", 1), ("X-and-Y", 2)]
    assert policy.satisfied_by({"X1", "X3", "Y2"})
    assert not policy.satisfied_by({"X1", "Y1", "Y2", "Y3"})


def test_bpk_and_one_overseer_meet_the_quorum() -> None:
    verdict = check_checkpoint(cosigned_by("bpk", "dprd"), parse_policy(audit_policy()))
    assert verdict.ok, verdict.reason
    assert verdict.cosigned_by == ("bpk", "dprd")
    assert "holds" in verdict.reason


def test_overseers_without_bpk_do_not_meet_the_quorum() -> None:
    verdict = check_checkpoint(cosigned_by("inspektorat", "dprd", "ui"),
                               parse_policy(audit_policy()))
    assert not verdict.ok
    assert verdict.cosigned_by == ("dprd", "inspektorat", "ui")
    assert "does not hold" in verdict.reason


def test_a_cosignature_by_a_witness_the_policy_does_not_know_is_ignored() -> None:
    stranger = SignerKey.generate("stranger.example/witness", COSIGNATURE_V1)
    impostor = SignerKey.generate("bpk.example/witness", COSIGNATURE_V1)  # BPK's name, not key
    policy = parse_policy(audit_policy())
    verdict = check_checkpoint(cosigned_by("ui", extra=(stranger, impostor)), policy)
    assert not verdict.ok
    assert verdict.cosigned_by == ("ui",)
    assert check_checkpoint(cosigned_by("bpk", "ui", extra=(stranger,)), policy).ok


def test_a_checkpoint_not_signed_by_the_policy_log_fails_whatever_its_cosignatures() -> None:
    other = SignerKey.generate(ORIGIN)
    signed = sign_checkpoint(CheckpointBody(ORIGIN, 11, root(LEAVES)), other)
    lines = [cosign(signed, WITNESSES[n], 1) for n in ("bpk", "ui")]
    verdict = check_checkpoint(signed.with_cosignatures(lines).text,
                               parse_policy(audit_policy()))
    assert not verdict.ok
    assert "log" in verdict.reason


def test_quorum_none_needs_the_log_signature_only() -> None:
    policy = parse_policy(f"log {LOG.verifier()}\nquorum none\n")
    assert check_checkpoint(checkpoint().text, policy).ok


@pytest.mark.parametrize("text", [
    "log x\nquorum none\n",
    "quorum nobody\n",
    "witness a {w}\n",
    "witness a {w}\nwitness b {w}\nquorum a\n",
    "witness a {w}\ngroup g 2 a\nquorum g\n",
    "witness a {w}\ngroup g any a a\nquorum g\n",
    "witness a {w}\ngroup g any a\ngroup h any a\nquorum h\n",
    "group g any a\nwitness a {w}\nquorum g\n",
    "witness a {w}\nquorum a\nquorum a\n",
    "witness none {w}\nquorum none\n",
    "log {w}\nquorum none\n",
    "witness a {log}\nquorum a\n",
    "frobnicate\nquorum none\n",
])
def test_a_policy_against_the_spec_is_refused(text: str) -> None:
    filled = text.format(w=WITNESSES["bpk"].verifier(), log=LOG.verifier())
    with pytest.raises(MalformedNoteError):
        parse_policy(filled)


def test_the_spec_proof_example_reads_its_extra_data_index_and_path() -> None:
    proof = parse_tlog_proof(SPEC_PROOF)
    assert proof.index == 73894
    assert len(proof.proof) == 5
    assert proof.proof[0] == base64.b64decode("gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=")
    assert proof.extra is not None and proof.extra.startswith(b"age-v1.2.1-darwin-arm64")
    assert proof.checkpoint.startswith("example.com/fancylog\n109482\n")
    assert proof.to_text() == SPEC_PROOF


def test_an_exported_proof_checks_against_the_policy_offline() -> None:
    text = export_tlog_proof(6, inclusion_proof(6, LEAVES), cosigned_by("bpk", "ui"))
    proof = parse_tlog_proof(text)
    policy = parse_policy(audit_policy())
    assert check_tlog_proof(proof, LEAVES[6], policy).ok
    wrong = check_tlog_proof(proof, LEAVES[5], policy)
    assert not wrong.ok and "inclusion proof" in wrong.reason


@pytest.mark.parametrize("text", [
    "c2sp.org/tlog-proof@v2\nindex 1\n\ncheckpoint\n",
    "c2sp.org/tlog-proof@v1\n\ncheckpoint\n",
    "c2sp.org/tlog-proof@v1\nindex 01\n\ncheckpoint\n",
    "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\ncheckpoint\n",
    "c2sp.org/tlog-proof@v1\nindex 1\n",
])
def test_a_malformed_proof_is_refused(text: str) -> None:
    with pytest.raises(MalformedNoteError):
        parse_tlog_proof(text)


def test_a_cosignature_dated_past_the_spec_limit_fails_the_check_without_raising() -> None:
    signed = checkpoint()
    line = cosign(signed, WITNESSES["bpk"], 1)
    too_late = NoteSignature(line.name, line.key_id,
                             (2**64 - 1).to_bytes(8, "big") + line.signature[8:])
    verdict = check_checkpoint(signed.with_cosignatures([too_late]).text,
                               parse_policy(audit_policy()))
    assert not verdict.ok
    assert "forged" in verdict.reason
