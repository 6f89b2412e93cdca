"""Sessions end on their own: idle, at their absolute limit, and with their token."""

from __future__ import annotations

from datetime import timedelta

from console_client import Browserless

from api.console.sessions import ABSOLUTE, COOKIE, IDLE, SessionStore
from storage.settings import StoreSettings
from storage.store import init_store


def _signed_in_rows(console: Browserless) -> int:
    store = SessionStore(console.ledger)
    rows = store._run(f"SELECT token_id FROM {store.sessions} WHERE token_id IS NOT NULL")
    return len(rows)


def test_a_session_idle_for_more_than_30_minutes_ends_and_the_sign_in_page_says_why(
        console: Browserless) -> None:
    assert timedelta(minutes=30) == IDLE
    console.sign_in("auditor")
    console.clock.advance(timedelta(minutes=29))
    assert console.get("/").status_code == 200
    console.clock.advance(timedelta(minutes=31))
    response = console.get("/findings")
    assert response.status_code == 303
    assert response.headers["Location"] == "/sign-in?ended=idle&next=%2Ffindings"
    assert _signed_in_rows(console) == 0
    page = console.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sesi Anda berakhir karena tidak ada aktivitas selama 30 menit." in page


def test_a_session_in_use_stays_open_however_long_within_its_day(console: Browserless) -> None:
    console.sign_in("auditor")
    for _ in range(12):  # four hours, a page every twenty minutes
        console.clock.advance(timedelta(minutes=20))
        assert console.get("/").status_code == 200


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(console: Browserless) -> None:
    assert timedelta(hours=12) == ABSOLUTE
    console.sign_in("finance")
    for _ in range(35):  # 11 h 40 min
        console.clock.advance(timedelta(minutes=20))
        assert console.get("/").status_code == 200
    console.clock.advance(timedelta(minutes=20))
    response = console.get("/")
    assert response.headers["Location"] == "/sign-in?ended=absolute"
    page = console.get("/sign-in?ended=absolute").get_data(as_text=True)
    assert "Sesi Anda berakhir karena sudah berlangsung 12 jam." in page


def test_revoking_a_token_ends_every_session_it_opened_at_the_next_page(
        console: Browserless) -> None:
    other = console.new_client()
    console.sign_in("clerk")
    console.sign_in("clerk", client=other)
    assert _signed_in_rows(console) == 2
    console.ledger.revoke_token("clerk.one", "left the agency", actor="admin.one")
    response = console.get("/claims")
    assert response.headers["Location"] == "/sign-in?ended=revoked&next=%2Fclaims"
    assert _signed_in_rows(console) == 0
    assert console.get("/", client=other).headers["Location"].startswith("/sign-in?ended=gone")
    page = console.get("/sign-in?ended=revoked").get_data(as_text=True)
    assert "Token Anda sudah dicabut, sehingga sesi diakhiri." in page


def test_a_token_that_expires_ends_its_session_at_the_next_page(console: Browserless,
                                                                short_token: str) -> None:
    console.sign_in(secret=short_token)
    assert console.get("/").status_code == 200
    console.clock.advance(timedelta(minutes=11))
    response = console.get("/")
    assert response.headers["Location"] == "/sign-in?ended=expired"
    assert _signed_in_rows(console) == 0


def test_an_htmx_request_of_an_ended_session_is_redirected_whole_by_htmx(
        console: Browserless) -> None:
    console.sign_in("auditor")
    console.clock.advance(timedelta(hours=1))
    response = console.get("/programmes?period=2025", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == ("/sign-in?ended=idle&next=%2Fprogrammes%3F"
                                               "period%3D2025")


def test_the_session_cookie_is_httponly_strict_and_secure_only_over_tls(
        console: Browserless) -> None:
    plain = console.get("/sign-in").headers["Set-Cookie"]
    assert plain.startswith(f"{COOKIE}=")
    assert "HttpOnly" in plain and "SameSite=Strict" in plain and "Path=/" in plain
    assert "Secure" not in plain
    tls = console.new_client().get("/sign-in", base_url="https://console.example")
    assert "Secure" in tls.headers["Set-Cookie"]


def test_a_forwarded_proto_header_alone_does_not_make_the_cookie_secure(
        console: Browserless) -> None:
    # The app believes the server's own word on TLS (gunicorn applies X-Forwarded-Proto only
    # from the addresses in forwarded_allow_ips); a header from anyone is not enough.
    response = console.new_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in response.headers["Set-Cookie"]


def test_the_json_api_neither_sets_nor_accepts_the_console_session(console: Browserless) -> None:
    console.sign_in("admin")
    api = console.client.get("/api/v1/programs")
    assert api.status_code == 401  # a console session is no bearer token: no CSRF on the API
    with_token = console.new_client().get(
        "/api/v1/programs", headers={"Authorization": f"Bearer {console.tokens['admin']}"})
    assert with_token.status_code == 200
    assert "Set-Cookie" not in with_token.headers


def test_sessions_past_their_limits_are_swept_from_the_table(console: Browserless) -> None:
    store = SessionStore(console.ledger)
    for _ in range(3):  # visitors who opened the sign-in form and went away
        console.get("/sign-in", client=console.new_client())
    assert len(store._run(f"SELECT id_hash FROM {store.sessions}")) == 3
    console.clock.advance(IDLE + timedelta(minutes=1))
    console.sign_in("auditor")  # a new row: the sweep runs with it
    rows = store._run(f"SELECT token_id FROM {store.sessions}")
    assert len(rows) == 1


def test_running_db_init_again_keeps_signed_in_sessions_and_the_csrf_key(
        console: Browserless, store_settings: StoreSettings) -> None:
    console.sign_in("auditor")
    key = SessionStore(console.ledger).key("csrf")
    init_store(store_settings)
    assert SessionStore(console.ledger).key("csrf") == key
    assert console.get("/").status_code == 200
    assert console.post_form("/masked", {"next": "/"}).status_code == 303
