"""C2SP signed-note, tlog-checkpoint and tlog-cosignature against the specifications' own
examples (and the Go ``sumdb/note`` vector the signed-note format comes from)."""

from __future__ import annotations

import base64
import struct

import pytest

from ledger.errors import MalformedNoteError, NoteSignatureInvalidError, UnverifiedNoteError
from ledger.journal.note import (
    COSIGNATURE_V1,
    ED25519,
    MLDSA44_COSIGNATURE,
    NoteSignature,
    SignerKey,
    VerifierKey,
    cosignature_message,
    key_id,
    parse_note,
    sign_note,
    verify_note,
)
from ledger.journal.tlog import (
    CheckpointBody,
    cosign,
    cosignatures,
    open_checkpoint,
    parse_checkpoint,
    parse_checkpoint_body,
    sign_checkpoint,
)

# signed-note, "Verifier keys" example.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1T"
             "nagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")
# golang.org/x/mod/sumdb/note, the package documentation's example (the origin of the format).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
PETER_TEXT = ("If you think cryptography is the answer to your problem,\n"
              "then you don't know what your problem is.\n")
PETER_LINE = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
              "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
ENOCH_LINE = ("\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG0"
              "1oOTGwnWLox33WWd1RvMc+QQ=\n")
# tlog-checkpoint and tlog-cosignature examples.
SOFA_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SOFA_LOG_LINE = ("\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJur"
                 "mRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n")
SOFA_WITNESS_LINE = ("\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrt"
                     "PHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n")


def test_the_spec_verifier_key_reads_back_to_the_same_text_with_its_key_id() -> None:
    key = VerifierKey.parse(SPEC_VKEY)
    assert (key.name, key.type, key.id.hex()) == ("example.com/foo", ED25519, "530d903a")
    assert key.id == key_id(key.name, ED25519, key.public_key)
    assert key.to_text() == SPEC_VKEY


def test_the_spec_note_verifies_against_the_spec_key() -> None:
    note = parse_note(SPEC_NOTE)
    assert note.text == "This is an example message.\n"
    [verified] = verify_note(note, [VerifierKey.parse(SPEC_VKEY)])
    assert verified.signature.name == "example.com/foo"
    assert note.to_text() == SPEC_NOTE


def test_signing_the_go_example_gives_its_published_signature_byte_for_byte() -> None:
    signer = SignerKey.parse(PETER_SKEY)
    assert signer.verifier().to_text() == PETER_VKEY
    assert signer.to_text() == PETER_SKEY
    assert sign_note(PETER_TEXT, signer).to_text() == PETER_TEXT + "\n" + PETER_LINE


def test_a_note_signed_twice_verifies_for_each_key_and_ignores_the_unknown_one() -> None:
    note = parse_note(PETER_TEXT + "\n" + PETER_LINE + ENOCH_LINE)
    enoch = VerifierKey.parse(ENOCH_VKEY)
    [verified] = verify_note(note, [enoch])
    assert verified.key == enoch
    both = verify_note(note, [enoch, VerifierKey.parse(PETER_VKEY)])
    assert {v.key.name for v in both} == {"PeterNeumann", "EnochRoot"}


def test_a_note_signed_by_no_trusted_key_is_refused() -> None:
    with pytest.raises(UnverifiedNoteError):
        verify_note(parse_note(SPEC_NOTE), [VerifierKey.parse(PETER_VKEY)])


def test_a_note_whose_text_was_edited_is_refused_by_its_own_key() -> None:
    edited = SPEC_NOTE.replace("an example", "a forged")
    with pytest.raises(NoteSignatureInvalidError):
        verify_note(parse_note(edited), [VerifierKey.parse(SPEC_VKEY)])


def test_a_key_with_the_same_name_and_another_id_is_not_asked_to_verify() -> None:
    other = SignerKey.generate("example.com/foo").verifier()
    with pytest.raises(UnverifiedNoteError):
        verify_note(parse_note(SPEC_NOTE), [other])


@pytest.mark.parametrize("vkey", [
    "example.com/foo",
    "example.com/foo+530d903a",
    SPEC_VKEY.replace("530d903a", "530d903b"),
    SPEC_VKEY.replace("530d903a", "530D903A"),
    SPEC_VKEY + "!",
    "a b+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
])
def test_a_malformed_verifier_key_is_refused(vkey: str) -> None:
    with pytest.raises(MalformedNoteError):
        VerifierKey.parse(vkey)


@pytest.mark.parametrize("text", [
    "no blank line\n\u2014 k AAAAAAA=\n",
    "text\n\n",
    "text\n\nnot a signature\n",
    "text\n\n\u2014 k not*base64\n",
    "text\n\n\u2014 k AAAAAAA=",
    "bell \x07\n\n\u2014 k AAAAAAA=\n",
])
def test_a_malformed_note_is_refused(text: str) -> None:
    with pytest.raises(MalformedNoteError):
        parse_note(text)


def test_a_note_text_may_hold_blank_lines_and_is_split_at_the_last_one() -> None:
    text = "Ognuno sta solo sul cuor della terra\n\ned \u00e8 subito sera.\n"
    signer = SignerKey.generate("quasimodo.example/salvatore")
    note = parse_note(sign_note(text, signer).to_text())
    assert note.text == text
    verify_note(note, [signer.verifier()])


def test_the_spec_checkpoint_body_reads_and_writes_back() -> None:
    body = parse_checkpoint_body(SOFA_BODY)
    assert (body.origin, body.size, body.extensions) == ("example.com/behind-the-sofa",
                                                         20852163, ())
    assert body.root_hash == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert body.to_text() == SOFA_BODY


def test_the_spec_cosigned_checkpoint_splits_into_the_log_line_and_the_witness_line() -> None:
    checkpoint = parse_checkpoint(SOFA_BODY + "\n" + SOFA_LOG_LINE + SOFA_WITNESS_LINE)
    assert checkpoint.body.size == 20852163
    log, witness = checkpoint.note.signatures
    assert log.name == "example.com/behind-the-sofa"
    assert witness.name == "witness.example.com/w1"
    assert len(log.signature) == 64
    # tlog-cosignature: the example's timestamp is the one its signed message shows.
    assert len(witness.signature) == 8 + 64
    assert struct.unpack(">Q", witness.signature[:8])[0] == 1679315147
    assert checkpoint.text == SOFA_BODY + "\n" + SOFA_LOG_LINE + SOFA_WITNESS_LINE


def test_the_cosigned_message_is_the_spec_example() -> None:
    assert cosignature_message(SOFA_BODY.encode(), 1679315147) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")


@pytest.mark.parametrize("body", [
    "origin\n20852163\n",
    "origin\n020852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "origin\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    "origin\n1\nnot base64\n",
    "origin\n1\nAAAA\n",
    "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
])
def test_a_malformed_checkpoint_body_is_refused(body: str) -> None:
    with pytest.raises(MalformedNoteError):
        parse_checkpoint_body(body)


def test_a_checkpoint_keeps_its_extension_lines_and_a_cosignature_covers_them() -> None:
    log = SignerKey.generate("jamsos.tangerangkota.go.id/ledger")
    body = CheckpointBody(log.name, 7, bytes(range(32)), ("period 2026-11",))
    checkpoint = open_checkpoint(sign_checkpoint(body, log).text, [log.verifier()])
    assert checkpoint.body == body
    witness = SignerKey.generate("bpk.go.id/witness", COSIGNATURE_V1)
    line = cosign(checkpoint, witness, 1_780_000_000)
    cosigned = parse_checkpoint(checkpoint.with_cosignatures([line]).text)
    [verified] = cosignatures(cosigned, [witness.verifier()])
    assert verified.timestamp == 1_780_000_000
    tampered = cosigned.text.replace("period 2026-11", "period 2026-12")
    with pytest.raises(NoteSignatureInvalidError):
        cosignatures(parse_checkpoint(tampered), [witness.verifier()])


def test_a_cosignature_is_not_a_log_signature_of_the_same_key() -> None:
    witness = SignerKey.generate("bpk.go.id/witness", COSIGNATURE_V1)
    as_log = VerifierKey(witness.name, ED25519, witness.verifier().public_key)
    assert as_log.id != witness.verifier().id  # the type byte separates them
    log = SignerKey.generate("jamsos.tangerangkota.go.id/ledger")
    checkpoint = sign_checkpoint(CheckpointBody(log.name, 1, bytes(32)), log)
    cosigned = checkpoint.with_cosignatures([cosign(checkpoint, witness, 5)])
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(cosigned.text, [as_log])


def test_an_ml_dsa_44_cosignature_signs_the_subtree_message_with_the_cosigner_name() -> None:
    log = SignerKey.generate("jamsos.tangerangkota.go.id/ledger")
    witness = SignerKey.generate("bpk.go.id/witness-pq", MLDSA44_COSIGNATURE)
    vkey = VerifierKey.parse(witness.verifier().to_text())
    assert len(vkey.public_key) == 1312
    checkpoint = sign_checkpoint(CheckpointBody(log.name, 3, bytes(32)), log)
    line = cosign(checkpoint, witness, 1_780_000_000)
    assert len(line.signature) == 8 + 2420
    [verified] = cosignatures(checkpoint.with_cosignatures([line]), [vkey])
    assert verified.timestamp == 1_780_000_000
    renamed = NoteSignature(line.name, line.key_id, line.signature[:8] + bytes(2420))
    with pytest.raises(NoteSignatureInvalidError):
        cosignatures(checkpoint.with_cosignatures([renamed]), [vkey])


def test_a_line_separator_between_signature_lines_is_not_taken_for_a_newline() -> None:
    joined = PETER_TEXT + "\n" + PETER_LINE.rstrip("\n") + "\u2028" + ENOCH_LINE
    with pytest.raises(MalformedNoteError):
        parse_note(joined)


# A checkpoint published by a public log (Google's arche2025h1 staging CT log) with the
# cosignatures of public witnesses: interoperability beyond our own signatures.
ARCHE_CHECKPOINT = (
    "arche2025h1.staging.ct.transparency.dev\n1432088532\n"
    "U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n\n"
    "\u2014 arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX"
    "6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=\n"
    "\u2014 arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefw"
    "hUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=\n"
    "\u2014 transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/"
    "KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==\n"
    "\u2014 remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVC"
    "IobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==\n")
ARCHE_VKEY = ("arche2025h1.staging.ct.transparency.dev+ba2f06c0+"
              "AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f")
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"


def test_a_public_log_checkpoint_and_a_public_witness_cosignature_verify() -> None:
    checkpoint = open_checkpoint(ARCHE_CHECKPOINT, [VerifierKey.parse(ARCHE_VKEY)])
    assert checkpoint.body.size == 1432088532
    [verified] = cosignatures(checkpoint, [VerifierKey.parse(REMORA_VKEY)])
    assert verified.key.type == COSIGNATURE_V1
    assert verified.timestamp == 1779573024
    forged = ARCHE_CHECKPOINT.replace("1432088532", "1432088533")
    with pytest.raises(NoteSignatureInvalidError):
        cosignatures(parse_checkpoint(forged), [VerifierKey.parse(REMORA_VKEY)])
