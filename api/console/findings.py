"""Findings: the red flags with their counts and the rupiah at stake, and for a chosen flag each
case with its evidence (what was found, in the page's language, and the log positions that
prove it), linked to the worker's record, the claim's dossier, the programme and the journal's
proof of each position. Links carry ids and positions only, never a NIK."""

from __future__ import annotations

from typing import Any

from flask import g
from werkzeug.wrappers import Response

from api.console.access import SECTION_BY_KEY, PageError, section_page
from api.console.blueprint import bp
from api.console.reading import checked_filters, page, read_side, reading_words
from api.console.render import language
from documents import finding_text
from projections.findings import Finding
from projections.findings.model import RULES

SECTION = SECTION_BY_KEY["findings"]
#: Cases shown on one page of a flag (the demo's largest flag has a few hundred).
CASES_PER_PAGE = 50


@bp.route(SECTION.path)
@section_page(SECTION)
def findings() -> Response:
    """The flags with counts and rupiah at stake; ``?rule=`` opens one flag's cases."""
    from flask import request

    choices, filters = checked_filters(SECTION)
    rule = (request.args.get("rule") or "").strip() or None
    if rule is not None and rule not in RULES:
        raise PageError(400, reading_words()["no_cases"])
    offset = request.args.get("offset", "0")
    start = int(offset) if offset.isdigit() else 0
    # A finding is about members, claims and payment orders of programmes: the programme and
    # the funder filter it; a district or a period does not (said on the page).
    g.honoured = ("programme", "funder")
    with read_side() as view:
        found = view.findings(program=filters.programme)
        if filters.funder:
            funded = {p.programme for p in view.programmes()
                      if p.funder_region == filters.funder}
            found = [f for f in found if funded.intersection(f.programmes)]
        position = view.position
    lang = language()
    flags = [_flag(name, [f for f in found if f.rule == name], lang) for name in RULES]
    chosen = [f for f in found if f.rule == rule] if rule else []
    cases = [_case(f, lang) for f in chosen[start:start + CASES_PER_PAGE]]
    following = start + CASES_PER_PAGE if start + CASES_PER_PAGE < len(chosen) else None
    return page(SECTION, "console/findings.html", choices, filters, flags=flags, rule=rule,
                cases=cases, total=len(found), position=position, following=following,
                chosen_title=_title(rule, lang) if rule else None, chosen_count=len(chosen))


def _title(rule: str, lang: str) -> str:
    english, indonesian = finding_text.TITLES[rule]
    return indonesian if lang == "id" else english


def _flag(rule: str, cases: list[Finding], lang: str) -> dict[str, Any]:
    known = RULES[rule]
    return {"rule": rule, "flag": known.flag, "severity": known.severity,
            "title": _title(rule, lang), "cases": len(cases),
            "at_stake": sum(f.amount or 0 for f in cases)}


def _case(finding: Finding, lang: str) -> dict[str, Any]:
    return {"id": finding.id, "detail": finding_text.detail(finding, lang),
            "amount": finding.amount, "programmes": list(finding.programmes),
            "members": list(finding.members), "claims": list(finding.claims),
            "positions": list(finding.positions)}
