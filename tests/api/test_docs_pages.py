"""The docs pages load everything from the app itself: they work on a network without internet."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from http_client import Api


class _References(HTMLParser):
    """Every URL a page makes the browser load: scripts, styles, images, the spec it reads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "spec-url") and value:
                self.urls.append(value)

    def handle_data(self, data: str) -> None:
        self.scripts.append(data)


@pytest.mark.parametrize("page", ["/api/v1/docs", "/api/v1/redoc"])
def test_a_docs_page_references_only_the_apps_own_urls_and_they_load(
    api: Api, page: str,
) -> None:
    response = api.client.get(page)  # no token, like the OpenAPI document itself
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    html = response.get_data(as_text=True)
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), \
        "the page names another host"
    parsed = _References()
    parsed.feed(html)
    # Swagger UI is told its document in the inline script.
    parsed.urls += re.findall(r'url:\s*"([^"]+)"', "".join(parsed.scripts))
    assert "/api/v1/openapi.json" in parsed.urls
    scripts = [url for url in parsed.urls if url.endswith(".js")]
    assert scripts, "the page loads no script"
    for url in parsed.urls:
        assert url.startswith("/api/v1/"), url
        loaded = api.client.get(url)
        assert loaded.status_code == 200, url
        assert len(loaded.data) > 1000, url
        if url.endswith(".js"):
            assert "javascript" in loaded.content_type, url
        if url.endswith(".css"):
            assert loaded.content_type.startswith("text/css"), url


def test_swagger_ui_is_a_release_that_renders_openapi_3_1_and_sends_nothing_to_a_validator(
    api: Api,
) -> None:
    html = api.client.get("/api/v1/docs").get_data(as_text=True)
    assert '"validatorUrl": null' in html
    assert api.client.get("/api/v1/openapi.json").json["openapi"].startswith("3.1")
    bundle = api.client.get("/api/v1/docs/assets/swagger-ui-bundle.js").get_data(as_text=True)
    # Swagger UI renders OpenAPI 3.1 from its major version 5 on (4.x shows "Unable to render").
    assert re.search(r'PACKAGE_VERSION:"5\.\d+\.\d+"', bundle)


def test_a_docs_asset_outside_the_package_is_not_served(api: Api) -> None:
    for path in ("/api/v1/docs/assets/../../../etc/passwd",
                 "/api/v1/docs/assets/%2e%2e/%2e%2e/pyproject.toml",
                 "/api/v1/docs/assets/no-such-file.js"):
        assert api.client.get(path).status_code == 404, path
