"""Signing in with an API token, and out: a server-side session, never the token's secret."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from console_client import Browserless

from api.console.sessions import COOKIE, SessionStore
from ledger.token import token_hash


def _rows(console: Browserless) -> list[list[object]]:
    store = SessionStore(console.ledger)
    return [list(r.values()) if isinstance(r, dict) else list(r)
            for r in store._run(f"SELECT * FROM {store.sessions}")]


def test_a_good_token_opens_a_session_and_the_home_page_says_who_and_which_role(
        console: Browserless) -> None:
    response = console.sign_in("finance")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = console.get("/").get_data(as_text=True)
    assert "Selamat datang, finance.one." in home
    assert "Anda masuk sebagai petugas keuangan (peran finance)." in home
    assert "Rekonsiliasi" in home and "menyelesaikan selisih" in home


def test_an_unknown_token_is_refused_in_words_and_opens_no_session(console: Browserless) -> None:
    response = console.sign_in(secret="clt_" + "x" * 43)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Token ini tidak dikenal oleh ledger" in page
    assert 'aria-invalid="true"' in page
    assert console.get("/").status_code == 303
    assert all(row[1] is None for row in _rows(console))  # only the sign-in form's session


def test_an_empty_token_is_refused_in_words(console: Browserless) -> None:
    response = console.sign_in(secret="   ")
    assert response.status_code == 400
    assert "Ketik token API Anda untuk masuk." in response.get_data(as_text=True)


def test_an_expired_token_is_refused_saying_when_it_expired(console: Browserless,
                                                            short_token: str) -> None:
    console.clock.advance(timedelta(minutes=11))
    response = console.sign_in(secret=short_token)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Token ini (&#39;auditor.short&#39;) kedaluwarsa pada " in page
    assert " WIB. Minta token baru kepada admin." in page


def test_a_revoked_token_is_refused_saying_when_it_was_revoked(console: Browserless) -> None:
    console.ledger.revoke_token("clerk.one", "left the agency", actor="admin.one")
    response = console.sign_in("clerk")
    assert response.status_code == 401
    assert "Token ini (&#39;clerk.one&#39;) dicabut pada " in response.get_data(as_text=True)


def test_signing_in_gives_a_new_session_id_and_the_one_before_is_worth_nothing(
        console: Browserless) -> None:
    console.get("/sign-in")
    before = console.session_cookie()
    assert before is not None
    console.sign_in("auditor")
    after = console.session_cookie()
    assert after is not None and after != before
    stored = {row[0] for row in _rows(console)}
    assert hashlib.sha256(before.encode()).hexdigest() not in stored
    assert hashlib.sha256(after.encode()).hexdigest() in stored
    stranger = console.new_client()
    stranger.set_cookie(COOKIE, before)
    assert stranger.get("/").status_code == 303


def test_the_session_row_holds_the_token_id_never_its_secret_nor_its_hash(
        console: Browserless) -> None:
    console.sign_in("auditor")
    secret = console.tokens["auditor"]
    token = console.ledger.authenticate(secret)
    rows = [row for row in _rows(console) if row[1] is not None]
    assert len(rows) == 1
    assert rows[0][1] == str(token.id)
    text = repr(_rows(console))
    assert secret not in text and token_hash(secret) not in text
    cookie = console.session_cookie()
    assert cookie is not None and hashlib.sha256(cookie.encode()).hexdigest() == rows[0][0]


def test_no_page_and_no_cookie_ever_carries_a_token_secret(console: Browserless) -> None:
    secret = console.tokens["approver"]
    console.sign_in(secret="clt_wrong" + secret[9:])  # a refused attempt is not echoed either
    console.sign_in("approver")
    for path in ("/", "/programmes", "/workers", "/claims", "/approvals", "/reconciliation",
                 "/findings", "/journal", "/documents", "/nowhere"):
        console.get(path)
    console.post_form("/language", {"lang": "en", "next": "/"})
    console.get("/")
    console.post_form("/sign-out", {})
    assert len(console.seen) > 12
    for response in console.seen:
        text = response.get_data(as_text=True) + " ".join(response.headers.getlist("Set-Cookie"))
        assert secret not in text
        assert secret[4:] not in text
        assert token_hash(secret) not in text


def test_sign_out_deletes_the_session_on_the_server_and_the_cookie(console: Browserless) -> None:
    console.sign_in("auditor")
    cookie = console.session_cookie()
    response = console.post_form("/sign-out", {})
    assert response.status_code == 303
    assert response.headers["Location"] == "/sign-in?ended=signed-out"
    assert any(c.startswith(f"{COOKIE}=;") for c in response.headers.getlist("Set-Cookie"))
    assert all(row[1] is None for row in _rows(console))
    page = console.get("/sign-in?ended=signed-out").get_data(as_text=True)
    assert "Anda sudah keluar. Sesi dihapus dari server." in page
    replay = console.new_client()
    replay.set_cookie(COOKIE, str(cookie))
    assert replay.get("/").headers["Location"].startswith("/sign-in?ended=gone")


def test_after_signing_in_the_person_lands_on_the_page_they_asked_for(
        console: Browserless) -> None:
    asked = console.get("/findings?period=2025-03")
    assert asked.status_code == 303
    assert asked.headers["Location"] == ("/sign-in?ended=required&next=%2Ffindings%3F"
                                         "period%3D2025-03")
    response = console.sign_in("auditor", next_page="/findings?period=2025-03")
    assert response.headers["Location"] == "/findings?period=2025-03"


def test_after_signing_in_nobody_is_sent_to_another_site(console: Browserless) -> None:
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example",
                      "javascript:alert(1)"):
        client = console.new_client()
        response = console.sign_in("auditor", client=client, next_page=elsewhere)
        assert response.headers["Location"] == "/", elsewhere


def test_the_audit_feeds_token_reads_only_the_feed_and_opens_no_console_session(
        console: Browserless) -> None:
    response = console.sign_in("audit-feed")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Token ini (&#39;audit-feed.one&#39;) milik umpan data audit" in page
    assert "tidak membuka konsol" in page
    assert console.get("/").status_code == 303  # still signed out
    assert all(row[1] is None for row in _rows(console))
