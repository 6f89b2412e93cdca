"""The roster import at its edges: a real multipart upload to the route, and the command line."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from http_client import Api
from roster_rows import ENROLLED_ON, enrolled_niks, every_kind_of_bad_row, people, write

from api.cli import cli
from ledger.application import Ledger
from ledger.errors import ProgrammeNotFoundError
from scenario import tangerang_terms


def _programmes(ledger: Ledger) -> None:
    try:
        ledger.programme("TNG-2025")
    except ProgrammeNotFoundError:
        ledger.open_programme(tangerang_terms(), actor="admin")
        ledger.open_programme(tangerang_terms(code="TNG-LAIN"), actor="admin")


def _upload(api: Api, path: Path, role: str = "clerk", name: str | None = None) -> object:
    return api.client.post(
        "/api/v1/programs/TNG-2025/rosters", headers=api.auth(role),
        data={"file": (io.BytesIO(path.read_bytes()), name or path.name),
              "enrolled_on": ENROLLED_ON.isoformat(), "register": "DTKS",
              "register_snapshot": "2025-02-01"},
        content_type="multipart/form-data")


def test_a_clerk_uploads_a_roster_and_is_told_every_rejected_row(api: Api,
                                                                 tmp_path: Path) -> None:
    ledger = api.app.extensions["claims_ledger"]
    _programmes(ledger)
    rows, expected = every_kind_of_bad_row(ledger)
    path = write(tmp_path / "roster.xlsx", rows)

    answer = _upload(api, path)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["enrolled"], body["rejected"]) == (4, len(expected))
    assert {e["row"]: e["rule"] for e in body["errors"]} == expected
    assert all("*" in e["nik"] for e in body["errors"] if e["nik"])
    # No reason repeats a row's whole NIK: the answer masks it, so must the words.
    for error in body["errors"]:
        nik = rows[error["row"] - 2][0]
        assert nik not in error["reason_en"] and nik not in error["reason_id"], error

    again = _upload(api, path).get_json()
    assert (again["enrolled"], again["already_enrolled"]) == (0, 4)


def test_a_roster_upload_needs_a_clerk_and_a_readable_file(api: Api, tmp_path: Path) -> None:
    _programmes(api.app.extensions["claims_ledger"])
    path = write(tmp_path / "roster.csv", people(60, 2))
    assert _upload(api, path, role="auditor").status_code == 403
    refused = _upload(api, path, name="roster.pdf")
    assert refused.status_code == 422
    assert refused.headers["Content-Type"] == "application/problem+json"
    no_nik = tmp_path / "bad.csv"
    no_nik.write_text("Nama,Desil\nBudi,2\n")
    answer = _upload(api, no_nik)
    assert answer.status_code == 422 and "no column NIK" in answer.get_json()["detail"]
    assert enrolled_niks(api.app.extensions["claims_ledger"]) == set()


def _invoke(args: list[str], url: str) -> object:
    return CliRunner().invoke(cli, args, env={"LEDGER_DATABASE_URL": url},
                              catch_exceptions=False)


def test_the_import_command_writes_an_error_file_and_counts_both(ledger: Ledger,
                                                                 tmp_path: Path) -> None:
    _programmes(ledger)
    rows, expected = every_kind_of_bad_row(ledger)
    path = write(tmp_path / "roster.csv", rows)
    done = _invoke(["import", "members", str(path), "--program", "TNG-2025", "--enrolled-on",
                    "2025-03-24", "--register", "DTKS", "--register-date", "2025-02-01"],
                   ledger.settings.url)
    assert done.exit_code == 0, done.output
    assert "rejected" in done.output and "roster.errors.csv" in done.output
    error_rows = (tmp_path / "roster.errors.csv").read_text().splitlines()
    assert error_rows[0].endswith("Baris asal,Aturan,Alasan,Reason")
    assert len(error_rows) == 1 + len(expected)
    assert enrolled_niks(ledger) == {row[0] for row in rows[:4]}


def test_the_import_command_refuses_an_unreadable_file_with_exit_2(ledger: Ledger,
                                                                   tmp_path: Path) -> None:
    _programmes(ledger)
    head = ledger.recorder.max_notification_id()
    bad = tmp_path / "roster.csv"
    bad.write_bytes(b"\x00\x01PK binary junk")
    done = _invoke(["import", "members", str(bad), "--program", "TNG-2025"],
                   ledger.settings.url)
    assert done.exit_code == 2
    assert "binary data" in done.output and "Traceback" not in done.output
    missing = tmp_path / "nama.csv"
    missing.write_text("Nama,Desil\nBudi,2\n")
    done = _invoke(["import", "members", str(missing), "--program", "TNG-2025"],
                   ledger.settings.url)
    assert done.exit_code == 2 and "no column NIK" in done.output
    assert ledger.recorder.max_notification_id() == head


def test_the_generated_roster_carries_every_kind_of_bad_row_and_the_import_finds_them(
        ledger: Ledger, tmp_path: Path) -> None:
    _programmes(ledger)
    out = tmp_path / "generated.csv"
    done = _invoke(["generate", "roster", "--members", "300", "--region", "36.71", "-o",
                    str(out), "--bad-share", "0.05", "--seed", "3", "--occupations",
                    "ojek,juru_parkir,pedagang_kaki_lima,buruh_harian_lepas,pemulung"],
                   ledger.settings.url)
    assert done.exit_code == 0, done.output
    done = _invoke(["import", "members", str(out), "--program", "TNG-2025", "--enrolled-on",
                    "2025-03-24", "--branch", "Cimone"], ledger.settings.url)
    assert done.exit_code == 0, done.output
    with (tmp_path / "generated.errors.csv").open(newline="") as handle:
        errors = list(csv.reader(handle))[1:]
    assert len(errors) == 15  # 5% of 300, every kind at least once
    rules = {line[-3] for line in errors}
    assert {"invalid-identity-number", "invalid-input", "not-eligible", "invalid-row",
            "duplicate-in-file"} <= rules
    assert len(enrolled_niks(ledger)) == 285


def test_two_clerks_uploading_overlapping_rosters_at_once_enrol_every_row_exactly_once(
        api: Api, tmp_path: Path) -> None:
    ledger = api.app.extensions["claims_ledger"]
    _programmes(ledger)
    rows = people(71, 1500)  # two batches of 1,000 each, checked and saved while the other runs
    first = write(tmp_path / "first.csv", rows[:1200])
    second = write(tmp_path / "second.csv", rows[300:])
    answers: dict[str, Any] = {}

    def upload(path: Path) -> None:
        client = api.app.test_client()
        answers[path.name] = client.post(
            "/api/v1/programs/TNG-2025/rosters", headers=api.auth("clerk"),
            data={"file": (io.BytesIO(path.read_bytes()), path.name),
                  "enrolled_on": ENROLLED_ON.isoformat(), "register": "DTKS",
                  "register_snapshot": "2025-02-01"},
            content_type="multipart/form-data")

    threads = [threading.Thread(target=upload, args=(path,)) for path in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    summaries = [answers[name].json for name in ("first.csv", "second.csv")]
    assert [answers[name].status_code for name in ("first.csv", "second.csv")] == [200, 200]
    assert [s["errors"] for s in summaries] == [[], []]  # no batch lost to the other upload
    assert sum(s["enrolled"] for s in summaries) == 1500
    assert sum(s["already_enrolled"] for s in summaries) == 900  # the 900 rows in both files
    enrolments = [ledger.enrolment(i).nik for i in ledger.enrolment_ids("TNG-2025")]
    assert sorted(enrolments) == sorted(row[0] for row in rows)  # each row once
