"""Export and restore: the same stored bytes, the same journal root, the same projections;
a non-empty ledger or a damaged file is refused and nothing changes."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from projection_digest import digest

from ledger.application import Ledger
from projections.journal import Journal
from projections.runner import Projector
from projections.witnessing import Witnessing
from storage.archive import (
    ExportFileError,
    RestoreOntoNonEmptyError,
    export_log,
    read_manifest,
    restore_log,
)
from storage.log_index import open_ledger
from storage.settings import StoreSettings

ORIGIN = "jamsos.tangerangkota.go.id/ledger"

def _projected(settings: StoreSettings) -> tuple[dict[str, str], bytes, bool]:
    """(projection digest, journal root, verify ok) of a store, its projections rebuilt."""
    ledger = open_ledger(settings)
    projector = Projector(ledger)
    try:
        projector.rebuild()
        journal = Journal(ledger, projector.connection, projector.live)
        return (digest(projector.connection, projector.live), journal.head().root,
                journal.verify().ok)
    finally:
        projector.close()
        ledger.close()


def _events(settings: StoreSettings) -> int:
    ledger = open_ledger(settings)
    try:
        return int(ledger.recorder.max_notification_id() or 0)
    finally:
        ledger.close()


def _export(settings: StoreSettings, story: Callable[[Ledger], str], target: Path) -> None:
    ledger = open_ledger(settings)
    try:
        story(ledger)
        export_log(ledger, target)
    finally:
        ledger.close()


def _restore(settings: StoreSettings, source: Path) -> None:
    ledger = open_ledger(settings)
    try:
        with source.open(encoding="utf-8") as lines:
            restore_log(ledger, lines)
    finally:
        ledger.close()


def test_export_then_restore_gives_the_same_root_and_projections(
        store_settings: StoreSettings, empty_store: StoreSettings,
        story: Callable[[Ledger], str], tmp_path: Path) -> None:
    exported = tmp_path / "ledger.jsonl"
    _export(store_settings, story, exported)
    with exported.open(encoding="utf-8") as lines:
        manifest = read_manifest(lines)
    original_digest, original_root, _ = _projected(store_settings)
    assert manifest.count > 20 and manifest.checkpoints == 1
    assert manifest.root == original_root.hex()

    _restore(empty_store, exported)

    restored_digest, restored_root, verified = _projected(empty_store)
    assert restored_root == original_root
    assert restored_digest == original_digest
    assert verified  # the restored checkpoint is signed and matches the restored log
    ledger = open_ledger(empty_store)
    try:  # the restored log is the ledger's own: records read and new events follow on
        assert ledger.programme("TNG-2025").code == "TNG-2025"
        secret, _ = ledger.issue_token("after.restore", "clerk", actor="test")
        assert ledger.authenticate(secret) is not None
        assert int(ledger.recorder.max_notification_id() or 0) > manifest.head
    finally:
        ledger.close()


def test_restore_onto_a_non_empty_database_is_refused(
        store_settings: StoreSettings, story: Callable[[Ledger], str], tmp_path: Path) -> None:
    exported = tmp_path / "ledger.jsonl"
    _export(store_settings, story, exported)
    before = _events(store_settings)
    with pytest.raises(RestoreOntoNonEmptyError, match="already holds"):
        _restore(store_settings, exported)
    assert _events(store_settings) == before


def _damaged_copies(exported: Path, folder: Path) -> dict[str, Path]:
    lines = exported.read_text(encoding="utf-8").splitlines(keepends=True)
    copies: dict[str, Path] = {}

    def write(name: str, text: str) -> None:
        copies[name] = folder / f"{name}.jsonl"
        copies[name].write_text(text, encoding="utf-8")

    write("truncated at a line", "".join(lines[: len(lines) // 2]))
    write("cut mid-line", "".join(lines)[: -len(lines[-1]) // 2])
    at = next(i for i, line in enumerate(lines) if '"state"' in line) + 2  # after the keys
    event = json.loads(lines[at])
    state = bytearray(base64.b64decode(event["state"]))
    state[-1] ^= 1
    event["state"] = base64.b64encode(bytes(state)).decode()
    write("one byte changed", "".join([*lines[:at], json.dumps(event) + "\n",
                                       *lines[at + 1:]]))
    write("a line dropped", "".join([*lines[:at], *lines[at + 1:]]))
    write("a key dropped", "".join([*lines[:1], *lines[2:]]))
    write("not an export", "NIK,NAME\n3671084612900001,Siti\n")
    write("garbage line", "".join([*lines[:3], "{not json\n", *lines[3:]]))
    return copies


def test_a_truncated_or_altered_export_is_refused_and_leaves_the_database_empty(
        store_settings: StoreSettings, empty_store: StoreSettings,
        story: Callable[[Ledger], str], tmp_path: Path) -> None:
    exported = tmp_path / "ledger.jsonl"
    _export(store_settings, story, exported)
    for damage, damaged in _damaged_copies(exported, tmp_path).items():
        with pytest.raises(ExportFileError) as refused:
            _restore(empty_store, damaged)
        assert "Traceback" not in str(refused.value), damage
        assert _events(empty_store) == 0, damage
    _restore(empty_store, exported)  # and the whole file still restores afterwards
    assert _events(empty_store) == _events(store_settings)


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = shutil.which("claims-ledger", path=str(Path(sys.executable).parent))
    prefix = [command] if command else [sys.executable, "-m", "api"]
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    env.pop("LEDGER_CIPHER_KEY", None)
    return subprocess.run([*prefix, *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_the_commands_export_restore_and_refuse_with_exit_code_2(
        sqlite_settings: StoreSettings, story: Callable[[Ledger], str], tmp_path: Path) -> None:
    ledger = open_ledger(sqlite_settings)
    try:
        story(ledger)
    finally:
        ledger.close()
    source, exported = sqlite_settings.url, tmp_path / "out.jsonl"
    done = _cli(source, "export", "-o", str(exported))
    assert done.returncode == 0, done.stderr
    root = read_manifest(exported.open(encoding="utf-8")).root
    assert root in done.stdout

    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    assert _cli(target, "db", "init").returncode == 0
    restored = _cli(target, "restore", str(exported))
    assert restored.returncode == 0, restored.stderr
    assert f"journal root {root} (matches the export)" in " ".join(restored.stdout.split())

    again = _cli(target, "restore", str(exported))
    assert again.returncode == 2
    assert "a restore goes only into an empty ledger" in " ".join(again.stderr.split())
    assert "Traceback" not in again.stderr
    verified = _cli(target, "verify")
    assert verified.returncode == 0 and root in verified.stdout

    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    assert _cli(fresh, "db", "init").returncode == 0
    (tmp_path / "half.jsonl").write_text(exported.read_text()[: exported.stat().st_size // 2])
    broken = _cli(fresh, "restore", str(tmp_path / "half.jsonl"))
    assert broken.returncode == 2 and "truncated" in broken.stderr
    assert "Traceback" not in broken.stderr
    assert _events(StoreSettings(fresh, "sqlite", {**sqlite_settings.env,
                                                   "SQLITE_DBNAME": str(tmp_path / "fresh.sqlite")
                                                   })) == 0


def _witnessed(settings: StoreSettings, signing_key: str, policy_witness: str,
               ask: Callable[[Witnessing], None]) -> Any:
    """Open the store's journal caught up, run ``ask`` on it, give its policy report."""
    from ledger.journal.policy import parse_policy

    ledger = open_ledger(settings)
    projector = Projector(ledger)
    try:
        projector.catch_up()
        service = Witnessing(Journal(ledger, projector.connection, projector.live), ORIGIN)
        ask(service)
        policy = parse_policy(f"log {service.log_key(signing_key).to_text()}\n"
                              f"witness bpk {policy_witness}\nquorum bpk\n")
        return service.verify_with_policy(policy)
    finally:
        projector.close()
        ledger.close()


def test_a_restored_store_keeps_its_cosignatures_and_still_verifies_by_policy(
        store_settings: StoreSettings, empty_store: StoreSettings,
        story: Callable[[Ledger], str], tmp_path: Path) -> None:
    from ledger.journal.checkpoint import new_private_key
    from ledger.journal.tlog import log_signer
    from storage.settings import ConfiguredWitness
    from witness.app import make_server
    from witness.core import Witness, WitnessConfig, witness_key

    signing_key = new_private_key()
    key = witness_key("bpk.example.id/witness")
    witness = Witness(WitnessConfig(key, {ORIGIN: [log_signer(signing_key, ORIGIN).verifier()]},
                                    tmp_path / "bpk" / "state.json"))
    server = make_server(witness)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bpk = ConfiguredWitness("bpk", f"http://127.0.0.1:{server.port}", key.verifier().to_text())

    def co_sign(service: Witnessing) -> None:
        [outcome] = service.ask([bpk], service.checkpoint(signing_key))
        assert outcome.ok, outcome.message

    exported = tmp_path / "ledger.jsonl"
    try:
        _export(store_settings, story, tmp_path / "first.jsonl")  # the story, recorded
        assert _witnessed(store_settings, signing_key, bpk.key, co_sign).ok
        ledger = open_ledger(store_settings)
        try:
            manifest = export_log(ledger, exported)
        finally:
            ledger.close()
    finally:
        server.shutdown()
        server.server_close()
    assert manifest.cosigned == 1
    # A file whose cosigned line was dropped is refused: its manifest counts one.
    lines = exported.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = tmp_path / "dropped.jsonl"
    dropped.write_text("".join(line for line in lines if not line.startswith('{"cosigned"')))
    with pytest.raises(ExportFileError, match="0 co-signed checkpoints but its manifest says"):
        _restore(empty_store, dropped)
    assert _events(empty_store) == 0
    _restore(empty_store, exported)
    restored = _witnessed(empty_store, signing_key, bpk.key, lambda _service: None)
    assert restored.ok, restored.verdict.reason
    assert restored.verdict.cosigned_by == ("bpk",)
