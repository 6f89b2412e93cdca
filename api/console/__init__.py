"""The console: the ledger in a browser, for auditors and finance, served by the same app.

Server-rendered pages (Flask, Jinja2) with htmx for partial updates, from vendored files only
(``static/vendor/MANIFEST``): no Node build, no CDN, nothing fetched at run time. Mounted at
``/``; the JSON API stays under ``/api/v1``.

- :mod:`api.console.sessions`: server-side sessions (a random id in a cookie; the token's id,
  never its secret, in the database), idle and absolute expiry;
- :mod:`api.console.access`: the sections, each allowed to exactly the roles of the API route
  it mirrors; the token re-checked on every page;
- :mod:`api.console.render` and :mod:`api.console.words`: the language (a cookie), the words
  and the PDFs' formats;
- :mod:`api.console.filters`: the filter bar kept in the URL;
- :mod:`api.console.views` and :mod:`api.console.errors`: the routes and the error pages.

CSRF: flask-wtf's ``CSRFProtect`` checks every console form (``csrf_token`` field) and every
htmx request (``X-CSRFToken`` header, added by ``static/console/console.js``); the JSON API,
which authenticates with a bearer header and sets no cookie, is not subject to it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask

from api.console import approvals, claims, reconciliation  # noqa: F401 (their routes)
from api.console.blueprint import bp, csrf
from api.console.errors import register_not_found
from api.console.render import register_filters
from api.console.sessions import ConsoleSessionInterface
from api.console.state import EXTENSION, ConsoleState


def register(app: Flask, clock: Callable[[], datetime] | None = None) -> None:
    """Mount the console on ``app`` at ``/`` (``clock``: what sessions and tokens are judged
    by; tests move it)."""
    state = ConsoleState(clock)
    app.extensions[EXTENSION] = state
    app.session_interface = ConsoleSessionInterface(state.store, state.now)
    app.config.update(
        # Checked by the console's own hook (views._guard), never on the JSON API's routes.
        WTF_CSRF_CHECK_DEFAULT=False,
        # A form is good for as long as its session: the session's own limits apply.
        WTF_CSRF_TIME_LIMIT=None,
    )
    csrf.init_app(app)
    register_filters(app)
    app.register_blueprint(bp)
    register_not_found(app)
