"""API throughput and latency under gunicorn on PostgreSQL, with 16 concurrent clients.

gunicorn runs with the operators' configuration (``deploy/gunicorn.conf.py``): the JSON request
log is on and goes, with gunicorn's own messages, to a file in a temporary directory, as an
operator would send it. Each round prints one JSON line per figure:

- the baseline: the plain eventsourcing library saving one new aggregate per transaction on
  the same server with the same clients;
- enrol a member, report an incident and read a member's coverage, the clients sending as fast
  as answers come (the most the service gives; in such a closed loop the latency is mostly the
  wait in line, clients / throughput), each with its ratio to that round's baseline (issue 21);
- after each write, the same write sent on a fixed schedule (``--rate``, 300 a second, for
  ``--paced-seconds``), its latency counted from each request's scheduled time, so that falling
  behind shows: issue 13's target is 300 writes a second with a p95 under 50 ms.

Each API figure carries the request lines it left in the log (and those holding a run of 15+
digits: none should) and the CPU spent per request by the server, the database's backends and
the clients (kept-alive connections, one per client thread). Loopback only; every phase is
bounded in count and time; gunicorn's whole process group is ended on any way out (Ctrl-C and
SIGTERM included).

    python -m bench.api [--clients 16] [--requests 1500] [--seconds 30] [--rounds 1]
                        [--rate 300] [--paced-seconds 5] [--workers N] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from psycopg import sql

from bench.server import Client, Served, cli, cpu_of, exit_on_signals, gunicorn
from seed.synthetic import WorkerFactory

SERVER = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
OCCUPATIONS = ("ojek", "juru_parkir", "pedagang_kaki_lima", "buruh_harian_lepas", "pemulung")
#: What must never be in a log: a run of 15 or more digits (a NIK, a KK, a long account).
LONG_NUMBER = re.compile(r"(?<!\d)\d{15,}(?!\d)")


def _database(name: str) -> str:
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return SERVER.rsplit("/", 1)[0] + "/" + name


def _drop(name: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def _backends(database: str) -> set[int]:
    """The PostgreSQL server processes connected to ``database`` now."""
    with psycopg.connect(SERVER, autocommit=True) as admin:
        rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                             (database,)).fetchall()
    return {int(row[0]) for row in rows}


class CpuMeter:
    """CPU seconds spent during a phase by the server's processes, by the database's backends
    serving the bench database, and by this process (the clients; for the baseline, the
    library too). On two cores that others use, these are steadier than the rates."""

    def __init__(self, database: str, server: Served | None) -> None:
        self.database = database
        self.server = server
        self.backends = cpu_of(_backends(database))
        self.server_start = server.cpu_seconds() if server is not None else 0.0
        self.client_start = time.process_time()

    def per_request(self, requests: int) -> dict[str, float]:
        """Milliseconds of CPU a request, by side, and the rate two otherwise idle cores would
        reach if the CPU were all that limits it."""
        now = cpu_of(self.backends.keys() | _backends(self.database))
        # A backend that started during the phase counts whole; one that ended is lost.
        database = sum(cpu - self.backends.get(pid, 0.0) for pid, cpu in now.items())
        sides = {"client": time.process_time() - self.client_start, "database": database}
        if self.server is not None:
            sides["server"] = self.server.cpu_seconds() - self.server_start
        spent = {f"{side}_cpu_ms_per_request": round(seconds * 1000 / requests, 2)
                 for side, seconds in sides.items()}
        total = sum(sides.values())
        spent["cpu_bound_requests_per_s_on_2_cores"] = round(2 * requests / total) \
            if total > 0 else 0
        return spent


def _drive(label: str, clients: int, jobs: list[Callable[[], int]], seconds: float,
           expected: int, database: str, server: Served | None = None,
           rate: float | None = None) -> dict[str, Any]:
    """Run ``jobs`` from ``clients`` threads; latency per request, throughput overall, CPU
    per request.

    Without ``rate`` the clients send as fast as answers come (a closed loop at saturation:
    the throughput is the most the service gives, and the latency is mostly waiting in line,
    ``clients`` / throughput). With ``rate`` the requests are sent on a fixed schedule, job
    ``i`` at ``i / rate`` seconds, and each latency runs from its scheduled time, not from when a
    free client sent it: a service that falls behind the schedule pays for the backlog in its
    latency (no coordinated omission). A request that raises (a timeout, a refused connection)
    counts as failed with status 0; the threads stop at the deadline, or when the caller is
    interrupted."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    queue = enumerate(jobs)
    stop = threading.Event()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            with lock:
                index, job = next(queue, (-1, None))
            if job is None:
                return
            if rate is not None:
                due = first + index / rate
                time.sleep(max(0.0, due - time.perf_counter()))
            started = time.perf_counter() if rate is None else due
            try:
                status = job()
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != expected:
                    failures.append(status)

    # Daemon threads: an interrupted run leaves without waiting for them.
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    meter = CpuMeter(database, server)
    started = time.perf_counter()
    first = started + 0.05  # the schedule's start (with ``rate``): the threads are up by then
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop.set()
    wall = time.perf_counter() - (started if rate is None else first)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    figure: dict[str, Any] = {"figure": label, "backend": "postgres", "clients": clients}
    if rate is not None:
        figure["offered_requests_per_s"] = rate
    figure.update({"requests": len(latencies), "failed": len(failures),
                   "requests_per_s": round(len(latencies) / wall, 1),
                   "p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1),
                   "p99_ms": round(cuts[98] * 1000, 1)})
    if latencies:
        figure.update(meter.per_request(len(latencies)))
    return figure


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
    try:
        jobs = [lambda: (app.save(Note(text="x")), 201)[1] for _ in range(count)]
        return _drive("baseline_library_one_event_per_save", clients, jobs, seconds, 201,
                      parts[1])
    finally:
        app.close()


class RequestLog:
    """The request lines gunicorn's workers wrote to the log file since the last look."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def since_last(self) -> dict[str, int]:
        """Request lines and lines holding a run of 15+ digits, written since the last call."""
        if not self.path.exists():
            return {"request_log_lines": 0, "log_lines_with_long_numbers": 0}
        with self.path.open("rb") as log:
            log.seek(self.offset)
            text = log.read().decode("utf-8", errors="replace")
            self.offset = log.tell()
        lines = text.splitlines()
        return {"request_log_lines": sum(_is_request_line(line) for line in lines),
                "log_lines_with_long_numbers": sum(bool(LONG_NUMBER.search(line))
                                                   for line in lines)}


def _is_request_line(line: str) -> bool:
    try:
        record = json.loads(line)
    except ValueError:
        return False
    return isinstance(record, dict) and record.get("event") == "request"


#: Issue 13's target for the API's writes, with the request log on.
ISSUE_13_WRITES_PER_S, ISSUE_13_P95_MS = 300, 50


def _with_ratio(figure: dict[str, Any], baseline: dict[str, Any],
                log: RequestLog) -> dict[str, Any]:
    """A figure at saturation beside the round's baseline: throughput and p95 as ratios, the
    baseline's own two figures they were divided by, and whether issue 21's target holds in
    this round (at least 0.6 of the baseline's throughput, a p95 at most twice the
    baseline's)."""
    throughput = round(figure["requests_per_s"] / baseline["requests_per_s"], 2)
    p95 = round(figure["p95_ms"] / baseline["p95_ms"], 2)
    ratios = {"throughput_vs_baseline": throughput, "p95_vs_baseline": p95,
              "baseline_requests_per_s": baseline["requests_per_s"],
              "baseline_p95_ms": baseline["p95_ms"],
              "within_issue_21_target": throughput >= 0.6 and p95 <= 2.0}
    return {**figure, **ratios, **log.since_last()}


def _at_rate(figure: dict[str, Any], sent: int, log: RequestLog) -> dict[str, Any]:
    """A write sent at a fixed rate, and whether issue 13's target holds: every one of the
    ``sent`` requests answered as expected, at 300 or more a second, with a p95 (counted from
    each request's scheduled time) under 50 ms."""
    met = (figure["offered_requests_per_s"] >= ISSUE_13_WRITES_PER_S
           and figure["requests"] == sent and figure["failed"] == 0
           and figure["p95_ms"] < ISSUE_13_P95_MS)
    return {**figure, "within_issue_13_target": met, **log.since_last()}


def _round(url: str, args: argparse.Namespace, round_number: int, tokens: dict[str, str],
           log_dir: Path) -> None:
    """One round: a fresh programme, the baseline, then the three API figures."""
    code = f"TNG-{2025 + round_number}"
    database = url.rsplit("/", 1)[1]
    baseline = _baseline(url, args.clients, args.requests, args.seconds)
    print(json.dumps({**baseline, "round": round_number}), flush=True)
    # Each round's serials start 50 higher: NIKs of different rounds never meet, and the
    # serial stays within the NIK's four digits for up to 190 rounds.
    people = WorkerFactory(5 + round_number, "36.71", OCCUPATIONS, (1, 4), ("Cimone",),
                           serial_base=round_number * 50)
    paced = round(args.rate * args.paced_seconds)  # requests of each write's paced phase
    bodies = []
    for _ in range(args.requests + paced):
        worker = people.worker(date(2025, 3, 24))
        body = {k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in vars(worker).items()}
        bodies.append({**body, "program": code})
    log = RequestLog(log_dir / f"gunicorn-{round_number}.log")
    with gunicorn(url, workers=args.workers, threads=args.threads, log=log.path) as base:
        http = {role: Client(base, token) for role, token in tokens.items()}
        status, _ = http["admin"].call("POST", "/api/v1/programs", _programme(code))
        assert status == 201, status
        log.since_last()
        ids: list[str] = []

        def enrol(body: dict[str, Any]) -> Callable[[], int]:
            def job() -> int:
                status, member = http["clerk"].call("POST", "/api/v1/members", body)
                if status == 201:
                    ids.append(member["id"])
                return status
            return job

        figure = _drive("api_enrol_member", args.clients,
                        [enrol(b) for b in bodies[:args.requests]], args.seconds, 201,
                        database, base)
        print(json.dumps({**_with_ratio(figure, baseline, log), "round": round_number}),
              flush=True)
        if paced:
            jobs = [enrol(b) for b in bodies[args.requests:]]
            figure = _drive(f"api_enrol_member_at_{args.rate:g}_per_s", args.clients, jobs,
                            args.paced_seconds + args.seconds, 201, database, base, args.rate)
            print(json.dumps({**_at_rate(figure, len(jobs), log), "round": round_number}),
                  flush=True)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            status, _ = http["finance"].call("POST", "/api/v1/contributions", {
                "program": code, "sp2d": f"SP2D/{start}", "paid_on": "2025-03-25",
                "months": ["2025-07"], "member_ids": chunk, "amount": 16_800 * len(chunk)})
            assert status == 201, status
        log.since_last()

        def report(member_id: str) -> Callable[[], int]:
            return lambda: http["clerk"].call("POST", "/api/v1/incidents", {
                "member_id": member_id, "kind": "accident", "occurred_on": "2025-07-14",
                "place": "Jl. Daan Mogot", "work_related": True})[0]

        later = ids[len(ids) - paced:] if 0 < paced < len(ids) else []  # the paced phase's
        figure = _drive("api_report_incident", args.clients,
                        [report(i) for i in ids[:len(ids) - len(later)]], args.seconds, 201,
                        database, base)
        print(json.dumps({**_with_ratio(figure, baseline, log), "round": round_number}),
              flush=True)
        if paced and not later:  # too few members enrolled to send them at the rate
            print(json.dumps({"figure": f"api_report_incident_at_{args.rate:g}_per_s",
                              "backend": "postgres", "requests": 0, "skipped": f"only "
                              f"{len(ids)} members were enrolled, {paced} more were needed",
                              "within_issue_13_target": False, "round": round_number}),
                  flush=True)
        if later:
            jobs = [report(i) for i in later]
            figure = _drive(f"api_report_incident_at_{args.rate:g}_per_s", args.clients, jobs,
                            args.paced_seconds + args.seconds, 201, database, base, args.rate)
            print(json.dumps({**_at_rate(figure, len(jobs), log), "round": round_number}),
                  flush=True)

        def read(member_id: str) -> Callable[[], int]:
            return lambda: http["auditor"].call(
                "GET", f"/api/v1/members/{member_id}/coverage?on=2025-07-14")[0]

        figure = _drive("api_read_coverage", args.clients, [read(i) for i in ids],
                        args.seconds, 200, database, base)
        print(json.dumps({**_with_ratio(figure, baseline, log), "round": round_number}),
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=ISSUE_13_WRITES_PER_S,
                        help="each write's paced phase: requests a second, on a fixed schedule")
    parser.add_argument("--paced-seconds", type=float, default=5,
                        help="length of each write's paced phase (0: none)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: the deploy configuration's)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per worker (default: the deploy configuration's)")
    parser.add_argument("--rounds", type=int, default=1, choices=range(1, 191),
                        metavar="1-190",
                        help="Rounds of baseline and figures, each on a programme of its own.")
    args = parser.parse_args()
    exit_on_signals()  # SIGTERM/SIGHUP end gunicorn's group and drop the database too
    name = f"claims_ledger_bench_{os.getpid()}"
    url = _database(name)
    try:
        cli(url, "db", "init")
        tokens = {role: cli(url, "token", "create", "--role", role, "--name", role)
                  for role in ("admin", "clerk", "finance", "auditor")}
        with tempfile.TemporaryDirectory(prefix="claims-ledger-bench-api-") as log_dir:
            for round_number in range(args.rounds):
                _round(url, args, round_number, tokens, Path(log_dir))
    finally:
        _drop(name)


def _programme(code: str) -> dict[str, Any]:
    return {
        "code": code, "name": "bench", "funder_name": "Pemerintah Kota Tangerang",
        "funder_region": "36.71", "funding_source": "APBD", "fiscal_year": 2025,
        "covers": ["JKK", "JKM"], "budget_ceiling": 999_936_000, "dpa_reference": "DPA",
        "first_month": "2025-03", "months": 10,
        "rates": [{"cover": "JKK", "valid_from": "2025-01-01", "amount": 10_000},
                  {"cover": "JKM", "valid_from": "2025-01-01", "amount": 6_800}],
        "branches": ["Cimone"], "deciles": [1, 4], "occupations": list(OCCUPATIONS),
    }


if __name__ == "__main__":
    main()
