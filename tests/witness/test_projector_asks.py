"""The projector asks the witnesses, on both stores: on its schedule (LEDGER_WITNESS_EVERY) and
after a programme's period is closed, keeping their cosignatures; a witness that is down never
stops the projections, and is said in one log line."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.journal.checkpoint import new_private_key
from ledger.journal.tlog import log_signer
from projections.journal import Journal
from projections.runner import Projector
from projections.witness_schedule import WitnessSchedule, schedule_from_environment
from projections.witnessing import Witnessing
from scenario import covered_member
from storage.settings import ConfiguredWitness
from witness.app import make_server
from witness.core import Witness, WitnessConfig, witness_key

ORIGIN = "jamsos.tangerangkota.go.id/ledger"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def signing_key() -> str:
    return new_private_key()


@pytest.fixture
def bpk(tmp_path: Path, signing_key: str) -> Iterator[ConfiguredWitness]:
    """The BPK's witness, served on loopback."""
    log = log_signer(signing_key, ORIGIN).verifier()
    key = witness_key("bpk.example.id/witness")
    server = make_server(Witness(WitnessConfig(key, {ORIGIN: [log]}, tmp_path / "state.json")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield ConfiguredWitness("bpk", f"http://127.0.0.1:{server.port}", key.verifier().to_text())
    server.shutdown()
    server.server_close()


@pytest.fixture
def projector(ledger: Ledger) -> Iterator[Projector]:
    covered_member(ledger, seed=1)
    running = Projector(ledger)
    running.catch_up()
    yield running
    running.close()


def cosigned_sizes(projector: Projector) -> list[int]:
    kept = Witnessing(Journal(projector.ledger, projector.connection, projector.live), ORIGIN)
    return sorted(int(text.split("\n")[1]) for text in kept.cosigned())


def test_the_projector_asks_on_its_schedule_and_not_before_it_is_due(
        projector: Projector, bpk: ConfiguredWitness, signing_key: str) -> None:
    clock = Clock()
    schedule = WitnessSchedule(ORIGIN, signing_key, [bpk], every=3600, clock=clock)
    [first] = schedule(projector)
    assert first.ok, first.message
    head = projector.position()
    assert cosigned_sizes(projector) == [head]
    covered_member(projector.ledger, seed=2)
    projector.catch_up()
    clock.now += 3599
    assert schedule(projector) == []  # not due yet: nothing asked
    assert cosigned_sizes(projector) == [head]
    clock.now += 1
    [again] = schedule(projector)
    assert again.ok, again.message
    assert cosigned_sizes(projector) == [head, projector.position()]


def test_a_period_closed_is_co_signed_at_once_without_a_schedule(
        projector: Projector, bpk: ConfiguredWitness, signing_key: str) -> None:
    schedule = WitnessSchedule(ORIGIN, signing_key, [bpk], every=None, clock=Clock())
    schedule.seen = projector.position()  # the projector started here
    covered_member(projector.ledger, seed=2)
    projector.catch_up()
    assert schedule(projector) == []  # no schedule, no close: nobody is asked
    projector.ledger.close_programme("TNG-2025", date(2026, 1, 31), "the period ended",
                                     actor="admin")
    projector.catch_up()
    [outcome] = schedule(projector)
    assert outcome.ok, outcome.message
    assert cosigned_sizes(projector) == [projector.position()]


def test_a_witness_that_is_down_is_said_in_one_line_and_the_projector_goes_on(
        projector: Projector, signing_key: str, caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = ConfiguredWitness("bpk", f"http://127.0.0.1:{port}", witness_key(
        "bpk.example.id/witness").verifier().to_text())
    schedule = WitnessSchedule(ORIGIN, signing_key, [down], every=0.0, clock=Clock())
    stop = threading.Event()
    caplog.set_level(logging.WARNING, logger="claims_ledger.witnessing")
    follower = threading.Thread(target=projector.follow, args=(stop,),
                                kwargs={"poll_seconds": 0.05, "after_catch_up": schedule})
    follower.start()
    try:
        covered_member(projector.ledger, seed=2)
        head = int(projector.ledger.recorder.max_notification_id() or 0)
        assert projector.wait_for(head, timeout=60)  # projected although the witness is down
    finally:
        stop.set()
        follower.join()
    said = [r.getMessage() for r in caplog.records if r.name == "claims_ledger.witnessing"]
    assert said, "the witness that is down was not said"
    assert all(line.count("\n") == 0 for line in said)
    assert f"witness bpk cannot be reached at http://127.0.0.1:{port}" in said[0]
    assert cosigned_sizes(projector) == []


def test_no_witness_configured_means_no_schedule(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.delenv("LEDGER_WITNESSES", raising=False)
    monkeypatch.setenv("LEDGER_WITNESS_EVERY", "60")
    assert schedule_from_environment() is None
    listed = tmp_path / "witnesses.txt"
    listed.write_text("bpk https://witness.bpk.go.id bpk.go.id/witness+00000000+BA==\n")
    monkeypatch.setenv("LEDGER_WITNESSES", str(listed))
    monkeypatch.setenv("LEDGER_SIGNING_KEY", new_private_key())
    schedule = schedule_from_environment()
    assert schedule is not None and schedule.every == 60
    monkeypatch.setenv("LEDGER_WITNESS_EVERY", "soon")
    with pytest.raises(Exception, match="LEDGER_WITNESS_EVERY must be a number of seconds"):
        schedule_from_environment()
