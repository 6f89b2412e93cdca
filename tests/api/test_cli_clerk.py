"""What a new clerk hits at the command line: a database that is not there, an enrolment date
outside the programme, a member's history by the id the findings give."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from cli_run import run_cli
from click.testing import CliRunner
from http_client import Api
from roster_rows import open_programmes, people, write

from api.cli import cli
from ledger.application import Ledger
from ledger.identity import mask_nik
from ledger.incident import IncidentKind
from scenario import CLERK, covered_member
from storage.log_index import open_ledger
from storage.settings import settings_from_url

#: Commands a clerk or auditor runs first, each of which must open the database.
FIRST_COMMANDS = [("findings",), ("history", "--program", "TNG-2025"), ("status",),
                  ("report", "audit", "--program", "TNG-2025", "-o", "audit.pdf"),
                  ("token", "create", "--role", "clerk", "--name", "siti")]


@pytest.mark.parametrize("command", FIRST_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_sqlite_database_that_is_not_there_is_one_plain_error_and_no_file_is_made(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "nowhere.sqlite"
    done = run_cli(*command, url=f"sqlite:///{missing}", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"Error: there is no ledger database at {missing}; run 'claims-ledger db init'" in \
        done.stderr
    assert "Traceback" not in done.stderr and not missing.exists()


@pytest.mark.postgres
@pytest.mark.parametrize("command", FIRST_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_postgresql_database_that_is_not_there_is_one_plain_error_with_the_servers_reason(
        postgres_database: str, tmp_path: Path, command: tuple[str, ...]) -> None:
    absent = postgres_database.rsplit("/", 1)[0] + "/claims_ledger_no_such_database"
    done = run_cli(*command, url=absent, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, done.stderr
    assert "cannot reach the database" in errors[0] and "does not exist" in errors[0]
    assert "Traceback" not in done.stderr


def test_an_unreachable_server_is_one_plain_error_for_every_command(tmp_path: Path) -> None:
    for command in FIRST_COMMANDS:
        done = run_cli(*command, url="postgresql://postgres@127.0.0.1:1/nowhere", cwd=tmp_path)
        assert done.returncode == 2, (command, done.stderr)
        assert "Error: cannot reach the database PostgreSQL 127.0.0.1:1/nowhere" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_ledger_made_unreachable_is_a_ledger_error_not_a_driver_traceback() -> None:
    from ledger.errors import StoreUnavailableError
    from storage.settings import StoreSettings

    settings = settings_from_url("postgresql://postgres@127.0.0.1:1/nowhere")
    quick = StoreSettings(settings.url, settings.backend,
                          {**settings.env, "POSTGRES_CONNECT_TIMEOUT": "1"})
    with pytest.raises(StoreUnavailableError, match="cannot reach the database"):
        open_ledger(quick)


def test_an_enrolment_date_outside_the_programme_is_one_refusal_and_nothing_is_recorded(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    roster = write(tmp_path / "roster.csv", people(76, 3))
    head = ledger.recorder.max_notification_id()
    done = CliRunner().invoke(cli, ["import", "members", str(roster), "--program", "TNG-2025",
                                    "--enrolled-on", "2024-03-24"],
                              env={"LEDGER_DATABASE_URL": ledger.settings.url},
                              catch_exceptions=False)
    assert done.exit_code == 2
    assert done.output.count("Error:") == 1
    assert ("the enrolment date 2024-03-24 is outside the period of programme TNG-2025, "
            "2025-03-01 to 2025-12-31") in " ".join(done.output.split())
    assert ledger.recorder.max_notification_id() == head
    assert not (tmp_path / "roster.errors.csv").exists()


def test_an_upload_with_an_enrolment_date_outside_the_programme_is_one_422(
        api: Api, tmp_path: Path) -> None:
    ledger = api.app.extensions["claims_ledger"]
    open_programmes(ledger)
    roster = write(tmp_path / "roster.csv", people(77, 2))
    head = ledger.recorder.max_notification_id()
    answer = api.client.post(
        "/api/v1/programs/TNG-2025/rosters", headers=api.auth("clerk"),
        data={"file": (io.BytesIO(roster.read_bytes()), "roster.csv"),
              "enrolled_on": "2026-01-05"}, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "outside the period of programme TNG-2025" in answer.get_json()["detail"]
    assert ledger.recorder.max_notification_id() == head


def test_history_of_a_member_by_the_id_findings_give_holds_every_event_a_finding_cites(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'claims-ledger.sqlite'}"
    assert run_cli("db", "init", url=url, cwd=tmp_path).returncode == 0
    app = open_ledger(settings_from_url(url))
    try:
        member = covered_member(app)  # paid March-December, never sent to the register
        app.report_incident(member.id, IncidentKind.DEATH, date(2025, 6, 2), "Periuk", "",
                            work_related=False, actor=CLERK)
        other = covered_member(app, seed=8)
    finally:
        app.close()
    report = json.loads(run_cli("findings", "--json", url=url, cwd=tmp_path).stdout)
    cited = [item for item in report["items"] if item["members"] == [str(member.id)]]
    assert {item["rule"] for item in cited} >= {"paid-after-death-or-move",
                                                "identity-not-matched"}
    for given in (str(member.id), str(member.id)[:8]):
        shown = run_cli("history", "--member", given, "--json", url=url, cwd=tmp_path)
        assert shown.returncode == 0, shown.stderr
        positions = {event["position"] for event in json.loads(shown.stdout)["events"]}
        for item in cited:
            assert set(item["positions"]) <= positions, item["rule"]
    text = run_cli("history", "--member", str(member.id)[:8], url=url, cwd=tmp_path).stdout
    assert "Contribution.Paid" in text and "Incident.Reported" in text
    assert str(other.id) not in run_cli("history", "--member", str(member.id), "--json",
                                        url=url, cwd=tmp_path).stdout
    unknown = run_cli("history", "--member", "0000000z", url=url, cwd=tmp_path)
    assert unknown.returncode == 2 and "not a member id" in unknown.stderr

    # The findings say which member each masked NIK is, as the documents do.
    findings = " ".join(run_cli("findings", url=url, cwd=tmp_path).stdout.split())
    assert f"{mask_nik(member.nik)} ({str(member.id)[:8]})" in findings
    assert f"{mask_nik(other.nik)} ({str(other.id)[:8]})" in findings


def test_the_postgresql_quick_start_starts_the_projector_with_the_api() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Running with PostgreSQL")[1].split("\n## ")[0]
    block = section.split("```sh\n")[1].split("```")[0]
    commands = [line.split("#")[0].strip() for line in block.splitlines()]
    assert "claims-ledger project --follow &" in commands  # else /coverage stays at position 0
    started = commands.index("claims-ledger project --follow &")
    assert started < next(i for i, c in enumerate(commands) if c.startswith("gunicorn"))
