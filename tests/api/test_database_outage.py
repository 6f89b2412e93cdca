"""When PostgreSQL is down the API says so with 503 and ``Retry-After``, never 500, and is back
as soon as the database is; a restart of the server in between requests is not noticed at all.
A request cut off from the database half-way (after its Idempotency-Key was kept) still gets
its answer, and its retry with the same key is not told "still running" for ever."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import psycopg
import pytest
from http_bodies import enrolment, programme
from http_client import Api
from pg_cluster import Cluster, throwaway_cluster
from tcp_proxy import CommitDropper

from api.app import create_app
from ledger.application import Ledger
from ledger.token import ROLES
from storage.settings import RETRY_AFTER_SECONDS, StoreSettings, settings_from_url
from storage.store import init_store

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with throwaway_cluster() as started:
        yield started


def _api(settings: StoreSettings) -> Api:
    app = create_app(settings)
    ledger: Ledger = app.extensions["claims_ledger"]
    tokens = {role: ledger.issue_token(f"{role}.one", role, actor="test")[0] for role in ROLES}
    return Api(app, app.test_client(), tokens)


@pytest.fixture
def cluster_api(cluster: Cluster) -> Iterator[Api]:
    settings = settings_from_url(cluster.url())
    init_store(settings)
    api = _api(settings)
    yield api
    api.app.extensions["claims_ledger"].close()


def _until_answered(call: Callable[[], Any], attempts: int = 40) -> Any:
    """The first answer that does not say "try again": not 503 (the pool takes a moment to
    connect again), nor 409 in progress (the key's release waits for that moment too)."""
    for _ in range(attempts):
        response = call()
        again = response.status_code == 503 or (
            response.status_code == 409 and response.json["rule"] == "idempotency-in-progress")
        if not again:
            return response
        time.sleep(0.25)
    return response


def _unavailable(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.mimetype == "application/problem+json"
    assert response.json["rule"] == "store-unavailable"
    assert "not reachable" in response.json["detail"]
    assert "127.0.0.1" not in response.json["detail"]  # the driver's words are logged only


def test_with_the_database_stopped_reads_and_writes_get_503_with_retry_after_and_never_500(
        cluster: Cluster, cluster_api: Api) -> None:
    api = cluster_api
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    member = api.post("/api/v1/members", "clerk", enrolment(1)).json

    cluster.stop()
    _unavailable(api.get(f"/api/v1/members/{member['id']}"))
    _unavailable(api.post("/api/v1/members", "clerk", enrolment(2)))
    _unavailable(api.get("/api/v1/coverage"))  # the projections' own connection
    _unavailable(api.post("/api/v1/members", "clerk", enrolment(3), **{"Idempotency-Key": "k3"}))

    cluster.start()
    back = _until_answered(lambda: api.get(f"/api/v1/members/{member['id']}"))
    assert back.status_code == 200
    again = api.post("/api/v1/members", "clerk", enrolment(3), **{"Idempotency-Key": "k3"})
    assert again.status_code == 201, again.json


def test_a_restart_of_the_database_between_requests_is_not_noticed(
        cluster: Cluster, cluster_api: Api) -> None:
    api = cluster_api
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    member = api.post("/api/v1/members", "clerk", enrolment(1)).json
    assert api.get("/api/v1/coverage").status_code == 200

    cluster.restart()  # pg_ctl restart -m immediate: every pooled connection is cut
    assert api.get("/api/v1/coverage").status_code == 200  # the projections' own connection
    assert api.get(f"/api/v1/members/{member['id']}").status_code == 200
    created = api.post("/api/v1/members", "clerk", enrolment(2))
    assert created.status_code == 201, created.json


def test_a_restart_is_not_noticed_by_what_reads_and_writes_past_the_library_either(
        cluster: Cluster, cluster_api: Api) -> None:
    api = cluster_api
    ledger: Ledger = api.app.extensions["claims_ledger"]
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    member = api.post("/api/v1/members", "clerk", enrolment(1)).json

    cluster.restart()  # the first thing after it keeps its Idempotency-Key in its own table
    created = api.post("/api/v1/members", "clerk", enrolment(2), **{"Idempotency-Key": "k2"})
    assert created.status_code == 201, created.json
    cluster.restart()  # and the bulk read of members' first events
    assert set(ledger.first_events([UUID(member["id"])])) == {UUID(member["id"])}


@pytest.fixture
def proxy() -> Iterator[CommitDropper]:
    server = urlsplit(os.environ.get("LEDGER_TEST_POSTGRES_URL",
                                     "postgresql://postgres@127.0.0.1:5432/postgres"))
    with CommitDropper(server.port or 5432, server.hostname or "127.0.0.1") as dropper:
        yield dropper


@pytest.fixture
def proxied_api(postgres_settings: StoreSettings, proxy: CommitDropper) -> Iterator[Api]:
    parts = urlsplit(postgres_settings.url)
    netloc = f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"
    api = _api(settings_from_url(urlunsplit((parts.scheme, netloc, parts.path, parts.query,
                                             ""))))
    yield api
    api.app.extensions["claims_ledger"].close()


def _enrolled(settings: StoreSettings) -> int:
    table = f'"{settings.env["POSTGRES_SCHEMA"]}".ledger_events'
    with psycopg.connect(settings.url.split("?")[0]) as connection:
        row = connection.execute(f"SELECT count(*) FROM {table} WHERE topic = "
                                 "'ledger.enrolment:Enrolment.Enrolled'").fetchone()
    return int(row[0]) if row else 0


def test_a_write_cut_off_after_its_idempotency_key_was_kept_gets_503_and_its_retry_is_recorded(
        proxied_api: Api, proxy: CommitDropper, postgres_settings: StoreSettings) -> None:
    api = proxied_api
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    body = enrolment(4)

    proxy.cut_after_commits(1)  # the key is kept, then the database is gone
    _unavailable(api.post("/api/v1/members", "clerk", body, **{"Idempotency-Key": "k4"}))
    assert _enrolled(postgres_settings) == 0

    proxy.restore()
    retry = _until_answered(
        lambda: api.post("/api/v1/members", "clerk", body, **{"Idempotency-Key": "k4"}))
    assert retry.status_code == 201, retry.json  # not "the first request is still running"
    assert _enrolled(postgres_settings) == 1


def test_a_write_recorded_just_before_the_database_went_away_is_answered_and_replayed_once(
        proxied_api: Api, proxy: CommitDropper, postgres_settings: StoreSettings) -> None:
    api = proxied_api
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    body = enrolment(5)

    proxy.cut_after_commits(3)  # the key, the member saved, its answer kept
    first = api.post("/api/v1/members", "clerk", body, **{"Idempotency-Key": "k5"})
    assert first.status_code == 201, first.get_data(as_text=True)

    proxy.restore()
    retry = _until_answered(
        lambda: api.post("/api/v1/members", "clerk", body, **{"Idempotency-Key": "k5"}))
    assert retry.status_code == 201 and retry.json["id"] == first.json["id"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert _enrolled(postgres_settings) == 1


def test_a_key_left_reserved_while_the_database_was_gone_is_released_with_no_further_request(
        proxied_api: Api, proxy: CommitDropper, postgres_settings: StoreSettings) -> None:
    """Another worker process may get the retry: this one frees the key on its own."""
    api = proxied_api
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    proxy.cut_after_commits(1)
    _unavailable(api.post("/api/v1/members", "clerk", enrolment(6), **{"Idempotency-Key": "k6"}))
    proxy.restore()

    table = f'"{postgres_settings.env["POSTGRES_SCHEMA"]}".ledger_idempotency'
    with psycopg.connect(postgres_settings.url.split("?")[0], autocommit=True) as connection:
        for _ in range(60):
            row = connection.execute(f"SELECT count(*) FROM {table} WHERE key = 'k6'").fetchone()
            if row and row[0] == 0:
                break
            time.sleep(0.25)
    assert row is not None and row[0] == 0
