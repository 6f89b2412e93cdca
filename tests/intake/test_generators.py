"""The generators and the imports agree: what `generate roster` says it planted is exactly what
the import into that programme rejects, rule by rule, whatever the programme's terms."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from api.cli import cli
from ledger.application import Ledger
from scenario import tangerang_terms
from seed.generate import BAD_KINDS


def _invoke(ledger: Ledger, *args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"LEDGER_DATABASE_URL": ledger.settings.url},
                              catch_exceptions=False)


def _said(output: str) -> tuple[int, dict[str, int], dict[str, int]]:
    """What the generator said: bad rows, planted by kind, rejections to expect by rule."""
    text = " ".join(output.split())
    found = re.search(r"good, (\d+) bad \(([^)]*)\)", text)
    assert found, output
    kinds = {k: int(n) for k, n in (p.rsplit(" ", 1) for p in found.group(2).split(", "))}
    rules_found = re.search(r"rejects exactly those (\d+) rows: "
                            r"([a-z\-]+ \d+(?:, [a-z\-]+ \d+)*)", text)
    assert rules_found, output
    rules = {r: int(n) for r, n in (p.rsplit(" ", 1) for p in rules_found.group(2).split(", "))}
    assert int(found.group(1)) == int(rules_found.group(1)) == sum(kinds.values())
    return int(found.group(1)), kinds, rules


@pytest.mark.parametrize(("overrides", "skipped"), [
    ({}, set()),
    ({"occupations": ()}, {"occupation_formal"}),
    ({"occupations": (), "deciles": (1, 10)}, {"occupation_formal", "decile_out_of_range"}),
], ids=["listed-occupations", "no-occupation-list", "every-decile"])
def test_generate_roster_plants_exactly_what_the_import_into_that_programme_rejects(
        ledger: Ledger, tmp_path: Path, overrides: dict[str, Any], skipped: set[str]) -> None:
    ledger.open_programme(tangerang_terms(code="TNG-GEN", **overrides), actor="admin")
    out = tmp_path / "generated.csv"
    done = _invoke(ledger, "generate", "roster", "--program", "TNG-GEN", "--members", "500",
                   "--bad-share", "0.05", "--seed", "3", "-o", str(out))
    assert done.exit_code == 0, done.output
    bad, kinds, rules = _said(done.output)
    assert bad == 25 and set(kinds) == set(BAD_KINDS) - skipped
    if skipped:
        assert "not planted, as these terms accept them" in done.output

    done = _invoke(ledger, "import", "members", str(out), "--program", "TNG-GEN",
                   "--enrolled-on", "2025-03-24")
    assert done.exit_code == 0, done.output
    with (tmp_path / "generated.errors.csv").open(newline="") as handle:
        rejected = Counter(line[-3] for line in list(csv.reader(handle))[1:])
    assert dict(rejected) == rules
    assert len(ledger.enrolment_ids("TNG-GEN")) == 500 - bad


def test_generate_roster_without_a_programme_plants_by_the_terms_its_flags_give(
        ledger: Ledger, tmp_path: Path) -> None:
    ledger.open_programme(tangerang_terms(code="TNG-BEBAS", occupations=()), actor="admin")
    out = tmp_path / "generated.csv"
    done = _invoke(ledger, "generate", "roster", "--region", "36.71", "--members", "400",
                   "--bad-share", "0.05", "-o", str(out))
    assert done.exit_code == 0, done.output
    _, kinds, rules = _said(done.output)
    assert "occupation_formal" not in kinds
    done = _invoke(ledger, "import", "members", str(out), "--program", "TNG-BEBAS",
                   "--enrolled-on", "2025-03-24")
    with (tmp_path / "generated.errors.csv").open(newline="") as handle:
        assert dict(Counter(line[-3] for line in list(csv.reader(handle))[1:])) == rules

    both = _invoke(ledger, "generate", "roster", "--program", "TNG-BEBAS", "--region", "36.71",
                   "--members", "5", "-o", str(tmp_path / "x.csv"))
    assert both.exit_code == 2 and "not both" in both.output
    unknown = _invoke(ledger, "generate", "roster", "--program", "NOPE-1", "--members", "5",
                      "-o", str(tmp_path / "y.csv"))
    assert unknown.exit_code == 2 and "programme-not-found" in unknown.output
    assert not (tmp_path / "y.csv").exists()
