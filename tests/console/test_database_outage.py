"""With PostgreSQL stopped a console page says so in words (503, Retry-After), never a trace
nor the API's JSON; the session is still there when the database is back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from console_client import Browserless, MovableClock
from pg_cluster import Cluster, pg_cluster

from api.app import create_app
from api.console.state import console_state
from storage.settings import RETRY_AFTER_SECONDS, settings_from_url
from storage.store import init_store

pytestmark = pytest.mark.postgres
__all__ = ["pg_cluster"]


@pytest.fixture
def cluster_console(pg_cluster: Cluster) -> Iterator[Browserless]:
    settings = settings_from_url(pg_cluster.url())
    init_store(settings)
    app = create_app(settings)
    clock = MovableClock(datetime.now(UTC))
    console_state(app).clock = clock
    ledger = app.extensions["claims_ledger"]
    tokens = {"auditor": ledger.issue_token("auditor.one", "auditor", actor="test")[0]}
    yield Browserless(app, app.test_client(), tokens, clock)
    ledger.close()


def test_with_the_database_stopped_a_console_page_says_so_and_the_session_outlives_it(
        pg_cluster: Cluster, cluster_console: Browserless) -> None:
    console = cluster_console
    console.sign_in("auditor")
    assert console.get("/").status_code == 200
    pg_cluster.stop()
    for path in ("/", "/programmes", "/sign-in"):
        response = console.get(path)
        assert response.status_code == 503, path
        assert response.mimetype == "text/html"
        assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        page = response.get_data(as_text=True)
        assert "Basis data ledger tidak dapat dihubungi saat ini." in page
        assert "Traceback" not in page and "127.0.0.1" not in page
    pg_cluster.start()
    for _ in range(40):  # the pool takes a moment to connect again
        back = console.get("/")
        if back.status_code != 503:
            break
    assert back.status_code == 200
    assert "Selamat datang, auditor.one." in back.get_data(as_text=True)
