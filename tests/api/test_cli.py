"""The command line as an operator runs it: a fresh process, real stores, plain-words errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import run_cli

from storage.log_index import open_ledger
from storage.settings import settings_from_url


def test_db_init_without_configuration_creates_the_embedded_file(tmp_path: Path) -> None:
    done = run_cli("db", "init", url=None, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "ready" in done.stdout and (tmp_path / "claims-ledger.sqlite").exists()
    again = run_cli("db", "init", url=None, cwd=tmp_path)
    assert again.returncode == 0, again.stderr


@pytest.mark.postgres
def test_db_init_on_postgres_creates_the_tables_and_the_guard(postgres_database: str,
                                                              tmp_path: Path) -> None:
    url = f"{postgres_database}?schema=cli_init"
    done = run_cli("db", "init", url=url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "PostgreSQL" in done.stdout
    app = open_ledger(settings_from_url(url))
    try:
        app.require_initialised()
        assert app.events_table == "ledger_events"
    finally:
        app.close()


def test_a_bad_database_url_is_a_clear_error_with_exit_status_2(tmp_path: Path) -> None:
    done = run_cli("db", "init", url="mysql://root@localhost/x", cwd=tmp_path)
    assert done.returncode == 2
    assert "must start with postgresql:// or sqlite:///" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unreachable_postgres_server_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli("db", "init", url="postgresql://postgres@127.0.0.1:1/nowhere", cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot reach the database" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_answers_the_openapi_document_on_loopback(tmp_path: Path) -> None:
    import json
    import time
    import urllib.request

    from bench.server import free_port

    assert run_cli("db", "init", url=None, cwd=tmp_path).returncode == 0
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DATABASE_URL"}
    command = shutil.which("claims-ledger", path=str(Path(sys.executable).parent))
    server = subprocess.Popen([command or "claims-ledger", "serve", "--port", str(port)],
                              cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1) as answer:
                    document = json.loads(answer.read())
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("claims-ledger serve did not answer")
        assert document["info"]["title"] == "claims-ledger"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_token_create_prints_a_token_once(tmp_path: Path) -> None:
    assert run_cli("db", "init", url=None, cwd=tmp_path).returncode == 0
    made = run_cli("token", "create", "--role", "auditor", "--name", "bpk.inspector", url=None,
                cwd=tmp_path)
    assert made.returncode == 0 and made.stdout.strip().startswith("clt_")
    bad = run_cli("token", "create", "--role", "mayor", "--name", "x", url=None, cwd=tmp_path)
    assert bad.returncode == 2 and "mayor" in bad.stderr


def _small_ledger(tmp_path: Path) -> str:
    from scenario import covered_member

    url = f"sqlite:///{tmp_path / 'claims-ledger.sqlite'}"
    assert run_cli("db", "init", url=url, cwd=tmp_path).returncode == 0
    app = open_ledger(settings_from_url(url))
    try:
        covered_member(app)
    finally:
        app.close()
    return url


def test_project_catches_up_and_rebuild_rebuilds(tmp_path: Path) -> None:
    url = _small_ledger(tmp_path)
    first = run_cli("project", url=url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "applied" in first.stdout and "projections at position" in first.stdout
    again = run_cli("project", "--rebuild", url=url, cwd=tmp_path)
    assert again.returncode == 0 and "rebuilt" in again.stdout


def _first_members_nik(url: str) -> str:
    app = open_ledger(settings_from_url(url))
    try:
        return app.enrolment(app.enrolment_ids("TNG-2025")[0]).nik
    finally:
        app.close()


def test_history_prints_a_niks_events_and_refuses_bad_options(tmp_path: Path) -> None:
    url = _small_ledger(tmp_path)
    nik = _first_members_nik(url)
    shown = run_cli("history", "--nik", nik, url=url, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Enrolment.Enrolled" in shown.stdout and nik not in shown.stdout  # masked
    early = run_cli("history", "--nik", nik, "--position", "1", url=url, cwd=tmp_path)
    assert "Enrolment.Enrolled" not in early.stdout
    both = run_cli("history", "--nik", nik, "--claim", "x", url=url, cwd=tmp_path)
    assert both.returncode == 2 and "exactly one" in both.stderr


def test_history_reads_the_nik_from_standard_input_when_given_as_a_dash(tmp_path: Path) -> None:
    """``--nik -``: the NIK is typed (or piped) in, so that it is in neither the process list
    other users see nor the shell's history."""
    url = _small_ledger(tmp_path)
    nik = _first_members_nik(url)
    typed = run_cli("history", "--nik", "-", url=url, cwd=tmp_path, stdin=f"{nik}\n")
    assert typed.returncode == 0, typed.stderr
    assert typed.stdout == run_cli("history", "--nik", nik, url=url, cwd=tmp_path).stdout
    nothing = run_cli("history", "--nik", "-", url=url, cwd=tmp_path, stdin="")
    assert nothing.returncode == 2
    assert "no NIK was typed on standard input" in nothing.stderr


def test_history_of_a_member_shows_its_kpj_card_by_the_last_four_digits_and_json_whole(
    tmp_path: Path,
) -> None:
    import json

    url = _small_ledger(tmp_path)
    app = open_ledger(settings_from_url(url))
    try:
        member = app.record_kpj(app.enrolment_ids("TNG-2025")[0], "25012345678", "clerk.siti")
    finally:
        app.close()
    shown = run_cli("history", "--member", str(member.id), url=url, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Enrolment.KpjRecorded" in shown.stdout and "kpj=****5678" in shown.stdout
    assert "25012345678" not in shown.stdout and member.nik not in shown.stdout
    as_json = json.loads(run_cli("history", "--member", str(member.id), "--json", url=url,
                                 cwd=tmp_path).stdout)  # the events as recorded, for proofs
    assert {"kpj": "25012345678"}.items() <= next(
        e["data"] for e in as_json["events"] if e["type"] == "Enrolment.KpjRecorded").items()


def test_history_of_a_programme_gives_each_event_its_place_in_the_journal(
    tmp_path: Path,
) -> None:
    import json

    url = _small_ledger(tmp_path)
    shown = run_cli("history", "--program", "TNG-2025", url=url, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Programme.Opened" in shown.stdout and "head (unsigned)" in shown.stdout
    as_json = json.loads(run_cli("history", "--program", "TNG-2025", "--json", url=url,
                              cwd=tmp_path).stdout)
    assert [e["inclusion"]["position"] for e in as_json["events"]] == [
        e["position"] for e in as_json["events"]]
    unknown = run_cli("history", "--program", "NOPE-1", url=url, cwd=tmp_path)
    assert unknown.returncode == 2 and "NOPE-1" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_findings_prints_the_count_per_red_flag_and_each_case(tmp_path: Path) -> None:
    import json

    url = _small_ledger(tmp_path)  # one member, paid, never sent to the population register
    shown = run_cli("findings", url=url, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "NIK never matched to the population register" in shown.stdout
    assert "was never sent to the population register" in shown.stdout
    report = json.loads(run_cli("findings", "--json", url=url, cwd=tmp_path).stdout)
    assert [item["rule"] for item in report["items"]] == ["identity-not-matched"]
    assert len(report["summary"]) == 12
    bad = run_cli("findings", "--rule", "nope", url=url, cwd=tmp_path)
    assert bad.returncode == 2 and "nope" in bad.stderr


def test_journal_commands_sign_prove_and_check(tmp_path: Path) -> None:
    url = _small_ledger(tmp_path)
    made = run_cli("journal", "keygen", url=url, cwd=tmp_path)
    key = made.stdout.splitlines()[0].split("=", 1)[1]
    public = made.stdout.splitlines()[1].split(": ", 1)[1]
    unsigned = run_cli("journal", "checkpoint", url=url, cwd=tmp_path)
    assert unsigned.returncode == 2 and "LEDGER_SIGNING_KEY" in unsigned.stderr
    signed = run_cli("journal", "checkpoint", url=url, cwd=tmp_path,
                     extra_env={"LEDGER_SIGNING_KEY": key})
    assert signed.returncode == 0 and signed.stdout.startswith("claims-ledger checkpoint v1")
    proof = tmp_path / "proof.json"
    proof.write_text(run_cli("journal", "prove", "3", url=url, cwd=tmp_path).stdout)
    checked = run_cli("journal", "check", str(proof), "--public-key", public, url=None,
                      cwd=tmp_path)
    assert checked.returncode == 0 and checked.stdout.startswith("OK: event at position 3")
    keygen = run_cli("journal", "keygen", url=None, cwd=tmp_path)
    other = keygen.stdout.splitlines()[1].split(": ")[1]
    refused = run_cli("journal", "check", str(proof), "--public-key", other, url=None, cwd=tmp_path)
    assert refused.returncode == 2 and "not signed by the trusted key" in refused.stderr
    exported = run_cli("journal", "export", url=url, cwd=tmp_path)
    assert exported.stdout.count("claims-ledger checkpoint v1") == 1
    verified = run_cli("verify", "--public-key", public, url=url, cwd=tmp_path)
    assert verified.returncode == 0 and verified.stdout.startswith("OK:")
