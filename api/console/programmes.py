"""Programmes: each funder's programmes with ceiling, realisation, members, claims paid and open
findings; one programme's page with the monthly budget (SP2D numbers, the documents' own SVG
chart), enrolment by district, occupation and decile, and claims by benefit. Every figure comes
from the read side's views through :func:`documents.audit.programme_figures`, so the page, the
API and the audit report give the same numbers."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import g
from markupsafe import Markup
from werkzeug.wrappers import Response

from api.console.access import SECTION_BY_KEY, PageError, section_page
from api.console.blueprint import bp
from api.console.reading import checked_filters, page, read_side, reading_words
from api.console.render import language
from documents.audit import programme_figures
from ledger.calendar import month_range

SECTION = SECTION_BY_KEY["programmes"]


@bp.route(SECTION.path)
@section_page(SECTION)
def programmes() -> Response:
    """Every programme (the filter bar's funder and programme honoured) with its totals."""
    choices, filters = checked_filters(SECTION)
    # The totals are each programme's whole: a district cannot divide them (said on the page).
    g.honoured = ("funder", "programme", "period")
    rows: list[dict[str, Any]] = []
    with read_side() as view:
        open_findings = Counter(code for finding in view.findings()
                                for code in finding.programmes)
        for programme in view.programmes():
            if filters.funder and programme.funder_region != filters.funder:
                continue
            if filters.programme and programme.programme != filters.programme:
                continue
            if not any(filters.covers_month(month) for month in
                       month_range(programme.first_month, programme.months)):
                continue  # not running in the period
            budget = view.budget(programme.programme)
            if budget is None:
                continue
            paid = [c for c in view.claims(programme.programme) if c.status != "rejected"]
            rows.append({"programme": programme, "budget": budget,
                         "claims_paid": sum(c.disbursed for c in paid),
                         "claims_count": sum(1 for c in paid if c.disbursed > 0),
                         "findings": open_findings[programme.programme]})
        position = view.position
    return page(SECTION, "console/programmes.html", choices, filters, rows=rows,
                position=position)


@bp.route(f"{SECTION.path}/<string:code>")
@section_page(SECTION)
def programme(code: str) -> Response:
    """One programme's page: the same figures as its audit report (the whole programme's:
    the filters, kept for the way back to the list, are said not to apply)."""
    choices, filters = checked_filters(SECTION)
    g.honoured = ()
    with read_side() as view:
        figures = programme_figures(view, code, language())
        position = view.position
    if figures is None:
        raise PageError(404, reading_words()["programme_unknown"])
    # The chart is the documents' own SVG, built from numbers and escaped labels only.
    chart = Markup(figures.pop("chart"))
    return page(SECTION, "console/programme.html", choices, filters, chart=chart,
                position=position, **figures)
