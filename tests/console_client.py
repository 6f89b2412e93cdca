"""A person at the console, through Flask's test client: pages, forms with their CSRF token,
htmx requests, and the clock the console judges sessions by."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from api.console.sessions import COOKIE
from ledger.application import Ledger

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class MovableClock:
    """Now, as the console sees it; tests move it forward."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@dataclass
class Browserless:
    """The console app, a client with its cookies, the role tokens, the console's clock."""

    app: Flask
    client: FlaskClient
    tokens: dict[str, str]
    clock: MovableClock
    seen: list[TestResponse] = field(default_factory=list)

    @property
    def ledger(self) -> Ledger:
        found: Ledger = self.app.extensions["claims_ledger"]
        return found

    def new_client(self) -> FlaskClient:
        """Another browser (no cookies)."""
        return self.app.test_client()

    def get(self, path: str, client: FlaskClient | None = None, **kwargs: Any) -> TestResponse:
        response = (client or self.client).get(path, **kwargs)
        self.seen.append(response)
        return response

    def csrf(self, path: str = "/sign-in", client: FlaskClient | None = None) -> str:
        """The CSRF token of a page's forms (loading the page, as a browser does)."""
        html = self.get(path, client).get_data(as_text=True)
        found = _CSRF_FIELD.search(html)
        assert found, f"no form with a CSRF token on {path}"
        meta = _CSRF_META.search(html)
        assert meta and meta.group(1) == found.group(1), "the page's meta token differs"
        return found.group(1)

    def post_form(self, path: str, data: dict[str, str], client: FlaskClient | None = None,
                  with_token: bool = True, from_page: str = "/", **kwargs: Any) -> TestResponse:
        """Submit a form as the page at ``from_page`` holds it (with its CSRF field)."""
        fields = dict(data)
        if with_token:
            fields["csrf_token"] = self.csrf(from_page, client)
        response = (client or self.client).post(path, data=fields, **kwargs)
        self.seen.append(response)
        return response

    def post_htmx(self, path: str, client: FlaskClient | None = None, with_token: bool = True,
                  from_page: str = "/") -> TestResponse:
        """What htmx sends for hx-post: no form field, the token as X-CSRFToken (added by
        console.js from the page's meta tag)."""
        headers = {"HX-Request": "true"}
        if with_token:
            headers["X-CSRFToken"] = self.csrf(from_page, client)
        response = (client or self.client).post(path, headers=headers)
        self.seen.append(response)
        return response

    def sign_in(self, role: str | None = None, secret: str | None = None,
                client: FlaskClient | None = None, next_page: str = "/") -> TestResponse:
        """Sign in through the form with a role's token (or any secret)."""
        token = secret if secret is not None else self.tokens[str(role)]
        return self.post_form("/sign-in", {"token": token, "next": next_page}, client,
                              from_page="/sign-in")

    def session_cookie(self, client: FlaskClient | None = None) -> str | None:
        found = (client or self.client).get_cookie(COOKIE)
        return found.value if found else None


@dataclass
class LiveConsole:
    """The app served on 127.0.0.1 for a real browser, its ledger, and a token per role."""

    url: str
    ledger: Ledger
    tokens: dict[str, str]


@contextmanager
def served(app: Flask, token_suffix: str) -> Iterator[LiveConsole]:
    """``app`` served on a free loopback port in a thread of this process, with a token per
    role (named ``ROLE.SUFFIX``); the server stopped and the ledger closed at the end."""
    from ledger.token import ROLES

    ledger: Ledger = app.extensions["claims_ledger"]
    tokens = {role: ledger.issue_token(f"{role}.{token_suffix}", role, actor="test")[0]
              for role in ROLES}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="console-server", daemon=True)
    thread.start()
    try:
        yield LiveConsole(f"http://127.0.0.1:{server.server_port}", ledger, tokens)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        ledger.close()
