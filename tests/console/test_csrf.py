"""CSRF: every console form and every htmx request that changes something needs the page's
token; without it nothing changes and the page says so in words."""

from __future__ import annotations

from console_client import Browserless


def _masked(console: Browserless) -> bool:
    return 'aria-pressed="true"' in console.get("/").get_data(as_text=True)


def test_a_form_post_without_its_csrf_token_is_refused_and_changes_nothing(
        console: Browserless) -> None:
    console.sign_in("auditor")
    response = console.post_form("/masked", {"next": "/"}, with_token=False)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<p id="error-message">Formulir ini tidak dapat diterima' in page
    assert not _masked(console)


def test_a_form_post_with_its_csrf_token_is_accepted(console: Browserless) -> None:
    console.sign_in("auditor")
    response = console.post_form("/masked", {"next": "/"})
    assert response.status_code == 303
    assert _masked(console)


def test_an_htmx_post_without_the_csrf_header_is_refused_and_changes_nothing(
        console: Browserless) -> None:
    console.sign_in("auditor")
    response = console.post_htmx("/masked", with_token=False)
    assert response.status_code == 400
    assert "Formulir ini tidak dapat diterima" in response.get_data(as_text=True)
    assert not _masked(console)


def test_an_htmx_post_with_the_csrf_header_is_accepted(console: Browserless) -> None:
    console.sign_in("auditor")
    response = console.post_htmx("/masked")
    assert response.status_code == 204
    assert response.headers["HX-Refresh"] == "true"
    assert _masked(console)


def test_a_csrf_token_of_another_session_is_refused(console: Browserless) -> None:
    other = console.new_client()
    console.sign_in("auditor")
    console.sign_in("clerk", client=other)
    foreign = console.csrf("/", other)
    response = console.client.post("/masked", data={"csrf_token": foreign, "next": "/"})
    assert response.status_code == 400
    assert not _masked(console)


def test_signing_out_needs_the_token_too(console: Browserless) -> None:
    console.sign_in("auditor")
    assert console.post_form("/sign-out", {}, with_token=False).status_code == 400
    assert console.get("/").status_code == 200


def test_the_sign_in_form_without_its_token_opens_no_session(console: Browserless) -> None:
    console.get("/sign-in")
    response = console.client.post("/sign-in", data={"token": console.tokens["admin"]})
    assert response.status_code == 400
    assert console.get("/").status_code == 303


def test_over_tls_a_form_from_another_site_is_refused_even_with_a_token(
        console: Browserless) -> None:
    client = console.new_client()
    page = client.get("/sign-in", base_url="https://console.example").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    data = {"csrf_token": token, "token": console.tokens["auditor"]}
    foreign = client.post("/sign-in", data=data, base_url="https://console.example",
                          headers={"Referer": "https://evil.example/sign-in"})
    assert foreign.status_code == 400
    ours = client.post("/sign-in", data=data, base_url="https://console.example",
                       headers={"Referer": "https://console.example/sign-in"})
    assert ours.status_code == 303
