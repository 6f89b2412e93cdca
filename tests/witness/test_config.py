"""A witness's configuration file, and the ledger's journal key reused as the log's note key."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
from growing_log import ORIGIN, Log

from ledger.errors import ConfigurationError
from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
from ledger.journal.note import COSIGNATURE_V1, MLDSA44_COSIGNATURE, SignerKey
from ledger.journal.tlog import log_signer
from witness.config import load_config, parse_config
from witness.core import Witness


def test_a_configuration_file_names_the_key_the_logs_and_the_state(
        tmp_path: Path, log_key: SignerKey, log: Log) -> None:
    key = SignerKey.generate("bpk.go.id/witness", COSIGNATURE_V1)
    pq = SignerKey.generate("bpk.go.id/witness-pq", MLDSA44_COSIGNATURE)
    (tmp_path / "bpk.key").write_text(key.to_text() + "\n")
    (tmp_path / "bpk-pq.key").write_text(pq.to_text())
    (tmp_path / "witness.conf").write_text(
        "# the BPK witness\nkey-file bpk.key\nextra-key-file bpk-pq.key\n"
        f"log {log_key.verifier()}\nstate state/witness.json\n")
    config = load_config(tmp_path / "witness.conf")
    assert config.key == key and config.extra_keys == (pq,)
    assert dict(config.logs) == {ORIGIN: (log_key.verifier(),)}
    assert config.state == tmp_path / "state" / "witness.json"
    assert Witness(config).handle(log.request(0)).status == 200


@pytest.mark.parametrize("text", [
    "state s.json\n",
    "key-file missing.key\nstate s.json\nlog {log}\n",
    "key-file k\nstate s.json\n",
    "key-file k\nstate s.json\nlog {witness}\n",
    "key-file k\nstate s.json\nlog {log}\nport 8080\n",
    "key-file k\nstate\n",
])
def test_a_configuration_missing_a_part_or_naming_a_wrong_key_is_refused(
        tmp_path: Path, text: str, log_key: SignerKey) -> None:
    key = SignerKey.generate("bpk.go.id/witness", COSIGNATURE_V1)
    (tmp_path / "k").write_text(key.to_text())
    with pytest.raises(ConfigurationError):
        parse_config(text.format(log=log_key.verifier(), witness=key.verifier()), tmp_path)


def test_the_ledger_journal_key_signs_c2sp_checkpoints_with_the_same_public_key() -> None:
    text = new_private_key()
    signer = log_signer(text, ORIGIN)
    assert signer.name == ORIGIN
    expected = public_key_text(private_key(text)).removeprefix("ed25519:")
    assert base64.b64encode(signer.verifier().public_key).decode() == expected
    assert text not in repr(signer) and "seed" not in repr(signer)


def test_a_refused_fork_is_logged_with_the_request_as_evidence(
        witness: Witness, log: Log, caplog: pytest.LogCaptureFixture) -> None:
    assert witness.handle(log.request(0)).status == 200
    log.append(2)
    with caplog.at_level(logging.WARNING, logger="witness"):
        assert witness.handle(log.tampered(0).request(5)).status == 422
    assert "witness-bad-proof" in caplog.text
    assert ORIGIN in caplog.text
