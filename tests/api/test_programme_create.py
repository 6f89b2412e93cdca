"""`claims-ledger programme create`: a clerk opens a programme without a token or the OpenAPI
file, from flags or the README's TOML example, through the same checks and record as the API;
the defaults are the same on both ways in and are said."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from http_client import Api

from api.cli import cli
from ledger.application import Ledger
from ledger.programme import Rate

README = Path(__file__).resolve().parents[2] / "README.md"
FLAGS = ["--code", "TNG-2026", "--name", "Perlindungan Pekerja Rentan 2026", "--funder",
         "Pemerintah Kota Tangerang", "--region", "36.71", "--source", "APBD", "--year", "2026",
         "--covers", "JKK,JKM", "--ceiling", "999.936.000", "--dpa", "DPA-2026",
         "--first-month", "2026-03", "--months", "10"]


def _invoke(ledger: Ledger, *args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"LEDGER_DATABASE_URL": ledger.settings.url},
                              catch_exceptions=False)


def _opened_event(ledger: Ledger, code: str) -> dict[str, Any]:
    programme = ledger.programme(code)
    return {k: v for k, v in vars(programme).items() if not k.startswith("_")
            and k not in ("id", "opened_by")}


def test_programme_create_with_flags_opens_the_programme_the_api_would_and_says_the_defaults(
        api: Api) -> None:
    ledger = api.app.extensions["claims_ledger"]
    done = _invoke(ledger, "programme", "create", *FLAGS, "--as", "admin.dinsos")
    assert done.exit_code == 0, done.output
    text = " ".join(done.output.split())
    assert "opened programme TNG-2026" in text
    assert "JKK Rp10.000 from 2026-03-01, JKM Rp6.800 from 2026-03-01" in text
    assert "occupations: any (no list)" in text and "branches: any (no list)" in text
    assert "rates (the official ones)" in text
    programme = ledger.programme("TNG-2026")
    assert programme.opened_by == "admin.dinsos"
    assert programme.budget_ceiling == 999_936_000 and programme.occupations == []

    # The API, given the same terms in its own words and nothing more, records the same.
    body = {"code": "TNG-2026-API", "name": "Perlindungan Pekerja Rentan 2026",
            "funder_name": "Pemerintah Kota Tangerang", "funder_region": "36.71",
            "funding_source": "APBD", "fiscal_year": 2026, "covers": ["JKK", "JKM"],
            "budget_ceiling": 999_936_000, "dpa_reference": "DPA-2026",
            "first_month": "2026-03", "months": 10}
    answer = api.post("/api/v1/programs", "admin", body)
    assert answer.status_code == 201, answer.json  # no longer a 422 asking for rates
    assert answer.json["rates"] == [
        {"cover": "JKK", "valid_from": "2026-03-01", "amount": 10_000},
        {"cover": "JKM", "valid_from": "2026-03-01", "amount": 6_800}]
    from_cli, from_api = _opened_event(ledger, "TNG-2026"), _opened_event(ledger, "TNG-2026-API")
    assert {k: v for k, v in from_cli.items() if k != "code"} == \
        {k: v for k, v in from_api.items() if k != "code"}


def test_the_readme_toml_example_opens_its_programme_and_a_flag_wins_over_the_file(
        ledger: Ledger, tmp_path: Path) -> None:
    example = re.search(r"```toml\n(.*?)```", README.read_text(), re.S)
    assert example, "the README shows a TOML example"
    terms = tmp_path / "tng-2026.toml"
    terms.write_text(example.group(1))
    done = _invoke(ledger, "programme", "create", "--file", str(terms), "--as", "admin.dinsos",
                   "--months", "11")
    assert done.exit_code == 0, done.output
    programme = ledger.programme("TNG-2026")
    assert programme.months == 11  # the flag
    assert programme.branches == ["Cikokol", "Cimone", "Batuceper"]
    assert programme.deciles == (1, 5) and len(programme.occupations) == 5
    assert programme.rates == [Rate("JKK", date(2026, 1, 1), 10_000),
                               Rate("JKM", date(2026, 1, 1), 6_800)]
    assert programme.opened_on == date(2026, 1, 2) and programme.planned_members == 19_000
    assert "by default (not given): wage band, grace months" in " ".join(done.output.split())


def test_incomplete_or_wrong_terms_are_listed_in_plain_words_and_nothing_is_recorded(
        ledger: Ledger, tmp_path: Path) -> None:
    head = ledger.recorder.max_notification_id()
    missing = _invoke(ledger, "programme", "create", "--code", "TNG-2026", "--year", "2026")
    assert missing.exit_code == 2
    assert "name (--name, or name = ... in the file): required" in missing.output
    assert "budget_ceiling (--ceiling, or budget_ceiling = ... in the file): required" in \
        missing.output
    typo = tmp_path / "typo.toml"
    typo.write_text('code = "TNG-2026"\nbudget_cieling = 5\n')
    wrong = _invoke(ledger, "programme", "create", "--file", str(typo))
    assert wrong.exit_code == 2 and "budget_cieling: Unknown field." in wrong.output
    not_toml = tmp_path / "terms.toml"
    not_toml.write_text("code: TNG-2026\n")
    assert _invoke(ledger, "programme", "create", "--file", str(not_toml)).exit_code == 2
    ceiling = _invoke(ledger, "programme", "create", *FLAGS[:-6], "--ceiling", "sembilan")
    assert ceiling.exit_code == 2 and "not a whole number of rupiah" in ceiling.output
    hidden = _invoke(ledger, "programme", "create", *FLAGS, "--as", "admin\u200b")
    assert hidden.exit_code == 2 and "hidden character" in hidden.output
    assert ledger.recorder.max_notification_id() == head
    opened = _invoke(ledger, "programme", "create", *FLAGS)
    assert opened.exit_code == 0 and ledger.programme("TNG-2026").opened_by == "cli"
    again = _invoke(ledger, "programme", "create", *FLAGS)
    assert again.exit_code == 2 and "already exists [programme-exists]" in again.output


def test_the_openapi_document_states_the_programme_defaults(api: Api) -> None:
    schema = api.get("/api/v1/openapi.json").json["components"]["schemas"]["ProgrammeIn"]
    fields = schema["properties"]
    assert "no restriction" in fields["occupations"]["description"]
    assert "any branch" in fields["branches"]["description"]
    assert "official rates" in fields["rates"]["description"]
    assert fields["wage_band"]["example"] == 1_000_000
    assert fields["budget_ceiling"]["example"] != 16_800


def test_a_programme_keeps_personal_data_ten_years_unless_it_sets_its_own_retention(
        api: Api) -> None:
    ledger = api.app.extensions["claims_ledger"]
    done = _invoke(ledger, "programme", "create", *FLAGS, "--retention-years", "5")
    assert done.exit_code == 0, done.output
    assert "personal data kept 5 years after a member's coverage ends" in \
        " ".join(done.output.split())
    assert ledger.programme("TNG-2026").retention_years == 5
    body = {"code": "TNG-2026-API", "name": "Perlindungan Pekerja Rentan 2026",
            "funder_name": "Pemerintah Kota Tangerang", "funder_region": "36.71",
            "funding_source": "APBD", "fiscal_year": 2026, "covers": ["JKK", "JKM"],
            "budget_ceiling": 999_936_000, "dpa_reference": "DPA-2026",
            "first_month": "2026-03", "months": 10}
    answer = api.post("/api/v1/programs", "admin", body)
    assert answer.status_code == 201 and answer.json["retention_years"] == 10
    assert answer.json["version"] == 1  # the default is the Opened event's alone
    refused = api.post("/api/v1/programs", "admin",
                       {**body, "code": "TNG-2026-X", "retention_years": 31})
    assert refused.status_code == 422
    assert "retention_years" in refused.json["errors"]
