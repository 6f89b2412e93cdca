"""``claims-ledger findings drift``: the decided claims whose amount would differ under the rule
set in force on a day, printed as the other findings are (and as JSON), on SQLite and
PostgreSQL, run as a user runs it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from cli_run import run_cli

from ledger.application import Ledger
from ledger.benefits import CURRENT_RULES_VERSION, Benefit
from ledger.incident import IncidentKind
from ledger.rule_sets import TEST_RULE_SET
from scenario import decided_claim
from storage.settings import StoreSettings

TEST_SET = {"LEDGER_RULE_BOOK": "with-test-set"}


def _two_claims(ledger: Ledger) -> tuple[str, str]:
    """A JKM death (Rp42.000.000) and three months of STMB (Rp3.000.000), both decided."""
    return (decided_claim(ledger, 31, IncidentKind.DEATH, date(2025, 8, 20), Benefit.JKM_DEATH,
                          work_related=False),
            decided_claim(ledger, 32, IncidentKind.ACCIDENT, date(2025, 6, 2),
                          Benefit.JKK_TEMPORARY_INCAPACITY, work_related=True, months=3))


def test_drift_prints_each_claim_that_differs_with_both_figures_and_versions(
        ledger: Ledger, store_settings: StoreSettings, tmp_path: Path) -> None:
    jkm, stmb = _two_claims(ledger)
    shown = run_cli("findings", "drift", "--on", "2026-07-01", url=store_settings.url,
                    cwd=tmp_path, extra_env=TEST_SET)
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert ("decided claims recomputed under the rule set in force on 1 Juli 2026, "
            f"'{TEST_RULE_SET.version}'") in text
    assert "This rule set is the test set (LEDGER_RULE_BOOK=with-test-set)" in text
    [row] = [line for line in shown.stdout.splitlines() if jkm in line]
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    assert cells[0] == jkm and cells[1:4] == ["TNG-2025", "jkm death", "Rp42.000.000"]
    assert cells[5:7] == ["Rp47.000.000", "+Rp5.000.000"]
    assert CURRENT_RULES_VERSION.split()[0] in cells[4]
    assert stmb not in shown.stdout  # months 1-3 are 100% of the wage under both sets
    assert ("1 of 2 decided claims would be paid another amount under "
            f"'{TEST_RULE_SET.version}': +Rp5.000.000 in all.") in text


def test_drift_as_json_gives_both_figures_and_the_difference(
        ledger: Ledger, store_settings: StoreSettings, tmp_path: Path) -> None:
    jkm, _ = _two_claims(ledger)
    shown = run_cli("findings", "drift", "--on", "2026-07-01", "--json",
                    url=store_settings.url, cwd=tmp_path, extra_env=TEST_SET)
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert (report["rule_version"], report["decided"], report["total_difference"]) == (
        TEST_RULE_SET.version, 2, 5_000_000)
    assert [(i["claim_id"], i["decided_amount"], i["decided_version"], i["recomputed_amount"],
             i["difference"]) for i in report["items"]] == [
        (jkm, 42_000_000, CURRENT_RULES_VERSION, 47_000_000, 5_000_000)]


def test_under_the_real_rule_book_no_claim_it_decided_drifts(
        ledger: Ledger, store_settings: StoreSettings, tmp_path: Path) -> None:
    _two_claims(ledger)
    shown = run_cli("findings", "drift", "--on", "2026-07-01", url=store_settings.url,
                    cwd=tmp_path, extra_env={"LEDGER_RULE_BOOK": "real"})
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert (f"None of the 2 decided claims would be paid another amount under "
            f"'{CURRENT_RULES_VERSION}'.") in text
    assert "test set" not in text


def test_bad_days_and_options_before_drift_are_refused_in_words(
        sqlite_settings: StoreSettings, tmp_path: Path) -> None:
    url = sqlite_settings.url
    before = run_cli("findings", "drift", "--on", "2019-12-01", url=url, cwd=tmp_path,
                     extra_env=TEST_SET)
    assert before.returncode == 2 and before.stderr.startswith(
        "Error: no benefit rule set is in force on 2019-12-01: the first, "
        f"'{CURRENT_RULES_VERSION}'")
    assert before.stderr.rstrip().endswith("[no-rule-set-in-force]")
    malformed = run_cli("findings", "drift", "--on", "1 Juli 2026", url=url, cwd=tmp_path)
    assert malformed.returncode == 2
    assert "'1 Juli 2026' does not match the format '%Y-%m-%d'" in malformed.stderr
    misplaced = run_cli("findings", "--program", "TNG-2025", "drift", url=url, cwd=tmp_path)
    assert misplaced.returncode == 2
    assert "give the options after 'drift'" in misplaced.stderr
    unknown_book = run_cli("findings", "drift", url=url, cwd=tmp_path,
                           extra_env={"LEDGER_RULE_BOOK": "pp-2030"})
    assert unknown_book.returncode == 2 and "LEDGER_RULE_BOOK must be" in unknown_book.stderr
    for done in (before, malformed, misplaced, unknown_book):
        assert "Traceback" not in done.stderr


def test_findings_and_findings_drift_each_log_one_command_line(
        sqlite_settings: StoreSettings, tmp_path: Path) -> None:
    json_logs = {"LEDGER_LOG_FORMAT": "json", **TEST_SET}
    for words in (("findings",), ("findings", "drift")):
        done = run_cli(*words, url=sqlite_settings.url, cwd=tmp_path, extra_env=json_logs)
        assert done.returncode == 0, done.stderr
        lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
        assert [line["command"] for line in lines if line.get("event") == "command"] == [
            " ".join(words)]
