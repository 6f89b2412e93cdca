"""The demo end to end, as a user runs it: the installed command in a fresh process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storage.log_index import open_ledger
from storage.settings import settings_from_url


def _command() -> list[str]:
    installed = shutil.which("claims-ledger", path=str(Path(sys.executable).parent))
    return [installed] if installed else [sys.executable, "-m", "api"]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DATABASE_URL"}
    done = subprocess.run([*_command(), "demo", "--out", str(out)], capture_output=True,
                          text=True, env=env, cwd=out, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout, out / "claims-ledger.sqlite"


def test_the_demo_prints_the_city_budget_used_in_full_by_5952_members(
    demo_run: tuple[str, Path],
) -> None:
    output, _ = demo_run
    assert "budget Rp999.936.000 used in full by 5.952 members" in output
    assert "10 months x Rp16.800 = Rp999.936.000" in output


def test_the_demo_prints_the_city_grants_of_294_million(demo_run: tuple[str, Path]) -> None:
    output, _ = demo_run
    assert "98 x Rp3.000.000 = Rp294.000.000" in output


def test_the_demo_shows_the_refused_cross_funder_enrolment(demo_run: tuple[str, Path]) -> None:
    output, _ = demo_run
    assert "nik-already-covered" in output
    assert "Kabupaten Tangerang enrols" in output


def test_the_demo_shows_both_ceremonies_with_their_heirs(demo_run: tuple[str, Path]) -> None:
    output, _ = demo_run
    assert "3 Februari 2026" in output and "GOR Nambo Jaya" in output
    assert "10 Februari 2026" in output and "Shangri-La" in output


def test_the_demo_store_holds_every_benefit_rule_figure(demo_run: tuple[str, Path]) -> None:
    _, database = demo_run
    ledger = open_ledger(settings_from_url(f"sqlite:///{database}"))
    try:
        city = ledger.programme("TNG-2025")
        assert len(ledger.enrolment_ids("TNG-2025")) == 5_952
        assert city.committed == city.budget_ceiling == 999_936_000
        grants = ledger.programme("TNG-SANTUNAN-2025")
        assert grants.committed == 294_000_000
        assert len([a for a in grants.payouts.values() if a]) == 98
        log = ledger.recorder.select_notifications(start=1, limit=10**6)
        claims = [ledger.claim(n.originator_id) for n in log if n.topic.endswith("Claim.Filed")]
        on_incidents = sorted(c.entitlement for c in claims if c.incident_id is not None)
        assert on_incidents == [1_000_000, 2_000_000, 3_000_000, 10_000_000, 42_000_000,
                                42_000_000, 42_000_000, 42_000_000, 42_000_000, 68_000_000,
                                70_000_000, 70_000_000]
        assert sum(1 for c in claims if c.status.value == "rejected") == 1
        assert sum(1 for c in claims if c.status.value == "revoked") == 1
        ceremonies = [ledger.handover(n.originator_id) for n in log
                      if n.topic.endswith("Handover.Held")]
        assert sorted(len(h.items) for h in ceremonies) == [2, 4]
    finally:
        ledger.close()


def test_the_demo_prints_a_case_of_every_red_flag_with_its_proof(
    demo_run: tuple[str, Path],
) -> None:
    output, _ = demo_run
    counts = output.split("Audit findings (red flags")[1].split("Findings, with the log")[0]
    cases = {int(m.group(1)): int(m.group(2)) for m in re.finditer(
        r"│ (\d+)\s+│ [^│]+│ \w+\s+│\s+(\d+) │", counts) if int(m.group(2))}
    assert sorted(cases) == list(range(1, 11))


def test_the_demo_tells_members_apart_by_the_short_id_the_documents_print(
    demo_run: tuple[str, Path],
) -> None:
    output, _ = demo_run
    claims = output.split("Claims on incidents")[1].split("Handover ceremonies")[0]
    shown = re.findall(r"\d{4}\*{8}\d{4} \(([0-9a-f]{8})\)", claims)
    assert len(shown) == len(set(shown)) == 12  # every masked NIK reads 3671********0001
    findings = " ".join(output.split("Findings, with the log")[1].split())
    assert len(re.findall(r"NIK \d{4}\*{8}\d{4} \([0-9a-f]{8}[,)]", findings)) >= 8


def test_findings_of_the_demo_name_each_case_with_its_evidence(
    demo_run: tuple[str, Path],
) -> None:
    import json

    _, database = demo_run
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DATABASE_URL"}
    done = subprocess.run([*_command(), "findings", "--json"], capture_output=True, text=True,
                          timeout=300, check=True,
                          env={**env, "LEDGER_DATABASE_URL": f"sqlite:///{database}"})
    report = json.loads(done.stdout)
    details = "\n".join(item["detail"] for item in report["items"])
    assert {item["flag"] for item in report["items"]} == set(range(1, 11))
    assert all(item["positions"] for item in report["items"])
    for expected in ("died on 2025-06-02, yet 6 later month(s) (2025-07 to 2025-12)",
                     "NIK tidak ditemukan dalam database kependudukan",
                     "by KABTNG-2025 and TNG-2025", "died 70 days later",
                     "2026-02, which is not paid", "jkm_death + city_death_grant",
                     "account Bank BRI ****5507 received Rp9.000.000 for 3 claims",
                     "no payout was recorded then; it was paid on 2026-02-10",
                     "the budget works out at Rp17.000 a member a month",
                     "its approval was revoked after payment; Rp42.000.000 to recover",
                     "filed and approved by kasi.jamsos.dinsos"):
        assert expected in details, expected


def _topics(database: Path) -> list[tuple[str, int]]:
    ledger = open_ledger(settings_from_url(f"sqlite:///{database}"))
    try:
        log = ledger.recorder.select_notifications(start=1, limit=10**6)
        return [(n.topic, n.originator_version) for n in log]
    finally:
        ledger.close()


def test_the_demo_is_deterministic(demo_run: tuple[str, Path], tmp_path: Path) -> None:
    first, first_database = demo_run
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DATABASE_URL"}
    again = subprocess.run([*_command(), "demo", "--out", str(tmp_path)], capture_output=True,
                           text=True, env=env, timeout=300, check=True).stdout

    def figures(text: str) -> list[str]:
        # The tables before the refusals (whose messages carry record ids), without timing and
        # without the members' short ids (record ids are random).
        lines = text.split("Refused, as the rules require")[0].splitlines()
        timing = re.compile(r" in \d+\.\d s$")
        short_id = re.compile(r"\([0-9a-f]{8}\)")
        return [short_id.sub("(id)", timing.sub("", line)) for line in lines
                if not line.startswith("store:")]

    assert figures(first) == figures(again)
    assert _topics(first_database) == _topics(tmp_path / "claims-ledger.sqlite")


def test_the_demo_signs_its_journal_head_and_verify_passes_then_fails_on_a_tampered_copy(
    demo_run: tuple[str, Path], tmp_path: Path,
) -> None:
    import shutil as files
    import sqlite3

    output, database = demo_run
    assert "Journal head" in output and "verify: verified" in output
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DATABASE_URL"}
    checkpoint = database.parent / "checkpoint.txt"
    ok = subprocess.run([*_command(), "verify", "--checkpoint", str(checkpoint)],
                        capture_output=True, text=True, timeout=300, check=False,
                        env={**env, "LEDGER_DATABASE_URL": f"sqlite:///{database}"})
    assert ok.returncode == 0 and ok.stdout.startswith("OK:"), ok.stderr
    copy = tmp_path / "tampered.sqlite"
    files.copyfile(database, copy)
    connection = sqlite3.connect(copy)
    with connection:
        connection.execute("DROP TRIGGER ledger_append_only_update")
        connection.execute("UPDATE stored_events SET state = CAST(state AS TEXT) || ' ' "
                           "WHERE rowid = 1000")
    connection.close()
    bad = subprocess.run([*_command(), "verify", "--checkpoint", str(checkpoint)],
                         capture_output=True, text=True, timeout=300, check=False,
                         env={**env, "LEDGER_DATABASE_URL": f"sqlite:///{copy}"})
    assert bad.returncode == 1
    assert "MISMATCH at position 1000" in bad.stderr
