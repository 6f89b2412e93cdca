"""Reads on a streaming replica beside reads on the primary, in one run, while the primary takes
writes.

    python -m bench.replica [--members 2000] [--seconds 10] [--readers 4]
                            [--page coverage|programmes]

Starts a throwaway primary and a synchronous hot standby (``tests/pg_cluster.py``: initdb,
``pg_basebackup -R``, loopback ports), enrols ``--members`` members, then runs two phases of the
same load: one writer enrolling members (projected as it goes, as the worker would) and
``--readers`` threads reading ``/coverage`` pages (``--page programmes``: the console's
programmes page instead, a reading that opens the read side each time, as the console's reading
pages and the documents do); first with the readers on the primary
(``LEDGER_READ_DATABASE_URL`` unset), then on the replica. One JSON line per phase: reads a
second, their p50/p95, which server answered them (``X-Served-By``), writes a second, and the
rows the primary's own database returned (``pg_stat_database.tup_returned``): the read load
the primary carried; and the connections opened to the replica meanwhile (the standby's own
``pg_stat_database.sessions``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from pg_cluster import Cluster, replicated_clusters  # type: ignore[import-not-found]

from api.app import create_app
from projections.runner import Projector
from storage.settings import settings_from_url, with_read_replica
from storage.store import init_store


def _bodies() -> tuple[dict[str, Any], Any]:
    from http_bodies import enrolment, programme  # type: ignore[import-not-found]

    return programme(), enrolment


def _tup_returned(primary: Cluster, name: str) -> int:
    [(value,)] = primary.execute(
        f"SELECT tup_returned FROM pg_stat_database WHERE datname = '{name}'")
    return int(str(value))


def _sessions(server: Cluster, name: str) -> int:
    """Connections ever opened to database ``name`` on ``server`` (its own statistics)."""
    [(value,)] = server.execute(f"SELECT sessions FROM pg_stat_database WHERE datname = '{name}'")
    return int(str(value))


def _console_reader(app: Any, token: str) -> Any:
    """A signed-in console session reading the programmes page; its answer each time."""
    from datetime import UTC, datetime

    from console_client import Browserless, MovableClock  # type: ignore[import-not-found]

    console = Browserless(app, app.test_client(), {"auditor": token},
                          MovableClock(datetime.now(UTC)))
    assert console.sign_in("auditor").status_code == 303
    return lambda: console.get("/programmes")


def _phase(primary: Cluster, standby: Cluster, name: str, on_replica: bool, seconds: float,
           readers: int, first_seed: int, page: str = "coverage") -> dict[str, Any]:
    settings = settings_from_url(primary.url(name))
    if on_replica:
        settings = with_read_replica(settings, standby.url(name))
    app = create_app(settings)
    ledger = app.extensions["claims_ledger"]
    reader_token = ledger.issue_token(f"auditor.{first_seed}", "auditor", actor="bench")[0]
    clerk = ledger.issue_token(f"clerk.{first_seed}", "clerk", actor="bench")[0]
    _, enrolment = _bodies()
    stop = threading.Event()
    latencies: list[float] = []
    served: Counter[str] = Counter()
    writes = 0
    lock = threading.Lock()

    def read() -> None:
        client = app.test_client()
        after = 0
        console = _console_reader(app, reader_token) if page == "programmes" else None
        while not stop.is_set():
            started = time.perf_counter()
            if console is not None:
                answer = console()
            else:
                answer = client.get(f"/api/v1/coverage?limit=50&after={after}",
                                    headers={"Authorization": f"Bearer {reader_token}"})
            took = time.perf_counter() - started
            assert answer.status_code == 200, answer.get_data(as_text=True)
            after = (answer.json or {}).get("next") or 0 if console is None else 0
            with lock:
                latencies.append(took)
                served[answer.headers.get("X-Served-By", "?")] += 1

    def write() -> None:
        nonlocal writes
        client = app.test_client()
        worker = Projector(ledger)
        seed = first_seed
        while not stop.is_set():
            answer = client.post("/api/v1/members", json=enrolment(seed),
                                 headers={"Authorization": f"Bearer {clerk}"})
            assert answer.status_code in (201, 422), answer.get_data(as_text=True)
            seed += 1
            writes += answer.status_code == 201  # a generated NIK seen before is refused
            worker.catch_up()
        worker.close()

    before = _tup_returned(primary, name)
    opened_before = _sessions(standby, name)
    threads = [threading.Thread(target=read) for _ in range(readers)]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    returned = _tup_returned(primary, name) - before
    opened = _sessions(standby, name) - opened_before
    ledger.close()
    latencies.sort()
    return {"figure": "reads_on_replica" if on_replica else "reads_on_primary", "page": page,
            "reads_per_s": round(len(latencies) / seconds, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
            "served_by": dict(served), "writes_per_s": round(writes / seconds, 1),
            "primary_rows_returned": returned, "replica_connections_opened": opened}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--page", choices=("coverage", "programmes"), default="coverage",
                        help="what the readers read: the API's /coverage list, or the "
                             "console's programmes page (opens the read side each time)")
    options = parser.parse_args()
    with replicated_clusters() as (primary, standby):
        name = "bench_replica"
        primary.create_database(name)
        settings = settings_from_url(primary.url(name))
        init_store(settings)
        app = create_app(settings)
        ledger = app.extensions["claims_ledger"]
        admin = ledger.issue_token("admin.bench", "admin", actor="bench")[0]
        clerk = ledger.issue_token("clerk.bench", "clerk", actor="bench")[0]
        programme, enrolment = _bodies()
        client = app.test_client()
        client.post("/api/v1/programs", json=programme,
                    headers={"Authorization": f"Bearer {admin}"})
        for seed in range(options.members):
            client.post("/api/v1/members", json=enrolment(seed),
                        headers={"Authorization": f"Bearer {clerk}"})
        worker = Projector(ledger)
        worker.catch_up()
        worker.close()
        ledger.close()
        seed = 1_000_000
        for on_replica in (False, True):
            print(json.dumps(_phase(primary, standby, name, on_replica, options.seconds,
                                    options.readers, seed, options.page)), flush=True)
            seed += 100_000


if __name__ == "__main__":
    main()
