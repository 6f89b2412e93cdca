"""The demo end to end, as a user runs it: the installed command in a fresh process."""

from __future__ import annotations

import json
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
        # ... and the Jakarta Barat children's 2025/2026 scholarship years: TK-SD Rp1.500.000,
        # SMP Rp2.000.000, SMA Rp3.000.000.
        # Case I's STMB month by month: months 1-12 at Rp1.000.000, month 13 at Rp500.000.
        assert on_incidents == [500_000, *[1_000_000] * 12, 1_000_000, 1_500_000, 2_000_000,
                                2_000_000, 3_000_000, 3_000_000, 10_000_000, 42_000_000,
                                42_000_000, 42_000_000, 42_000_000, 42_000_000, 68_000_000,
                                70_000_000, 70_000_000]
        assert sum(1 for c in claims if c.status.value == "rejected") == 1
        assert sum(1 for c in claims if c.status.value == "revoked") == 1
        ceremonies = [ledger.handover(n.originator_id) for n in log
                      if n.topic.endswith("Handover.Held")]
        # Nambo Jaya: 4 heirs; Shangri-La: 2 death benefits and the 3 scholarship years.
        assert sorted(len(h.items) for h in ceremonies) == [4, 5]
    finally:
        ledger.close()


def test_the_demo_prints_the_jakarta_barat_scholarships_and_what_the_programme_still_owes(
    demo_run: tuple[str, Path],
) -> None:
    output, _ = demo_run
    schedule = output.split("Scholarships of the heirs' children, JAKBAR-2025")[1]
    schedule = schedule.split("Refused, as the rules require")[0]
    for child, line in (("Zahra Hidayati", "JKM │ 2025/2026 │ smp"),
                        ("Fikri Maulana Said", "JKK │ 2025/2026 │ sma"),
                        ("Nur Aini Saidah", "JKK │ 2025/2026 │ tk_sd")):
        assert child in schedule and line in " ".join(schedule.split()), child
    # What is left of each child's Rp87.000.000 after the year paid.
    for left in ("Rp85.000.000", "Rp84.000.000", "Rp85.500.000"):
        assert left in schedule
    owed = " ".join(schedule.split("JAKBAR-2025: paid, and still owed from 20 Mei 2026")[1]
                    .split())
    # Paid: JKM Rp42.000.000 + JKK Rp70.000.000 + the three years Rp6.500.000.
    assert "Paid on claims (every benefit) │ Rp118.500.000" in owed
    # 2026/2027: Zahra's SMP year 2, Fikri's SMA year 2, Nur Aini's TK-SD year 2.
    assert "Scholarships 2026/2027 (3 children) │ Rp6.500.000" in owed
    assert "Scholarships 2038/2039 (1 child) │ Rp12.000.000" in owed
    # A grade a year from each child's age to 23 (ledger.scholarship_outlook): Zahra (born
    # 21 August 2012) 2 SMP + 3 SMA + 5 university years, Rp73.000.000; Fikri (3 October
    # 2009) 2 SMA + 5 university, Rp66.000.000; Nur Aini (17 April 2016) 3 TK-SD + 3 SMP +
    # 3 SMA + 4 university (her 23rd birthday ends the fifth), Rp67.500.000.
    assert f"Still owed │ Rp{73_000_000 + 66_000_000 + 67_500_000:,}".replace(",", ".") in owed


def test_the_demo_s_jkk_case_runs_stmb_past_month_12_decided_by_another_and_paid(
    demo_run: tuple[str, Path],
) -> None:
    from pdf_text import squeezed, text_of

    output, database = demo_run
    ledger = open_ledger(settings_from_url(f"sqlite:///{database}"))
    try:
        log = ledger.recorder.select_notifications(start=1, limit=10**6)
        months = [ledger.claim(n.originator_id) for n in log if n.topic.endswith("Claim.Filed")]
        months = [c for c in months if c.benefit.value == "jkk_stmb_month"]
        by_month = {c.facts["month"]: c for c in months}
        assert sorted(by_month) == list(range(1, 14))
        # docs/domain.md section 4: month 12 at 100% of the Rp1.000.000 band, month 13 at 50%.
        assert (by_month[12].approved_amount, by_month[13].approved_amount) == (
            1_000_000, 500_000)
        assert by_month[13].facts["percent"] == 50
        for claim in months:
            assert claim.approved_by and claim.approved_by != claim.filed_by
            assert claim.disbursed == claim.approved_amount
    finally:
        ledger.close()
    owed = " ".join(output.split("TNG-2025: paid, and still owed from 20 Mei 2026")[1].split())
    assert ("STMB month 14 from 14 Mei 2026 at 50% (accident of 14 April 2025, 13 months "
            "claimed, no end recorded) │ Rp500.000") in owed
    audit = squeezed(text_of((database.parent / "laporan-audit-TNG-2025.pdf").read_bytes()))
    assert squeezed("JKK (STMB satu bulan) BPJS 13 Rp12.500.000 Rp12.500.000 Rp12.500.000 "
                    "Rp0") in audit
    assert squeezed("Kecelakaan 14 April 2025: 13 bulan diklaim; bulan ke-14 mulai 14 Mei "
                    "2026 (50% upah) Rp500.000") in audit


def test_the_tangerang_jkm_death_under_3_years_gets_no_scholarship_and_its_dossier_says_why(
    demo_run: tuple[str, Path],
) -> None:
    from pdf_text import text_of

    output, database = demo_run
    assert "a scholarship for the child of B" in output and "scholarship-not-granted" in output
    [dossier] = database.parent.glob("berkas-klaim-*.pdf")
    text = text_of(dossier.read_bytes())
    assert "JKM (kematian)" in text
    assert ("Beasiswa anak: tidak diberikan. Kematian yang bukan karena kecelakaan kerja (JKM) "
            "memberi beasiswa bila kepesertaan paling singkat 3 tahun; kepesertaan mulai "
            "24 Maret 2025, sehingga 3 tahun baru genap pada 24 Maret 2028, sesudah kematian "
            "pada 2 Juni 2025") in text


def test_the_jakarta_barat_minutes_and_audit_report_list_the_scholarship_lines(
    demo_run: tuple[str, Path],
) -> None:
    from pdf_text import squeezed, text_of

    _, database = demo_run
    minutes = squeezed(text_of((database.parent / "berita-acara-2026-02-10.pdf").read_bytes()))
    for line in ("Zahra Hidayati, SMP 2025/2026", "Fikri Maulana Said, SMA 2025/2026",
                 "Nur Aini Saidah, TK-SD 2025/2026"):
        assert squeezed(line) in minutes, line
    assert squeezed("Jumlah seluruhnya (2 penerima) Rp118.500.000") in minutes
    audit = squeezed(text_of((database.parent / "laporan-audit-JAKBAR-2025.pdf").read_bytes()))
    assert squeezed("Beasiswa anak ahli waris") in audit
    assert squeezed("2025/2026 SMP disetujui Rp2.000.000 Rp2.000.000") in audit
    assert squeezed("Zahra Hidayati: Sisa hak Rp85.000.000") in audit
    assert squeezed("Masih terutang Rp206.500.000") in audit


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
    # Every masked NIK reads 3671********0001: 13 members told apart by their short id, one
    # of them (case I) on each of its 13 STMB months.
    assert len(set(shown)) == 13 and len(shown) == 12 + 13
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


def _event_rows(database: Path) -> list[tuple[bytes, int, str, bytes]]:
    import sqlite3

    connection = sqlite3.connect(database)
    try:
        return connection.execute("SELECT originator_id, originator_version, topic, state "
                                  "FROM stored_events ORDER BY rowid").fetchall()
    finally:
        connection.close()


def _short_ids(text: str) -> list[str]:
    return re.findall(r"\(([0-9a-f]{8})\)", text)


def _recorded_days(database: Path) -> list[str]:
    ledger = open_ledger(settings_from_url(f"sqlite:///{database}"))
    try:
        log = ledger.recorder.select_notifications(start=1, limit=10**6)
        return [ledger.mapper.to_domain_event(n).timestamp.isoformat() for n in log]
    finally:
        ledger.close()


def test_the_demo_records_its_year_on_the_story_dates_never_going_back(
    demo_run: tuple[str, Path],
) -> None:
    _, database = demo_run
    stamps = _recorded_days(database)
    assert stamps == sorted(stamps)  # the log's recorded times never go backwards
    assert stamps[0] == "2025-01-02T02:00:00+00:00"  # 09:00 WIB, the first programme opened
    assert stamps[-1].startswith("2026-05-20T")  # case I's thirteenth STMB month paid
    days = {stamp[:10] for stamp in stamps}
    assert {"2025-03-24", "2025-06-10", "2026-02-03", "2026-02-10"} <= days
    # Office hours in WIB (UTC+7): 09:00 to 17:00 is 02:00 to 10:00 UTC.
    assert all("02:00" <= stamp[11:16] < "10:00" for stamp in stamps)


def test_the_readme_prints_the_demos_journal_root(demo_run: tuple[str, Path]) -> None:
    output, _ = demo_run
    [root] = re.findall(r"root ([0-9a-f]{64})", output)
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert f"root {root}" in readme, (
        f"the demo's journal root is now {root}: a change to the demo's story or to the event "
        "schema changes it; explain the change and put the new root in the README")


def _cli(database: Path, *arguments: str, book: str | None = None,
         ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LEDGER_DATABASE_URL", "LEDGER_RULE_BOOK")}
    if book is not None:
        env["LEDGER_RULE_BOOK"] = book
    return subprocess.run([*_command(), *arguments], capture_output=True, text=True,
                          timeout=300, check=False,
                          env={**env, "LEDGER_DATABASE_URL": f"sqlite:///{database}",
                               "COLUMNS": "250"})


def test_findings_drift_on_the_demo_lists_the_claims_the_test_rule_set_would_pay_otherwise(
    demo_run: tuple[str, Path],
) -> None:
    _, database = demo_run
    real = _cli(database, "findings", "drift", "--on", "2026-07-01", "--json")
    assert real.returncode == 0, real.stderr
    assert json.loads(real.stdout)["items"] == []  # one real set decided every claim
    # The README's command.
    shown = _cli(database, "findings", "drift", "--on", "2026-07-01", "--json",
                 book="with-test-set")
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    # Three JKM deaths (+Rp5.000.000), two JKK deaths (+Rp2.000.000), a TK-SD year
    # (+Rp500.000), case I's STMB month 13 (+Rp100.000): the test set of 1 July 2026.
    assert (report["decided"], report["total"], report["total_difference"]) == (
        128, 7, 19_600_000)
    assert sorted((c["benefit"], c["difference"]) for c in report["items"]) == [
        ("jkk_death", 2_000_000), ("jkk_death", 2_000_000), ("jkk_stmb_month", 100_000),
        ("jkm_death", 5_000_000), ("jkm_death", 5_000_000), ("jkm_death", 5_000_000),
        ("scholarship_year", 500_000)]
    assert report["not_recomputed"] == []


def test_history_as_of_1_july_2025_shows_the_contributions_paid_by_then_and_none_after(
    demo_run: tuple[str, Path],
) -> None:
    _, database = demo_run
    done = _cli(database, "history", "--program", "TNG-2025", "--as-of", "2025-07-01", "--json")
    assert done.returncode == 0, done.stderr
    import json

    booked = [e for e in json.loads(done.stdout)["events"]
              if e["type"] == "Programme.ContributionBooked"]
    assert [e["data"]["months"] for e in booked] == [["2025-03"], ["2025-04"], ["2025-05"],
                                                     ["2025-06"]]
    everything = _cli(database, "history", "--program", "TNG-2025", "--json")
    later = [e for e in json.loads(everything.stdout)["events"]
             if e["type"] == "Programme.ContributionBooked"]
    assert len(later) == 10


def test_the_audit_report_as_of_1_july_2025_shows_only_the_sp2ds_paid_by_then(
    demo_run: tuple[str, Path], tmp_path: Path,
) -> None:
    from pdf_text import text_of

    _, database = demo_run
    texts = {}
    for day in ("2025-07-01", "2025-12-31"):
        out = tmp_path / f"audit-{day}.pdf"
        done = _cli(database, "report", "audit", "--program", "TNG-2025", "--as-of", day,
                    "-o", str(out))
        assert done.returncode == 0, done.stderr
        texts[day] = text_of(out.read_bytes())
    july, december = texts["2025-07-01"], texts["2025-12-31"]
    paid_by_july = [f"SP2D/0{m:02d}/BPKAD/2025" for m in (3, 4, 5, 6)]
    paid_later = [f"SP2D/0{m:02d}/BPKAD/2025" for m in range(7, 13)]
    assert all(sp2d in july for sp2d in paid_by_july)
    assert not any(sp2d in july for sp2d in paid_later)
    assert all(sp2d in december for sp2d in paid_by_july + paid_later)


def test_the_audit_report_covered_on_1_july_2025_shows_the_sp2ds_03_to_06_and_says_its_time(
    demo_run: tuple[str, Path], tmp_path: Path,
) -> None:
    from pdf_text import text_of

    _, database = demo_run
    texts = {}
    for option, lang in (("--covered-on", "id"), ("--covered-on", "en"), ("--as-of", "id"),
                         ("--as-of", "en")):
        out = tmp_path / f"audit{option}-{lang}.pdf"
        done = _cli(database, "report", "audit", "--program", "TNG-2025", option, "2025-07-01",
                    "--lang", lang, "-o", str(out))
        assert done.returncode == 0, done.stderr
        texts[option, lang] = " ".join(text_of(out.read_bytes()).split())
    covered = texts["--covered-on", "id"]
    assert all(f"SP2D/0{m:02d}/BPKAD/2025" in covered for m in (3, 4, 5, 6))
    assert not any(f"SP2D/0{m:02d}/BPKAD/2025" in covered for m in range(7, 13))
    assert "berlaku per 1 Juli 2025" in covered
    assert "covered on 1 July 2025" in texts["--covered-on", "en"]
    assert "sebagaimana diketahui ledger pada 1 Juli 2025" in texts["--as-of", "id"]
    assert "as the ledger knew it on 1 July 2025" in texts["--as-of", "en"]
    assert "berlaku per" not in texts["--as-of", "id"]
    both = _cli(database, "report", "audit", "--program", "TNG-2025", "--as-of", "2025-07-01",
                "--covered-on", "2025-07-01", "-o", str(tmp_path / "both.pdf"))
    assert both.returncode == 2 and "not both" in both.stderr


def test_history_and_audit_before_the_first_event_say_the_ledger_knew_nothing_yet(
    demo_run: tuple[str, Path], tmp_path: Path,
) -> None:
    _, database = demo_run
    history = _cli(database, "history", "--program", "TNG-2025", "--as-of", "2024-12-31")
    assert history.returncode == 2
    said = " ".join(history.stderr.split())
    assert ("nothing was recorded by the end of 2024-12-31 (WIB), so the ledger knew nothing "
            "yet as of that day: its first event was recorded on 2025-01-02") in said
    audit = _cli(database, "report", "audit", "--program", "TNG-2025", "--as-of", "2024-12-31",
                 "-o", str(tmp_path / "audit.pdf"))
    assert audit.returncode == 2
    assert "its first event was recorded on 2025-01-02" in " ".join(audit.stderr.split())
    assert not (tmp_path / "audit.pdf").exists()
    known = _cli(database, "history", "--program", "TNG-2025", "--as-of", "2025-07-01")
    assert "as the ledger knew it on 1 Juli 2025 (recorded by the end of that day, WIB" in (
        " ".join(known.stdout.split()))


def test_history_covered_on_a_day_shows_what_took_effect_by_then_as_known_now(
    demo_run: tuple[str, Path],
) -> None:
    import json

    _, database = demo_run
    # The dossier's claim is B's: died on Monday 2 June 2025, reported the next day.
    [dossier] = database.parent.glob("berkas-klaim-*.pdf")
    prefix = dossier.stem.rsplit("-", 1)[1]
    ledger = open_ledger(settings_from_url(f"sqlite:///{database}"))
    try:
        log = ledger.recorder.select_notifications(start=1, limit=10**6)
        [claim_id] = {str(n.originator_id) for n in log if n.topic.endswith("Claim.Filed")
                      and str(n.originator_id).startswith(prefix)}
    finally:
        ledger.close()
    effective = _cli(database, "history", "--claim", claim_id, "--covered-on", "2025-06-02",
                     "--json")
    assert effective.returncode == 0, effective.stderr
    covered = json.loads(effective.stdout)
    assert covered["time"] == "effective"
    assert [e["type"] for e in covered["events"]] == ["Incident.Reported"]  # occurred that day
    recorded = json.loads(_cli(database, "history", "--claim", claim_id, "--as-of",
                               "2025-06-02", "--json").stdout)
    assert recorded["time"] == "recorded" and recorded["events"] == []  # reported on 3 June
    both = _cli(database, "history", "--claim", claim_id, "--as-of", "2025-06-02",
                "--covered-on", "2025-06-02")
    assert both.returncode == 2 and "give one of" in both.stderr


def test_the_demo_refuses_a_folder_holding_other_files_and_replaces_an_earlier_demos(
    demo_run: tuple[str, Path], tmp_path: Path,
) -> None:
    from ledger.errors import InvalidInputError
    from seed.demo import clear_demo_folder

    mine = tmp_path / "notes.txt"
    mine.write_text("keep me")
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DATABASE_URL"}
    refused = subprocess.run([*_command(), "demo", "--out", str(tmp_path)], capture_output=True,
                             text=True, env=env, timeout=300, check=False)
    assert refused.returncode == 2
    assert "notes.txt" in refused.stderr and "choose another folder" in refused.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    for name in ("claims-ledger.sqlite", "checkpoint.txt", "berkas-klaim-0badcafe.pdf"):
        (earlier / name).write_text("an earlier demo's")
    clear_demo_folder(earlier)
    assert list(earlier.iterdir()) == []  # no stale dossier beside the new one
    someones = tmp_path / "someones"
    someones.mkdir()
    (someones / "claims-ledger.sqlite").write_text("a real ledger, perhaps")
    with pytest.raises(InvalidInputError, match="may be a real ledger"):
        clear_demo_folder(someones)
    assert (someones / "claims-ledger.sqlite").exists()


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
    # Same input, same bytes: the log, the checkpoint and every document.
    assert _event_rows(first_database) == _event_rows(tmp_path / "claims-ledger.sqlite")
    assert _short_ids(first) == _short_ids(again)
    for name in ("checkpoint.txt", "checkpoint-cosigned.txt", "demo-policy.txt",
                 "laporan-audit-TNG-2025.pdf", "laporan-audit-JAKBAR-2025.pdf",
                 "berita-acara-2026-02-03.pdf",
                 "berita-acara-2026-02-10.pdf"):
        assert (first_database.parent / name).read_bytes() == (tmp_path / name).read_bytes(), name
    [dossier] = first_database.parent.glob("berkas-klaim-*.pdf")
    assert dossier.read_bytes() == (tmp_path / dossier.name).read_bytes()


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
    files.copyfile(database.with_suffix(".key"), copy.with_suffix(".key"))  # its master key
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


def test_the_demo_s_witness_co_signs_its_head_and_verify_by_its_policy_passes(
    demo_run: tuple[str, Path],
) -> None:
    from pdf_text import text_of

    output, database = demo_run
    said = " ".join(output.split())
    assert ("Witness: the demo witness witness.demo.claims-ledger.local co-signed the C2SP "
            "checkpoint of 24.416 events on 20 Mei 2026 09:00 WIB") in said
    policy = database.parent / "demo-policy.txt"
    assert "quorum demo" in policy.read_text()
    checked = _cli(database, "verify", "--policy", str(policy))
    assert checked.returncode == 0, checked.stderr
    assert "co-signed by demo; the quorum 'demo' holds" in checked.stdout
    outside = _cli(database, "verify", "--policy", str(policy), "--checkpoint",
                   str(database.parent / "checkpoint-cosigned.txt"))
    assert outside.returncode == 0, outside.stderr
    cover = " ".join(text_of((database.parent / "laporan-audit-TNG-2025.pdf").read_bytes())
                     .split())
    assert ("Saksi Ditandatangani bersama oleh demo (20 Mei 2026 09:00 WIB) "
            "Kuorum kebijakan saksi terpenuhi") in cover
    [dossier] = database.parent.glob("berkas-klaim-*.pdf")
    assert ("Saksi Ditandatangani bersama oleh demo (20 Mei 2026 09:00 WIB) "
            "Kuorum kebijakan saksi terpenuhi") in " ".join(text_of(dossier.read_bytes()).split())


def test_an_audit_report_says_who_co_signed_and_whether_the_configured_quorum_holds(
    demo_run: tuple[str, Path], tmp_path: Path,
) -> None:
    from pdf_text import text_of

    from ledger.journal.note import COSIGNATURE_V1, SignerKey

    _, database = demo_run
    policy = database.parent / "demo-policy.txt"
    log_line = next(line for line in policy.read_text().splitlines() if line.startswith("log"))
    bpk = SignerKey.generate("bpk.go.id/witness", COSIGNATURE_V1).verifier().to_text()
    unmet = tmp_path / "bpk-policy.txt"
    unmet.write_text(f"{log_line}\nwitness bpk {bpk}\nquorum bpk\n")

    def cover(*arguments: str, policy_file: Path | None = None) -> str:
        out = tmp_path / "audit.pdf"
        env = {k: v for k, v in os.environ.items()
               if k not in ("LEDGER_DATABASE_URL", "LEDGER_POLICY")}
        if policy_file is not None:
            env["LEDGER_POLICY"] = str(policy_file)
        done = subprocess.run([*_command(), "report", "audit", "--program", "TNG-2025",
                               "-o", str(out), "--force", *arguments], capture_output=True,
                              text=True, timeout=300, check=False,
                              env={**env, "LEDGER_DATABASE_URL": f"sqlite:///{database}"})
        assert done.returncode == 0, done.stderr
        return " ".join(text_of(out.read_bytes()).split())

    english = cover("--lang", "en", policy_file=policy)
    assert "Co-signed by demo (20 May 2026 09:00 WIB)" in english
    assert "Witness policy quorum holds" in english
    unchecked = cover("--lang", "en")
    assert "quorum not checked (LEDGER_POLICY is not set)" in unchecked
    earlier = cover("--position", "20000", policy_file=policy)
    assert ("Ditandatangani bersama oleh demo (20 Mei 2026 09:00 WIB) pada checkpoint "
            "24.416 peristiwa yang memuat checkpoint ini") in earlier
    assert "Kuorum kebijakan saksi terpenuhi" in earlier
    refused = cover(policy_file=unmet)
    assert "belum ada saksi yang menandatangani bersama checkpoint ini" in refused
    assert "Kuorum kebijakan saksi TIDAK terpenuhi" in refused
