"""A revoked or expired token is refused at once by every gunicorn worker, over real HTTP.

Two sync workers, one request at a time each. A read with ``?min_position=1`` while no projector
runs keeps a worker busy for the API's wait (3 s) after the token was checked, and then answers
503 (the projections have not reached it). Two such reads at once are served by the two
workers, so both have checked (and cached) the token; after the token is revoked (or expires), a
slow read by another token occupies one worker while the refused token is sent, so that it is
answered by the other, and then the other way round.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bench.server import Client, cli, gunicorn
from storage.log_index import open_ledger
from storage.settings import settings_from_url

SLOW_READ = "/api/v1/coverage?min_position=1"  # waits for a projector that is not running


def _in_background(client: Client, path: str) -> tuple[threading.Thread, list[Any]]:
    answer: list[Any] = []
    thread = threading.Thread(target=lambda: answer.append(client.call("GET", path)))
    thread.start()
    time.sleep(0.5)  # let a worker accept it before the next request is sent
    return thread, answer


def _served_by_both_workers(token: Client) -> list[tuple[int, Any]]:
    """Two slow reads with ``token`` at once: one per worker."""
    first, one = _in_background(token, SLOW_READ)
    second, two = _in_background(token, SLOW_READ)
    first.join()
    second.join()
    return [*one, *two]


def _refused_by_both_workers(other: Client, refused: Client) -> list[tuple[int, Any]]:
    """``refused`` sent while ``other`` keeps the first worker busy, then while it keeps the
    second busy."""
    answers = []
    busy, _ = _in_background(other, SLOW_READ)        # worker A
    answers.append(refused.call("GET", "/api/v1/programs"))   # worker B (A is busy)
    busy_again, _ = _in_background(other, SLOW_READ)  # worker B (A is still busy)
    busy.join()                                        # A is free, B is not
    answers.append(refused.call("GET", "/api/v1/programs"))   # worker A
    busy_again.join()
    return answers


@pytest.mark.postgres
def test_a_revoked_and_an_expired_token_are_refused_at_once_by_every_worker(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"{postgres_database}?schema=token_revocation"
    monkeypatch.setenv("LEDGER_LOG_LEVEL", "WARNING")  # gunicorn's pipe is read only at exit
    cli(url, "db", "init")
    admin = cli(url, "token", "create", "--role", "admin", "--name", "admin.http")
    clerk = cli(url, "token", "create", "--role", "clerk", "--name", "clerk.http")
    auditor = cli(url, "token", "create", "--role", "auditor", "--name", "auditor.http")
    writer = open_ledger(settings_from_url(url))  # another process's view of the same store
    try:
        with gunicorn(url, workers=2) as base:
            # Long enough to be checked by both workers first (two slow reads of 3 s each).
            short, short_lived = writer.issue_token(
                "short.lived", "clerk", actor="test",
                expires_at=datetime.now(UTC) + timedelta(seconds=12))
            http = {name: Client(base, secret) for name, secret in (
                ("admin", admin), ("clerk", clerk), ("auditor", auditor), ("short", short))}
            for name in ("short", "clerk"):
                # Past the token check in both workers: waiting for the projections, not 401.
                warm = _served_by_both_workers(http[name])
                assert [status for status, _ in warm] == [503, 503], warm

            status, listed = http["admin"].call("GET", "/api/v1/tokens")
            assert status == 200
            [target] = [t for t in listed["items"] if t["name"] == "clerk.http"]
            status, revoked = http["admin"].call(
                "POST", f"/api/v1/tokens/{target['id']}/revoke", {"reason": "left the office"})
            assert status == 200 and revoked["status"] == "revoked"
            answers = _refused_by_both_workers(http["auditor"], http["clerk"])
            assert [(s, b.get("rule")) for s, b in answers] == [(401, "token-revoked")] * 2

            while datetime.now(UTC) <= short_lived.expires_at:
                time.sleep(0.2)
            answers = _refused_by_both_workers(http["auditor"], http["short"])
            assert [(s, b.get("rule")) for s, b in answers] == [(401, "token-expired")] * 2
            assert all("expired at" in b["detail"] for _, b in answers)
            # The others still work.
            assert http["auditor"].call("GET", "/api/v1/programs")[0] == 200
    finally:
        writer.close()
