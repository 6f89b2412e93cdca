"""Who is signed in, and which pages their role may open: the API's own role declarations.

Each section of the console names the API route whose data it shows (or whose action it
offers), and may be opened by exactly the roles that route allows (:func:`api.auth.roles_of`):
one declaration, read by both, so the console can never show a role what the API would refuse
it. A page a role may not open answers 403 with a sentence saying which roles may, never an
empty table; its link is left out of the navigation.

The token behind a session is looked up on every request, as the API does for a bearer token:
a revoked or expired token ends every session it opened at once, and the person is sent to the
sign-in page with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode, urlsplit

from flask import current_app, g, redirect, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from api.auth import roles_of
from api.console.filters import FilterChoices, FilterError, Filters
from api.console.render import role_name, roles_in_words, words_now
from api.console.sessions import IDLE, ConsoleSession
from api.console.state import console_state
from api.state import ledger
from ledger.errors import TokenNotFoundError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Section:
    """One part of the console: its page, and the API route whose roles govern it."""

    key: str
    path: str
    api_endpoint: str
    api_method: str
    #: Whether the page shows the filter bar (period, funder, programme, district).
    filters: bool = True

    @property
    def endpoint(self) -> str:
        """The console's endpoint name of the page."""
        return f"console.{self.key}"


#: The console's sections, in the navigation's order. The pages themselves are built on the
#: read side's typed views; until then each answers with the shell and says it is coming.
SECTIONS: tuple[Section, ...] = (
    Section("programmes", "/programmes", "programs.Programmes", "GET"),
    Section("workers", "/workers", "members.history", "GET", filters=False),
    Section("claims", "/claims", "claims.Claims", "GET"),
    Section("approvals", "/approvals", "claims.approve", "POST"),
    Section("reconciliation", "/reconciliation", "reconciliation.runs", "GET"),
    Section("findings", "/findings", "findings.list_findings", "GET"),
    Section("journal", "/journal", "journal.head", "GET", filters=False),
    Section("documents", "/documents", "reports.audit", "GET"),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}


@dataclass(frozen=True)
class Visitor:
    """The person signed in: their token's id and name (never its secret) and its role."""

    token_id: str
    name: str
    role: str
    token_expires_at: datetime
    session_expires_at: datetime
    masked: bool


class PageError(HTTPException):
    """An answer of the console's in words: the error page shows ``sentence``."""

    def __init__(self, code: int, sentence: str) -> None:
        super().__init__(description=sentence)
        self.code = code
        self.sentence = sentence


def api_roles(endpoint: str, method: str) -> tuple[str, ...]:
    """The roles the API allows on one of its routes (as ``@requires`` declares them)."""
    roles = roles_of(current_app.view_functions.get(endpoint), method)
    if not roles:
        raise LookupError(f"the API has no {method} {endpoint} that declares its roles")
    return roles


def section_roles(section: Section) -> tuple[str, ...]:
    """Who may open a section: the roles of the API route it mirrors."""
    return api_roles(section.api_endpoint, section.api_method)


def may_open(section: Section, role: str) -> bool:
    """Whether ``role`` may open ``section``."""
    return role in section_roles(section)


def may(endpoint: str, method: str) -> bool:
    """Whether the person signed in may do what an API route does (for a page's buttons)."""
    found: Visitor | None = g.get("visitor")
    return found is not None and found.role in api_roles(endpoint, method)


def current_visitor() -> Visitor:
    """The person this request is for (set by :func:`require_visitor`)."""
    found: Visitor = g.visitor
    return found


def here() -> str:
    """This page's address to come back to (after signing in, switching the language): its
    path and its filters, checked; nothing else of the query string, which anyone can type
    anything into (a NIK, say), is carried on to another URL or written into a page."""
    if request.method != "GET":
        return "/"
    filters: Filters | None = g.get("filters")
    if filters is None:
        try:
            filters = Filters.from_query(request.args, FilterChoices())
        except FilterError:
            filters = Filters()
    return request.path + filters.query()


def _sign_in_url(ended: str) -> str:
    query: dict[str, str] = {"ended": ended}
    back = here()
    if back != "/":
        query["next"] = back
    return f"{url_for('console.sign_in')}?{urlencode(query)}"


def _to_sign_in(ended: str) -> Response:
    target = _sign_in_url(ended)
    if request.headers.get("HX-Request") == "true":
        # htmx follows HX-Redirect with a whole page, instead of swapping the sign-in form into
        # a fragment of the old one.
        return Response(status=401, headers={"HX-Redirect": target})
    return redirect(target, code=303)


def require_visitor() -> Response | None:
    """Load the person behind the session, or send them to sign in (saying why)."""
    current = cast(ConsoleSession, session)
    if current.store_error is not None:
        raise current.store_error
    if current.token_id is None:
        return _to_sign_in(current.ended or "required")
    store = console_state().store()
    try:
        token = ledger().token(current.token_id)
    except TokenNotFoundError:
        store.end_token(current.token_id)
        current.sign_out()
        return _to_sign_in("gone")
    now = console_state().now()
    status = token.status(now)
    if status != "active":
        store.end_token(current.token_id)
        current.sign_out()
        return _to_sign_in(status)
    expires_at = current.expires_at
    assert expires_at is not None  # a signed-in session is a stored one
    g.visitor = Visitor(str(token.id), token.name, token.role, token.expires_at, expires_at,
                        bool(current.get("masked", False)))
    g.actor, g.role = token.name, token.role  # the request log says who
    return None


def section_page(section: Section) -> Callable[[F], F]:
    """A view of one section: refused with 403 and a sentence to a role the API refuses."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refuse_unless_allowed(section)
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def refuse_unless_allowed(section: Section) -> None:
    """403 with a plain sentence when the signed-in role may not open ``section``."""
    visitor = current_visitor()
    roles = section_roles(section)
    if visitor.role in roles:
        return
    t = words_now()["t"]
    raise PageError(403, t["forbidden"].format(
        role_name=role_name(visitor.role), page=t[f"nav_{section.key}"],
        roles=roles_in_words(roles)))


def safe_next(target: str | None) -> str:
    """Where to go after a form: a path of this site only (never another host)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") \
            or parts.path.startswith("//") or "\\" in target:
        return "/"
    return target


def idle_minutes() -> int:
    """The idle limit, in minutes, as the pages say it."""
    return int(IDLE.total_seconds() // 60)
