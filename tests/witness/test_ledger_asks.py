"""The ledger asks witnesses through its command line, and verifiers decide by policy: two
witnesses on loopback co-sign a growing journal; the tamper of issue 20 (edit an event, rebuild,
delete the stored checkpoints) passes plain ``verify`` but not ``verify --policy``; a witness
that takes files co-signs offline, round trip through the CLI."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cli_run import run_cli

from ledger.journal.checkpoint import new_private_key
from scenario import covered_member
from storage.log_index import open_ledger
from storage.settings import settings_from_url
from witness.app import make_server
from witness.config import load_config
from witness.core import Witness

ORIGIN = "jamsos.tangerangkota.go.id/ledger"


@dataclass
class Setting:
    """A ledger on a throwaway SQLite store, its key and origin, and its witnesses."""

    folder: Path
    url: str
    env: dict[str, str]
    witnesses: dict[str, str] = field(default_factory=dict)  # name -> verifier key
    state: dict[str, Path] = field(default_factory=dict)

    def cli(self, *args: str) -> tuple[int, str, str]:
        done = run_cli(*args, url=self.url, cwd=self.folder, extra_env=self.env)
        assert "Traceback" not in done.stderr, done.stderr
        return done.returncode, done.stdout, done.stderr

    def record(self, *seeds: int) -> None:
        ledger = open_ledger(settings_from_url(self.url))
        try:
            for seed in seeds:
                covered_member(ledger, seed=seed)
        finally:
            ledger.close()

    def new_witness(self, name: str, log_key: str) -> Path:
        """A witness's key and configuration, made with its operator's command."""
        home = self.folder / name
        home.mkdir()
        code, out, err = self.cli("witness", "keygen", f"{name}.example.id/witness",
                                  "--key-file", str(home / "key"))
        assert code == 0, err
        self.witnesses[name] = out.strip()
        self.state[name] = home / "state.json"
        config = home / "witness.conf"
        config.write_text(f"key-file key\nlog {log_key}\nstate state.json\n", encoding="utf-8")
        return config

    def policy(self, quorum: str, *names: str, log_key: str) -> Path:
        lines = [f"log {log_key}", *(f"witness {n} {self.witnesses[n]}" for n in names),
                 f"group quorum {quorum} {' '.join(names)}", "quorum quorum"]
        path = self.folder / f"policy-{quorum}-{'-'.join(names)}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def tamper(self) -> None:
        """What a database superuser can do: edit one event's stored state."""
        connection = sqlite3.connect(self.folder / "ledger.sqlite")
        with connection:
            connection.execute("DROP TRIGGER IF EXISTS ledger_append_only_update")
            # A space after the JSON: the event still reads, its bytes differ.
            connection.execute("UPDATE stored_events SET state = "
                               "CAST(CAST(state AS TEXT) || ' ' AS BLOB) WHERE rowid = 5")
        connection.close()

    def delete_checkpoints(self) -> None:
        connection = sqlite3.connect(self.folder / "ledger.sqlite")
        with connection:
            connection.execute("DELETE FROM ledger_checkpoints")
            connection.execute("DELETE FROM ledger_cosigned_checkpoints")
        connection.close()


@pytest.fixture
def setting(tmp_path: Path) -> Setting:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    made = Setting(tmp_path, url, {"LEDGER_SIGNING_KEY": new_private_key(),
                                   "LEDGER_ORIGIN": ORIGIN})
    code, _, err = made.cli("db", "init")
    assert code == 0, err
    made.record(1, 2)
    return made


@pytest.fixture
def log_key(setting: Setting) -> str:
    code, out, err = setting.cli("journal", "log-key")
    assert code == 0, err
    assert out.startswith(ORIGIN + "+")
    return out.strip()


@pytest.fixture
def two_online(setting: Setting, log_key: str) -> Iterator[Setting]:
    """Two witnesses served on loopback, named in LEDGER_WITNESSES."""
    servers = []
    lines = []
    for name in ("bpk", "inspektorat"):
        server = make_server(Witness(load_config(setting.new_witness(name, log_key))))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        lines.append(f"{name} http://127.0.0.1:{server.port} {setting.witnesses[name]}")
    (setting.folder / "witnesses.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    setting.env["LEDGER_WITNESSES"] = str(setting.folder / "witnesses.txt")
    yield setting
    for server in servers:
        server.shutdown()
        server.server_close()


def _stored_size(state: Path) -> int:
    import json

    return int(json.loads(state.read_text())["logs"][ORIGIN]["size"])


def test_two_witnesses_on_loopback_co_sign_a_growing_journal(two_online: Setting,
                                                             log_key: str) -> None:
    code, out, err = two_online.cli("journal", "witness")
    assert code == 0, err
    assert "OK: witness bpk co-signed" in out and "OK: witness inspektorat co-signed" in out
    first = _stored_size(two_online.state["bpk"])
    two_online.record(3)
    code, out, err = two_online.cli("journal", "witness")
    assert code == 0, err
    grown = _stored_size(two_online.state["bpk"])
    assert grown > first and _stored_size(two_online.state["inspektorat"]) == grown
    code, cosigned, _ = two_online.cli("journal", "cosigned")
    assert code == 0 and cosigned.splitlines()[1] == str(grown)
    assert cosigned.count("bpk.example.id/witness") == 1
    both = two_online.policy("all", "bpk", "inspektorat", log_key=log_key)
    code, out, err = two_online.cli("verify", "--policy", str(both))
    assert code == 0, err
    assert "co-signed by bpk, inspektorat; the quorum 'quorum' holds" in out
    assert out.splitlines()[-1].startswith("OK:")


def test_a_policy_whose_quorum_is_not_met_is_not_trusted(two_online: Setting,
                                                         log_key: str) -> None:
    code, _, err = two_online.cli("journal", "witness")
    assert code == 0, err
    two_online.new_witness("dprd", log_key)  # a key that never co-signed
    needs_dprd = two_online.policy("all", "bpk", "dprd", log_key=log_key)
    code, _, err = two_online.cli("verify", "--policy", str(needs_dprd))
    assert code == 1
    assert "NOT TRUSTED" in err and "does not hold" in err


def test_the_issue_20_tamper_passes_plain_verify_but_not_verify_policy(
    two_online: Setting, log_key: str,
) -> None:
    code, _, err = two_online.cli("journal", "witness")
    assert code == 0, err
    code, kept_outside, _ = two_online.cli("journal", "cosigned")
    (two_online.folder / "cosigned.txt").write_text(kept_outside, encoding="utf-8")
    policy = two_online.policy("any", "bpk", "inspektorat", log_key=log_key)

    two_online.tamper()
    code, _, err = two_online.cli("project", "--rebuild")
    assert code == 0, err
    # The ledger itself will not sign a journal that no longer extends what it signed.
    code, _, err = two_online.cli("journal", "witness")
    assert code == 2 and "no longer matches the checkpoint" in err
    # The cosigned checkpoint still in the database catches it.
    code, _, err = two_online.cli("verify", "--policy", str(policy))
    assert code == 1 and "MISMATCH" in err and "co-signed checkpoint" in err

    two_online.delete_checkpoints()
    code, out, err = two_online.cli("verify")
    assert code == 0 and out.startswith("OK:"), err  # plain verify sees nothing wrong
    code, _, err = two_online.cli("verify", "--policy", str(policy))
    assert code == 1
    assert "NOT TRUSTED: no checkpoint co-signed by witnesses is kept" in err
    code, _, err = two_online.cli("verify", "--policy", str(policy), "--checkpoint",
                                  str(two_online.folder / "cosigned.txt"))
    assert code == 1
    assert "MISMATCH" in err and "root of the co-signed checkpoint" in err
    code, _, err = two_online.cli("journal", "check", "--policy", str(policy))
    assert code == 1 and "NOT TRUSTED" in err
    # Asked again, each witness refuses the rebuilt journal, and the ledger says it is a fork.
    code, _, err = two_online.cli("journal", "witness")
    assert code == 1
    assert "REFUSED: witness bpk refuses (a fork)" in err
    assert "REFUSED: witness inspektorat refuses (a fork)" in err and "FORK" in err


def test_an_offline_witness_co_signs_through_files(setting: Setting, log_key: str) -> None:
    config = setting.new_witness("dprd", log_key)
    (setting.folder / "witnesses.txt").write_text(
        f"dprd offline {setting.witnesses['dprd']}\n", encoding="utf-8")
    setting.env["LEDGER_WITNESSES"] = str(setting.folder / "witnesses.txt")
    request, answer = setting.folder / "request.txt", setting.folder / "answer.txt"

    code, out, err = setting.cli("journal", "witness")
    assert code == 1 and "takes files" in err
    code, out, err = setting.cli("journal", "witness", "--request", str(request),
                                 "--witness", "dprd")
    assert code == 0, err
    code, out, err = setting.cli("witness", "answer", "--config", str(config), str(request),
                                 str(answer))
    assert code == 0, err
    code, out, err = setting.cli("journal", "witness", "--answer", str(answer), "--request",
                                 str(request), "--witness", "dprd")
    assert code == 0 and "OK: witness dprd co-signed" in out, err

    policy = setting.policy("all", "dprd", log_key=log_key)
    code, out, err = setting.cli("journal", "check", "--policy", str(policy))
    assert code == 0 and "the quorum 'quorum' holds" in out, err
    proof = setting.folder / "event.tlog-proof"
    code, out, err = setting.cli("journal", "proof", "--position", "3", "--tlog-proof",
                                 str(proof))
    assert code == 0, err
    leaf = out.strip().rsplit(" ", 1)[-1]
    code, out, err = setting.cli("journal", "check", str(proof), "--policy", str(policy),
                                 "--leaf-hash", leaf)
    assert code == 0 and out.startswith("OK: the event is entry 2"), err
    code, out, err = setting.cli("journal", "check", str(proof), "--policy", str(policy),
                                 "--leaf-hash", "00" * 32)
    assert code == 1 and "REFUSED" in err

    # The same request answered again is refused: the witness already holds that size.
    code, _, err = setting.cli("witness", "answer", "--config", str(config), str(request),
                               str(setting.folder / "again.txt"))
    assert code == 1 and "REFUSED (the witness holds size" in err


def test_witness_serve_answers_the_ledger_over_http(setting: Setting, log_key: str) -> None:
    import subprocess
    import sys

    from bench.server import free_port

    config = setting.new_witness("bpk", log_key)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "witness", "serve", "--config", str(config), "--port",
         str(port)], cwd=setting.folder, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        started = server.stderr.readline()  # the witness says where it listens, then serves
        assert f"on http://127.0.0.1:{port}" in started, started
        (setting.folder / "witnesses.txt").write_text(
            f"bpk http://127.0.0.1:{port} {setting.witnesses['bpk']}\n", encoding="utf-8")
        setting.env["LEDGER_WITNESSES"] = str(setting.folder / "witnesses.txt")
        # The socket is bound before that line is printed: the first request is answered.
        code, out, err = setting.cli("journal", "witness")
        assert code == 0 and "OK: witness bpk co-signed" in out, err
        assert _stored_size(setting.state["bpk"]) > 0
    finally:
        server.terminate()
        server.wait(timeout=30)
