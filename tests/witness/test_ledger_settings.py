"""The ledger's witness settings: its origin (a stated default, set per deployment) and the file
of witnesses it asks, refused line by line in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.errors import ConfigurationError
from storage.settings import (
    DEFAULT_ORIGIN,
    ConfiguredWitness,
    origin_from_environment,
    witnesses_from_environment,
)


def test_the_origin_has_a_stated_default_and_takes_the_deployment_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LEDGER_ORIGIN", raising=False)
    assert origin_from_environment() == DEFAULT_ORIGIN == "claims-ledger.local/ledger"
    monkeypatch.setenv("LEDGER_ORIGIN", "jamsos.tangerangkota.go.id/ledger")
    assert origin_from_environment() == "jamsos.tangerangkota.go.id/ledger"
    monkeypatch.setenv("LEDGER_ORIGIN", "jamsos tangerang")
    with pytest.raises(ConfigurationError, match="one word without spaces"):
        origin_from_environment()


def test_the_witnesses_file_names_each_witness_once_with_a_url_or_offline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.delenv("LEDGER_WITNESSES", raising=False)
    assert witnesses_from_environment() == ()
    listed = tmp_path / "witnesses.txt"
    listed.write_text("# who co-signs\nbpk https://witness.bpk.go.id bpk.go.id/witness+ab+CD\n"
                      "\ndprd offline dprd.example.id/witness+ef+GH  # takes files\n")
    monkeypatch.setenv("LEDGER_WITNESSES", str(listed))
    assert witnesses_from_environment() == (
        ConfiguredWitness("bpk", "https://witness.bpk.go.id", "bpk.go.id/witness+ab+CD"),
        ConfiguredWitness("dprd", "offline", "dprd.example.id/witness+ef+GH"))
    listed.write_text("bpk ftp://witness.bpk.go.id key\n")
    with pytest.raises(ConfigurationError, match="line 1: write NAME URL VERIFIER-KEY"):
        witnesses_from_environment()
    listed.write_text("bpk offline key\nbpk offline key\n")
    with pytest.raises(ConfigurationError, match="line 2: the witness bpk is named twice"):
        witnesses_from_environment()
    monkeypatch.setenv("LEDGER_WITNESSES", str(tmp_path / "missing.txt"))
    with pytest.raises(ConfigurationError, match="cannot read the witnesses file"):
        witnesses_from_environment()
