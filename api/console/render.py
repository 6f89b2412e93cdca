"""Rendering the console's pages: the language, the words, and the formats of the PDFs.

Templates only format: every figure reaches them as a number, a date or a code, and is written
here the way the documents write it (:mod:`documents.formatting`): ``Rp1.234.567``,
``24 Maret 2025``, ``24 Maret 2025 14:05 WIB``. The language comes from a cookie, so it holds
across pages and before signing in, and is never in a page's URL.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from flask import Flask, g, render_template, request, url_for
from jinja2_fragments.flask import render_block

from api.console.words import choose_language, console_words
from documents.formatting import (
    date_en,
    date_id,
    datetime_wib,
    month_en,
    month_id,
    number_id,
    outstanding,
    rupiah,
)
from ledger.identity import mask_nik

LANGUAGE_COOKIE = "ledger_console_lang"
#: A year: the switch is a preference, not a secret.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

#: htmx's settings for every page (read from a meta tag, so no inline script is needed):
#: - no history snapshots in localStorage (pages hold personal data: going back reloads);
#: - no eval and no script tags from answers (the Content-Security-Policy forbids them anyway);
#: - requests to this site only;
#: - no injected indicator style (style-src 'self');
#: - a 4xx/5xx answer puts its sentence (the error page's #error-message) in the alert region
#:   instead of leaving the page silent; 204 swaps nothing.
HTMX_CONFIG = {
    "historyCacheSize": 0,
    "refreshOnHistoryMiss": True,
    "allowEval": False,
    "allowScriptTags": False,
    "selfRequestsOnly": True,
    "includeIndicatorStyles": False,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "[45]..", "swap": True, "error": True, "target": "#console-alert",
         "select": "#error-message"},
    ],
}


def language() -> str:
    """This request's language: the browser's choice (cookie), else Bahasa Indonesia."""
    found: str | None = g.get("console_lang")
    if found is None:
        found = choose_language(request.cookies.get(LANGUAGE_COOKIE))
        g.console_lang = found
    return found


def words_now() -> dict[str, Any]:
    """The words of this request's language."""
    return console_words(language())


def role_name(role: str) -> str:
    """A role as a person says it (``pejabat penyetuju``)."""
    t = words_now()["t"]
    return str(t.get(f"role_{role}", role))


def roles_in_words(roles: tuple[str, ...]) -> str:
    """Roles as a sentence lists them: ``petugas keuangan, auditor``."""
    return ", ".join(role_name(role) for role in roles)


def _masked_mode() -> bool:
    visitor = g.get("visitor")
    return bool(visitor is not None and visitor.masked)


def person(name: str | None) -> str:
    """A person's name, hidden in masked mode (for sharing a screen)."""
    if not name:
        return "-"
    return str(words_now()["t"]["masked_word"]) if _masked_mode() else name


def nik(value: str | None, short_id: str | None = None) -> str:
    """A NIK as pages show it: always masked (``3671********0001``), with the enrolment's short
    id where given; in masked mode the short id alone."""
    short = f" ({str(short_id)[:8]})" if short_id else ""
    if not value:
        return "-"
    if _masked_mode():
        return f"{words_now()['t']['masked_word']}{short}"
    return f"{mask_nik(value)}{short}"


def day(value: date | str | None) -> str:
    """``24 Maret 2025`` / ``24 March 2025``."""
    if not value:
        return "-"
    chosen = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return date_id(chosen) if language() == "id" else date_en(chosen)


def month(value: str | None) -> str:
    """``Maret 2025`` / ``March 2025``."""
    if not value:
        return "-"
    return month_id(value) if language() == "id" else month_en(value)


def wib(value: datetime | None) -> str:
    """``24 Maret 2025 14:05 WIB``."""
    return datetime_wib(value, language()) if value else "-"


def register_filters(app: Flask) -> None:
    """The formats of the PDFs, as Jinja filters for the console's templates."""
    app.jinja_env.filters.update({
        "rupiah": rupiah, "number": number_id, "day": day, "month": month, "wib": wib,
        "outstanding": lambda amount: outstanding(amount, language()),
        "person": person, "nik": nik,
    })


def page_context() -> dict[str, Any]:
    """What every console template may use."""
    from api.console.access import SECTIONS, here, may, may_open

    visitor = g.get("visitor")
    filters = g.get("filters")
    return {
        "csrf": csrf_value(),
        **words_now(),
        "lang": language(),
        "visitor": visitor,
        "sections_open": [s for s in SECTIONS if visitor and may_open(s, visitor.role)],
        "here": here(),
        "role_label": role_name(visitor.role) if visitor else "",
        # The navigation keeps the filters from page to page.
        "filter_query": filters.query() if filters is not None else "",
        # The filters set that this page cannot honour (said in a sentence, never ignored
        # silently): the page names those it honours in ``g.honoured``.
        "unapplied": ", ".join(
            str(words_now()["t"][f"filter_{name}"]).lower()
            for name in (filters.unapplied(g.get("honoured", ())) if filters is not None
                         else ())),
        "htmx_config": json.dumps(HTMX_CONFIG, separators=(",", ":")),
        "asset": lambda name: url_for("console.static", filename=name),
        # A page shows an action's button only to a role the API lets do it.
        "may": may,
    }


def csrf_value() -> str | None:
    """This page's CSRF token (its forms' field and the meta tag htmx reads), or None when the
    database cannot give the signing key: the page is then shown without forms."""
    from flask import current_app
    from flask_wtf.csrf import generate_csrf

    from api.console.state import console_state

    try:
        current_app.config["WTF_CSRF_SECRET_KEY"] = console_state().csrf_key()
        return str(generate_csrf())
    except Exception:
        return None


def render_page(template: str, status: int = 200, *, partial: bool = True,
                **context: Any) -> tuple[str, int]:
    """A whole page, or only its ``section`` block when htmx asks for that part alone (the
    filter bar does; ``partial=False`` for a page that has no such block, as the error page)."""
    values = {**page_context(), **context}
    if partial and request.headers.get("HX-Request") == "true" \
            and request.headers.get("HX-Target") == "section-content":
        return render_block(template, "section", **values), status
    return render_template(template, **values), status
