"""Witnesses with their own state files, and a log grown with ``ledger.journal.merkle``."""

from __future__ import annotations

from pathlib import Path

import pytest
from growing_log import ORIGIN, Clock, Log, MakeWitness

from ledger.journal.note import SignerKey
from witness.core import Witness, WitnessConfig, witness_key


@pytest.fixture(scope="session")
def log_key() -> SignerKey:
    return SignerKey.generate(ORIGIN)


@pytest.fixture
def log(log_key: SignerKey) -> Log:
    grown = Log(log_key)
    grown.append(5)
    return grown


@pytest.fixture
def make_witness(tmp_path: Path, log_key: SignerKey) -> MakeWitness:
    def make(name: str = "bpk.go.id/witness", key: SignerKey | None = None,
             state: Path | None = None) -> Witness:
        config = WitnessConfig(key or witness_key(name), {ORIGIN: [log_key.verifier()]},
                               state or tmp_path / name.replace("/", "_") / "state.json")
        return Witness(config, Clock())

    return make


@pytest.fixture
def witness(make_witness: MakeWitness) -> Witness:
    return make_witness()
