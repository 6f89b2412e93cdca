"""The logs as an operator reads them: personal numbers masked everywhere, JSON from the
services, plain quiet output from a command at a terminal, no access line of the dev server."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from cli_run import run_cli

from api.logs import mask
from bench.server import free_port
from storage.log_index import open_ledger
from storage.settings import StoreSettings

NIK = "3671031407900002"
NIK_TOO_LONG = "36710314079000027"  # one digit too many: still a NIK to be masked
KPJ = "25012345678"  # a BPJS member card: 11 digits
ACCOUNT = "1234567890"  # a bank account: 6-20 digits
LONG_NUMBER = re.compile(r"(?<!\d)\d{15,}(?!\d)")


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


# -- what mask() masks, and what it leaves --------------------------------------------------------


def test_a_nik_with_one_digit_too_many_in_a_path_is_masked_keeping_first_and_last_four() -> None:
    assert mask(f"GET /api/v1/members/by-nik/{NIK_TOO_LONG}/history") == \
        "GET /api/v1/members/by-nik/3671*********0027/history"


def test_any_run_of_fifteen_or_more_digits_is_masked_and_fourteen_in_free_text_is_not() -> None:
    assert mask("NIK 367103140790002 salah ketik") == "NIK 3671*******0002 salah ketik"
    assert mask(f"nik={NIK}&x") == "nik=3671********0002&x"
    assert mask("a run of 12345678901234 digits") == "a run of 12345678901234 digits"
    assert mask("99999999999999999999999") == "9999" + "*" * 15 + "9999"


def test_a_kpj_after_its_name_is_masked_to_its_last_four_digits() -> None:
    assert mask(f"KPJ {KPJ} sudah tercatat") == "KPJ *******5678 sudah tercatat"
    assert mask(f"kpj={KPJ}") == "kpj=*******5678"
    assert mask(f'"kpj": "{KPJ}"') == '"kpj": "*******5678"'


def test_an_account_number_after_its_name_or_as_a_path_segment_is_masked() -> None:
    assert mask(f"dibayar ke rekening {ACCOUNT}") == "dibayar ke rekening ******7890"
    assert mask(f"into account no. {ACCOUNT}") == "into account no. ******7890"
    assert mask(f'"account_number": "{ACCOUNT}"') == '"account_number": "******7890"'
    assert mask(f"GET /api/v1/members/by-nik/{ACCOUNT}/history 422") == \
        "GET /api/v1/members/by-nik/******7890/history 422"
    assert mask("rekening 123456") == "rekening ******"  # short ones are masked whole


def test_log_positions_durations_iso_dates_and_ids_are_left_as_they_are() -> None:
    kept = ("projections at position 1000025 after=1000025&limit=500 took 123456.7 ms at "
            "2025-07-14T10:00:00.123+00:00 (2025-07-14) "
            "/api/v1/members/3f2a1234-5678-4abc-9def-123456789012/coverage "
            "request 5e0f1d2c-1111-4222-8333-444455556666 teknik 1234567")
    assert mask(kept) == kept


def test_a_field_named_like_a_personal_number_is_masked_whatever_its_shape() -> None:
    from api.logs import _masked

    masked = _masked({"params": {"nik": "3671 0314 0790 0002", "kpj": int(KPJ),
                                 "account_number": ACCOUNT, "position": 1_000_025,
                                 "batch": 2000, "name": "Siti"}})
    assert masked == {"params": {"nik": "**** **** **** ****", "kpj": "*******5678",
                                 "account_number": "******7890", "position": 1_000_025,
                                 "batch": 2000, "name": "Siti"}}


def test_an_error_logged_with_a_traceback_holding_a_nik_is_written_masked(
        capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from api.logs import configure_logging

    configure_logging(as_json=True)
    try:
        raise ValueError(f"duplicate key (nik)=({NIK_TOO_LONG}) violates a constraint")
    except ValueError:
        logging.getLogger("claims_ledger.projections").exception(
            "projection worker failed on NIK %s", NIK)
    written = capsys.readouterr().err
    [line] = _json_lines(written)
    assert line["message"] == "projection worker failed on NIK 3671********0002"
    assert "(nik)=(3671*********0027)" in line["exception"]
    assert not LONG_NUMBER.search(written)


# -- the command line -----------------------------------------------------------------------------


def test_a_refused_command_at_a_terminal_prints_only_its_error_line(tmp_path: Path) -> None:
    assert run_cli("db", "init", url=None, cwd=tmp_path).returncode == 0
    done = run_cli("history", "--nik", NIK_TOO_LONG, url=None, cwd=tmp_path,
                   extra_env={"LEDGER_LOG_FORMAT": ""})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "Error: NIK must be 16 digits; got 17 [invalid-identity-number]"]
    assert NIK_TOO_LONG not in done.stdout + done.stderr


def test_a_command_that_succeeds_at_a_terminal_writes_nothing_to_stderr(tmp_path: Path) -> None:
    done = run_cli("db", "init", url=None, cwd=tmp_path)
    assert done.returncode == 0 and "ready" in done.stdout
    assert done.stderr == ""


def test_log_format_json_gives_each_command_a_json_line_with_personal_numbers_masked(
        tmp_path: Path) -> None:
    assert run_cli("db", "init", url=None, cwd=tmp_path).returncode == 0
    json_logs = {"LEDGER_LOG_FORMAT": "json"}
    typo = run_cli("history", "--nik", NIK_TOO_LONG, url=None, cwd=tmp_path,
                   extra_env=json_logs)
    account = run_cli("history", "--nik", ACCOUNT, url=None, cwd=tmp_path, extra_env=json_logs)
    reason = run_cli("reconcile", "resolve", "no-such-run", "1", "--reason",
                     f"sudah dibayar ke rekening {ACCOUNT}, KPJ {KPJ}", url=None, cwd=tmp_path,
                     extra_env=json_logs)
    lines = []
    for done in (typo, account, reason):
        assert done.returncode == 2, done.stderr
        [line] = [r for r in _json_lines(done.stderr) if r.get("event") == "command"]
        assert line["outcome"] == "refused" and line["exit_code"] == 2
        assert done.stderr.index("{") < done.stderr.index("Error:")  # the line, then the error
        lines.append(line)
    assert lines[0]["params"]["nik"] == "3671*********0027"
    assert lines[1]["params"]["nik"] == "******7890"
    assert lines[2]["params"]["reason"] == \
        "sudah dibayar ke rekening ******7890, KPJ *******5678"
    everything = typo.stderr + account.stderr + reason.stderr
    for number in (NIK_TOO_LONG, ACCOUNT, KPJ):
        assert number not in everything


def test_an_unknown_log_format_is_refused_in_plain_words(tmp_path: Path) -> None:
    done = run_cli("db", "init", url=None, cwd=tmp_path, extra_env={"LEDGER_LOG_FORMAT": "xml"})
    assert done.returncode == 2
    assert "LEDGER_LOG_FORMAT must be 'json'" in done.stderr and "'xml'" in done.stderr
    assert not (tmp_path / "claims-ledger.sqlite").exists()  # nothing was done


def _start(args: list[str], cwd: Path, stderr: Any) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LEDGER_DATABASE_URL", "LEDGER_LOG_FORMAT")}
    command = shutil.which("claims-ledger", path=str(Path(sys.executable).parent))
    return subprocess.Popen([command or "claims-ledger", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=stderr, text=True)


def test_project_follow_is_a_service_and_logs_json_unasked(tmp_path: Path) -> None:
    assert run_cli("db", "init", url=None, cwd=tmp_path).returncode == 0
    with (tmp_path / "projector.log").open("w+") as log:
        follower = _start(["project", "--follow"], tmp_path, log)
        try:
            assert follower.stdout is not None
            deadline = time.monotonic() + 60
            while "following the log" not in follower.stdout.readline():
                assert follower.poll() is None and time.monotonic() < deadline
            follower.send_signal(signal.SIGTERM)  # what a service manager sends
            assert follower.wait(timeout=30) == 0
        finally:
            if follower.poll() is None:
                follower.kill()
        log.seek(0)
        [line] = [r for r in _json_lines(log.read()) if r.get("event") == "command"]
    assert line["command"] == "project" and line["params"]["follow"] is True


# -- the development server -----------------------------------------------------------------------


def test_serve_logs_each_request_once_masked_and_never_the_servers_access_line(
        sqlite_settings: StoreSettings, tmp_path: Path) -> None:

    ledger = open_ledger(sqlite_settings)
    try:
        token, _ = ledger.issue_token("bpk.inspector", "auditor", actor="test")
    finally:
        ledger.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "serve.log").open("w+") as log:
        env_url = {"LEDGER_DATABASE_URL": sqlite_settings.url}
        server = subprocess.Popen(
            [shutil.which("claims-ledger", path=str(Path(sys.executable).parent))
             or "claims-ledger", "serve", "--port", str(port)],
            cwd=tmp_path, env={**os.environ, **env_url}, stdout=subprocess.DEVNULL,
            stderr=log, text=True)
        try:
            # The old forms with a NIK in the URL: refused (400), and logged masked all the same.
            paths = [f"/api/v1/members?nik={NIK}", f"/api/v1/members/by-nik/{NIK_TOO_LONG}/history",
                     f"/api/v1/members/by-nik/{ACCOUNT}/history"]
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline
                    time.sleep(0.2)
            for path in paths:
                request = urllib.request.Request(base + path,
                                                 headers={"Authorization": f"Bearer {token}"})
                with contextlib.suppress(urllib.error.HTTPError):  # refusals are logged too
                    urllib.request.urlopen(request, timeout=10).close()
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                raw.sendall(f"GET /api/v1/coverage?nik={NIK} HTTP/1.1 junk\r\n\r\n".encode())
                raw.recv(100)
        finally:
            server.terminate()
            server.wait(timeout=30)
        log.seek(0)
        written = log.read()
    requests = [r for r in _json_lines(written) if r.get("event") == "request"]
    assert [r["path"] for r in requests] == [
        "/api/v1/members", "/api/v1/members/by-nik/3671*********0027/history",
        "/api/v1/members/by-nik/******7890/history"]
    assert not LONG_NUMBER.search(written) and ACCOUNT not in written
    assert "HTTP/1.1" not in written  # werkzeug's access line is gone
    assert all(line.startswith("{") for line in written.splitlines()), written
