"""``claims-ledger programme create``: open a programme from flags or a TOML file.

The terms go the same way as ``POST /api/v1/programs``: the route's own schema (``ProgrammeIn``)
checks them, the same function makes them :class:`~ledger.programme.ProgrammeTerms`, and
``Ledger.open_programme`` records them. The TOML file uses the route's keys (see the README for
an example); a flag given on the command line wins over the file.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from marshmallow import ValidationError

from api.cli.common import ACTOR, LedgerCommandError, console, ledger_session, refusal
from documents.formatting import number_id
from ledger.errors import LedgerError
from ledger.money import rupiah

#: Flag -> key of the terms, for messages about a missing or wrong value.
FLAGS = {"code": "--code", "name": "--name", "funder_name": "--funder",
         "funder_region": "--region", "funding_source": "--source", "fiscal_year": "--year",
         "covers": "--covers", "budget_ceiling": "--ceiling", "dpa_reference": "--dpa",
         "first_month": "--first-month", "months": "--months", "wage_band": "--wage-band",
         "branches": "--branches", "deciles": "--deciles", "occupations": "--occupations",
         "grace_months": "--grace-months", "planned_members": "--planned-members",
         "opened_on": "--opened-on", "retention_years": "--retention-years"}


#: What a term left out means, as the summary says it.
DEFAULTS = {"rates": "rates (the official ones)", "wage_band": "wage band",
            "branches": "branches (any)", "deciles": "deciles", "occupations": "occupations (any)",
            "grace_months": "grace months", "planned_members": "planned members",
            "opened_on": "opened on (1 January)",
            "retention_years": "retention (10 years after coverage ends)"}


def _rupiah(text: str | None, flag: str) -> int | None:
    """``999.936.000``, ``Rp999.936.000``, ``999_936_000`` or ``999936000``: whole rupiah."""
    if text is None:
        return None
    digits = text.strip().removeprefix("Rp").replace(".", "").replace("_", "").replace(",", "")
    if not digits.isdigit():
        raise click.BadParameter(f"'{text}' is not a whole number of rupiah (e.g. 999.936.000)",
                                 param_hint=flag)
    return int(digits)


def _listed(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _deciles(text: str | None) -> list[int] | None:
    if text is None:
        return None
    low, _, high = text.partition("-")
    try:
        return [int(low), int(high or low)]
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a range like 1-4",
                                 param_hint="--deciles") from None


def _from_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise LedgerCommandError(f"there is no file '{path}'") from None
    except tomllib.TOMLDecodeError as error:
        raise LedgerCommandError(f"'{path.name}' is not a TOML file the command can read: "
                                 f"{error}") from None


def _problems(messages: Any, where: str = "") -> list[str]:
    """marshmallow's nested messages as 'key: what' lines, named as the clerk wrote them."""
    if isinstance(messages, dict):
        found: list[str] = []
        for key, inner in messages.items():
            name = f"{where}.{key}" if where else str(key)
            found += _problems(inner, name)
        return found
    text = "; ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
    label = f"{where} ({FLAGS[where]}, or {where} = ... in the file)" if where in FLAGS \
        else where
    if text == "Missing data for required field.":
        text = "required"
    return [f"{label}: {text}"]


def _summary(programme: Any, defaulted: list[str]) -> str:
    rates = ", ".join(f"{r.cover} {rupiah(r.amount)} from {r.valid_from.isoformat()}"
                      for r in programme.rates) or "none (no contributions)"
    lines = [
        f"[green]opened[/green] programme {programme.code}: {programme.name} "
        f"({programme.funder_name}, region {programme.funder_region}, "
        f"{programme.funding_source} {programme.fiscal_year})",
        f"  covers {', '.join(programme.covers)}; {programme.months} months from "
        f"{programme.first_month}; ceiling {rupiah(programme.budget_ceiling)} "
        f"(DPA {programme.dpa_reference})",
        f"  rates: {rates}; wage band {rupiah(programme.wage_band)}",
        f"  deciles {programme.deciles[0]}-{programme.deciles[1]}; occupations: "
        + (", ".join(programme.occupations) or "any (no list)") + "; branches: "
        + (", ".join(programme.branches) or "any (no list)")
        + f"; grace {programme.grace_months} months; planned members "
        + (number_id(programme.planned_members) if programme.planned_members is not None
           else "not given (budget line not checked)"),
        f"  personal data kept {programme.retention_years} years after a member's coverage "
        "ends (then erasable on request)",
    ]
    if defaulted:
        lines.append("  by default (not given): " + ", ".join(defaulted))
    return "\n".join(lines)


@click.group("programme")
def programme_group() -> None:
    """Programmes of a funder: open one from flags or a TOML file."""


@programme_group.command("create")
@click.option("--file", "terms_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A TOML file with the terms (the keys of POST /api/v1/programs; example in "
                   "the README); flags given as well win over it.")
@click.option("--code", help="Unique programme code, e.g. TNG-2026.")
@click.option("--name", help="The programme's name.")
@click.option("--funder", "funder_name", help="The funder, e.g. 'Pemerintah Kota Tangerang'.")
@click.option("--region", "funder_region", help="The funder's region code, e.g. 36.71.")
@click.option("--source", "funding_source", type=click.Choice(["APBD", "BTT", "APBN"]),
              help="Budget the money comes from.")
@click.option("--year", "fiscal_year", type=int, help="Fiscal year, e.g. 2026.")
@click.option("--covers", help="JKK,JKM (contributions) and/or CITY_GRANT (the city's grant).")
@click.option("--ceiling", "budget_ceiling", help="The DPA ceiling in rupiah, e.g. 999.936.000.")
@click.option("--dpa", "dpa_reference", help="The DPA reference.")
@click.option("--first-month", help="First month of cover, YYYY-MM (in the fiscal year).")
@click.option("--months", type=int, help="Months of cover.")
@click.option("--wage-band", help="Monthly wage band the JKK rate is computed on "
                                  "[default: 1.000.000].")
@click.option("--branches", help="BPJS branches, comma-separated [default: none listed, any "
                                 "branch].")
@click.option("--deciles", help="Welfare deciles covered, e.g. 1-5 [default: 1-4].")
@click.option("--occupations", help="Occupation codes covered, comma-separated [default: none "
                                     "listed, no restriction: any occupation].")
@click.option("--grace-months", type=int, help="Months covered after the last paid month "
                                               "[default: 3].")
@click.option("--planned-members", type=int,
              help="Planned headcount, checked by the audit against the ceiling [default: none, "
                   "not checked].")
@click.option("--opened-on", type=click.DateTime(["%Y-%m-%d"]),
              help="[default: 1 January of the fiscal year]")
@click.option("--retention-years", type=int,
              help="Years a person's data is kept after their coverage ends, 1-30; then they "
                   "may have it erased [default: 10, as regional financial records].")
@ACTOR
def programme_create(terms_file: Path | None, actor: str, **flags: Any) -> None:
    """Open a programme. Rates are the official ones unless the file gives its own (JKK 1% of
    the wage band, Rp10.000 at Rp1.000.000; JKM Rp6.800; from the first month)."""
    from api.resources.programmes import ProgrammeIn, terms_from_body

    given: dict[str, Any] = {
        "code": flags["code"], "name": flags["name"], "funder_name": flags["funder_name"],
        "funder_region": flags["funder_region"], "funding_source": flags["funding_source"],
        "fiscal_year": flags["fiscal_year"], "covers": _listed(flags["covers"]),
        "budget_ceiling": _rupiah(flags["budget_ceiling"], "--ceiling"),
        "dpa_reference": flags["dpa_reference"], "first_month": flags["first_month"],
        "months": flags["months"], "wage_band": _rupiah(flags["wage_band"], "--wage-band"),
        "branches": _listed(flags["branches"]), "deciles": _deciles(flags["deciles"]),
        "occupations": _listed(flags["occupations"]), "grace_months": flags["grace_months"],
        "planned_members": flags["planned_members"],
        "retention_years": flags["retention_years"],
        "opened_on": flags["opened_on"].date() if isinstance(flags["opened_on"], datetime)
        else None,
    }
    body: dict[str, Any] = _from_file(terms_file) if terms_file is not None else {}
    body.update({key: value for key, value in given.items() if value is not None})
    for key, value in list(body.items()):  # TOML dates and times: the schema reads dates
        if isinstance(value, datetime):
            body[key] = value.date()
    try:
        loaded = ProgrammeIn().load(body)
    except ValidationError as error:
        raise LedgerCommandError("the programme's terms are not complete or not right:\n  "
                                 + "\n  ".join(_problems(error.messages))) from None
    defaulted = [DEFAULTS[key] for key in DEFAULTS if key not in body]
    try:
        with ledger_session() as ledger:
            programme = ledger.open_programme(terms_from_body(loaded), actor=actor)
            position = ledger.last_position()
    except LedgerError as error:
        raise refusal(error) from None
    console.print(_summary(programme, defaulted))
    if position is not None:
        console.print(f"  recorded at log position {number_id(position)} by {actor}")
