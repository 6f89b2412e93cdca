"""The console's routes: signing in and out, the language and masked-mode switches, the home
page and the shell of each section (whose pages are built on the read side's typed views)."""

from __future__ import annotations

from typing import cast

from flask import current_app, redirect, request, session, url_for
from werkzeug.wrappers import Response

from api.console.access import (
    SECTIONS,
    PageError,
    current_visitor,
    idle_minutes,
    may_open,
    require_visitor,
    safe_next,
    section_roles,
)
from api.console.blueprint import bp, csrf
from api.console.filters import FilterChoices, choices_from_programmes
from api.console.render import (
    LANGUAGE_COOKIE,
    LANGUAGE_COOKIE_AGE,
    render_page,
    role_name,
    roles_in_words,
    wib,
    words_now,
)
from api.console.sessions import ABSOLUTE, ConsoleSession
from api.console.state import console_state
from api.state import ledger, projector, reader
from documents.labels import LANGUAGES
from ledger.errors import TokenRefusedError
from ledger.token import FEED_ROLE, token_hash, token_id

#: Pages anyone may open (or post to) without signing in.
PUBLIC = frozenset({"console.sign_in", "console.language", "console.static"})


@bp.before_request
def _guard() -> Response | None:
    """Signed in (else to the sign-in page, saying why), then the CSRF token on every form and
    every htmx request that changes something."""
    if request.endpoint == "console.static":
        return None  # the vendored files and the console's own scripts: nothing to check
    # The key every worker signs with, from the database (an absent console table is said in
    # words by the error page).
    current_app.config["WTF_CSRF_SECRET_KEY"] = console_state().csrf_key()
    if request.endpoint not in PUBLIC:
        sent_away = require_visitor()
        if sent_away is not None:
            return sent_away
    csrf.protect()
    return None


@bp.after_request
def _page_headers(response: Response) -> Response:
    return secure_headers(response)


def secure_headers(response: Response) -> Response:
    """What every console answer says to the browser: only this site's own files run (no
    inline script, no CDN), no framing, no caching of pages that hold personal data, and the
    Referer only to this site (flask-wtf compares it over TLS)."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "console.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


# -- signing in and out ---------------------------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | tuple[str, int]:
    """The form that takes an API token and opens a session for it."""
    current = cast(ConsoleSession, session)
    if current.store_error is not None:
        raise current.store_error
    t = words_now()["t"]
    wanted = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current.token_id is not None:
            return redirect(wanted, code=303)
        ended = request.args.get("ended", "")
        notice = t.get(f"ended_{ended}")
        if notice:
            notice = notice.format(idle=idle_minutes(), hours=int(ABSOLUTE.total_seconds()
                                                                  // 3600))
        return render_page("console/sign_in.html", notice=notice, next=wanted)
    secret = (request.form.get("token") or "").strip()
    if not secret:
        return render_page("console/sign_in.html", 400, problem=t["token_missing"],
                           next=wanted)
    try:
        token = ledger().authenticate(secret, now=console_state().now())
    except TokenRefusedError as refused:
        return render_page("console/sign_in.html", 401, problem=_refusal(refused, secret),
                           next=wanted)
    if token.role == FEED_ROLE:  # a machine reader of the feed: no pages, no session
        return render_page("console/sign_in.html", 403,
                           problem=str(t["token_feed_only"]).format(name=token.name),
                           next=wanted)
    current.sign_in(str(token.id))
    return redirect(wanted, code=303)


def _refusal(refused: TokenRefusedError, secret: str) -> str:
    """Why a token was refused, in this page's language (when it lapsed, in WIB)."""
    t = words_now()["t"]
    if refused.rule not in ("token-expired", "token-revoked"):
        return str(t["token_unknown"])
    found = ledger().token(token_id(token_hash(secret)))
    if refused.rule == "token-expired":
        return str(t["token_expired_at"]).format(name=found.name, when=wib(found.expires_at))
    return str(t["token_revoked_at"]).format(name=found.name, when=wib(found.revoked_at))


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    """End the session: its row is deleted, the cookie cleared."""
    cast(ConsoleSession, session).sign_out()
    return redirect(f"{url_for('console.sign_in')}?ended=signed-out", code=303)


# -- switches -------------------------------------------------------------------------------------


@bp.route("/language", methods=["POST"])
def language() -> Response:
    """Switch between Bahasa Indonesia and English (kept in a cookie, not in URLs)."""
    chosen = request.form.get("lang", "")
    if chosen not in LANGUAGES:
        raise PageError(400, words_now()["t"]["bad_language"])
    response = redirect(safe_next(request.form.get("next")), code=303)
    response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=LANGUAGE_COOKIE_AGE, path="/",
                        secure=request.is_secure, httponly=True, samesite="Strict")
    return response


@bp.route("/masked", methods=["POST"])
def masked() -> Response:
    """Turn masked mode (names and masked NIKs hidden, for sharing a screen) on or off."""
    current = cast(ConsoleSession, session)
    current["masked"] = not bool(current.get("masked", False))
    if request.headers.get("HX-Request") == "true":
        return Response(status=204, headers={"HX-Refresh": "true"})
    return redirect(safe_next(request.form.get("next")), code=303)


# -- pages ----------------------------------------------------------------------------------------


@bp.route("/")
def home() -> tuple[str, int]:
    """Who you are, your role, and what you can open here."""
    visitor = current_visitor()
    opened = [s for s in SECTIONS if may_open(s, visitor.role)]
    closed = [(s, roles_in_words(section_roles(s))) for s in SECTIONS
              if not may_open(s, visitor.role)]
    return render_page("console/home.html", opened=opened, closed=closed,
                       role_name=role_name(visitor.role), idle=idle_minutes())


def filter_choices() -> FilterChoices:
    """The filter bar's lists, from the programmes on record (the embedded store catches its
    projections up first, as the API's reads do)."""
    if not ledger().settings.is_postgres:
        projector().catch_up()
    return choices_from_programmes(reader().programmes())


# Every section's pages live in a module of their own, registered on import (the money
# sections' in api/console/__init__.py).
from api.console import documents, findings, journal, programmes, workers  # noqa: E402,F401

