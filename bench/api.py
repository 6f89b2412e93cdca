"""API throughput and latency under gunicorn on PostgreSQL, with 16 concurrent clients.

Prints one JSON line per figure: enrol a member, report an incident, read a member's coverage;
and, in the same run, the plain eventsourcing library saving one new aggregate per transaction
on the same server as the baseline. Loopback only; every phase is bounded in count and time.

    python bench/api.py [--clients 16] [--requests 2000] [--seconds 30] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from psycopg import sql

from bench.server import Client, cli, gunicorn
from ledger.synthetic import WorkerFactory

SERVER = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
OCCUPATIONS = ("ojek", "juru_parkir", "pedagang_kaki_lima", "buruh_harian_lepas", "pemulung")


def _database(name: str) -> str:
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return SERVER.rsplit("/", 1)[0] + "/" + name


def _drop(name: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def _drive(label: str, clients: int, jobs: list[Callable[[], int]], seconds: float,
           expected: int) -> dict[str, Any]:
    """Run ``jobs`` from ``clients`` threads; latency per request, throughput overall."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    queue = iter(jobs)
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                job = next(queue, None)
            if job is None:
                return
            started = time.perf_counter()
            status = job()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != expected:
                    failures.append(status)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"figure": label, "backend": "postgres", "clients": clients,
            "requests": len(latencies), "failed": len(failures),
            "requests_per_s": round(len(latencies) / wall, 1),
            "p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1),
            "p99_ms": round(cuts[98] * 1000, 1)}


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class Baseline(Application[uuid.UUID]):
    name = "Baseline"


def _baseline(url: str, clients: int, count: int, seconds: float) -> dict[str, Any]:
    """The plain library: one new aggregate per save(), same clients, same server."""
    parts = url.rsplit("/", 1)
    host = parts[0].split("@")[-1].split(":")[0]
    app = Baseline(env={"PERSISTENCE_MODULE": "eventsourcing.postgres",
                        "POSTGRES_DBNAME": parts[1], "POSTGRES_HOST": host,
                        "POSTGRES_PORT": "5432", "POSTGRES_USER": "postgres",
                        "POSTGRES_PASSWORD": "", "CREATE_TABLE": "y"})
    jobs = [lambda: (app.save(Note(text="x")), 201)[1] for _ in range(count)]
    result = _drive("baseline_library_one_event_per_save", clients, jobs, seconds, 201)
    app.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    name = f"claims_ledger_bench_{os.getpid()}"
    url = _database(name)
    try:
        cli(url, "db", "init")
        tokens = {role: cli(url, "token", "create", "--role", role, "--name", role)
                  for role in ("admin", "clerk", "finance", "auditor")}
        people = WorkerFactory(5, "36.71", OCCUPATIONS, (1, 4), ("Cimone",))
        bodies = []
        for _ in range(args.requests):
            worker = people.worker(date(2025, 3, 24))
            body = {k: (v.isoformat() if isinstance(v, date) else v)
                    for k, v in vars(worker).items()}
            bodies.append({**body, "program": "TNG-2025"})
        with gunicorn(url, workers=args.workers) as base:
            http = {role: Client(base, token) for role, token in tokens.items()}
            status, _ = http["admin"].call("POST", "/api/v1/programs", _programme())
            assert status == 201
            ids: list[str] = []

            def enrol(body: dict[str, Any]) -> Callable[[], int]:
                def job() -> int:
                    status, member = http["clerk"].call("POST", "/api/v1/members", body)
                    if status == 201:
                        ids.append(member["id"])
                    return status
                return job

            print(json.dumps(_drive("api_enrol_member", args.clients,
                                    [enrol(b) for b in bodies], args.seconds, 201)), flush=True)
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                status, _ = http["finance"].call("POST", "/api/v1/contributions", {
                    "program": "TNG-2025", "sp2d": f"SP2D/{start}", "paid_on": "2025-03-25",
                    "months": ["2025-07"], "member_ids": chunk, "amount": 16_800 * len(chunk)})
                assert status == 201, status

            def report(member_id: str) -> Callable[[], int]:
                return lambda: http["clerk"].call("POST", "/api/v1/incidents", {
                    "member_id": member_id, "kind": "accident", "occurred_on": "2025-07-14",
                    "place": "Jl. Daan Mogot", "work_related": True})[0]

            print(json.dumps(_drive("api_report_incident", args.clients,
                                    [report(i) for i in ids], args.seconds, 201)), flush=True)

            def read(member_id: str) -> Callable[[], int]:
                return lambda: http["auditor"].call(
                    "GET", f"/api/v1/members/{member_id}/coverage?on=2025-07-14")[0]

            print(json.dumps(_drive("api_read_coverage", args.clients,
                                    [read(i) for i in ids], args.seconds, 200)), flush=True)
        print(json.dumps(_baseline(url, args.clients, args.requests, args.seconds)), flush=True)
    finally:
        _drop(name)


def _programme() -> dict[str, Any]:
    return {
        "code": "TNG-2025", "name": "bench", "funder_name": "Pemerintah Kota Tangerang",
        "funder_region": "36.71", "funding_source": "APBD", "fiscal_year": 2025,
        "covers": ["JKK", "JKM"], "budget_ceiling": 999_936_000, "dpa_reference": "DPA",
        "first_month": "2025-03", "months": 10,
        "rates": [{"cover": "JKK", "valid_from": "2025-01-01", "amount": 10_000},
                  {"cover": "JKM", "valid_from": "2025-01-01", "amount": 6_800}],
        "branches": ["Cimone"], "deciles": [1, 4], "occupations": list(OCCUPATIONS),
    }


if __name__ == "__main__":
    main()
