"""Projection speed on PostgreSQL over a Kabupaten-scale log of at least 1,000,000 events.

Builds the log through the ledger's own commands (200,000 members, KPJ cards, 12 monthly
contributions, incidents and paid claims), then prints one JSON line per figure:

- ``raw_read_log``: reading the stored notifications, not decoded (baseline);
- ``stock_runner``: the library's ``ProjectionRunner`` into a PostgreSQL table, one
  transaction per event, for a bounded time (baseline);
- ``rebuild_all_projections``: ``claims-ledger project --rebuild`` done in process;
- ``rebuild_vs_raw_read``: the rebuild's rate beside its ceiling, the raw read of the same
  log in the same run, and their ratio (what counts on a shared machine; target 0.35);
- ``live_lag``: the lag of a following worker while the API records about 300 events/s.

    python -m bench.projections [--members 200000] [--claims 40000] [--stock-seconds 20]
                                [--lag-seconds 20]

``--stock-seconds 0`` and ``--lag-seconds 0`` leave out the stock runner and the live lag (a
quick smoke run of the rebuild: ``--members 5000 --claims 500 --stock-seconds 0
--lag-seconds 0``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner

from bench.api import _database, _drop
from bench.server import Client, child, cli, exit_on_signals, gunicorn
from ledger.application import Ledger
from ledger.benefits import Benefit, rules
from ledger.calendar import month_range
from ledger.claim import Claim
from ledger.incident import Incident
from ledger.programme import ProgrammeTerms, Rate
from ledger.transcoding import register_domain_transcodings
from projections.runner import Projector
from seed.synthetic import WorkerFactory
from storage.log_index import open_ledger
from storage.settings import settings_from_url

OCCUPATIONS = ("petani", "nelayan", "pedagang_asongan", "pemulung", "buruh_harian_lepas")


def emit(figure: dict[str, Any]) -> None:
    print(json.dumps(figure), flush=True)


def open_kabupaten(ledger: Ledger, members: int) -> None:
    """Kabupaten Tangerang's year (KABTNG-2025) budgeted for ``members`` x Rp16.800 x 12."""
    ledger.open_programme(ProgrammeTerms(
        code="KABTNG-2025", name="bench", funder_name="Pemerintah Kabupaten Tangerang",
        funder_region="36.03", funding_source="APBD", fiscal_year=2025, covers=("JKK", "JKM"),
        budget_ceiling=members * 16_800 * 12, dpa_reference="DPA", first_month="2025-01",
        months=12, rates=(Rate("JKK", date(2025, 1, 1), 10_000),
                          Rate("JKM", date(2025, 1, 1), 6_800)),
        branches=("Tigaraksa",), deciles=(1, 4), occupations=OCCUPATIONS), actor="admin")


def build_log(ledger: Ledger, members: int, claims: int) -> int:
    """The Kabupaten Tangerang year through the ledger's commands; returns the log size."""
    open_kabupaten(ledger, members)
    people = WorkerFactory(11, "36.03", OCCUPATIONS, (1, 4), ("Tigaraksa",),
                           register_snapshot=date(2024, 12, 1))
    ids: list[str] = []
    claimants: list[Any] = []
    while len(ids) < members:
        batch = list(people.workers(min(1000, members - len(ids)), date(2025, 1, 2)))
        enrolled = ledger.enrol_batch("KABTNG-2025", batch, "clerk")
        for index, enrolment in enumerate(enrolled):  # BPJS issues the cards: one save
            enrolment.record_kpj(f"{30_000_000_000 + len(ids) + index}", "clerk")
        ledger.save(*enrolled)
        ids.extend(str(e.id) for e in enrolled)
        claimants.extend(enrolled[: max(0, claims - len(claimants))])
    for month in month_range("2025-01", 12):
        ledger.pay_contribution("KABTNG-2025", f"SP2D/{month}", date(2025, 1, 10), [month], ids,
                                16_800 * len(ids), "finance")
    pay_claims(ledger, "KABTNG-2025", claimants)
    return int(ledger.recorder.max_notification_id() or 0)


def pay_claims(ledger: Ledger, code: str, claimants: list[Any]) -> None:
    """A paid JKK temporary-incapacity claim for each of ``claimants`` (enrolments of ``code``):
    built with the same aggregates and rule set as the commands, but saved 1,000 aggregates at
    a time so that generating a million events takes minutes, not an hour."""
    programme = ledger.programme(code)
    pending: list[Any] = []
    for index, enrolment in enumerate(claimants):
        incident = Incident(
            enrolment_id=str(enrolment.id), programme_id=str(programme.id),
            programme_code=programme.code, person_id=enrolment.person_id, nik=enrolment.nik,
            kind="accident",
            occurred_on=date(2025, 6, 2), place="Tigaraksa", narrative="bench",
            work_related=True, cause="", actor="clerk")
        entitlement = rules().jkk_temporary_incapacity(wage=enrolment.wage_band, months=2)
        claim = Claim(
            programme_id=str(programme.id), programme_code=programme.code,
            benefit=Benefit.JKK_TEMPORARY_INCAPACITY.value, incident_id=str(incident.id),
            enrolment_id=str(enrolment.id), person_id=enrolment.person_id,
            subject_nik=enrolment.nik,
            claimant={"subject_id": enrolment.person_id, "nik": enrolment.nik,
                      "name": enrolment.name, "relationship": "self",
                      "heir_certificate": "", "bank": "Bank BJB",
                      "account_number": "0012345678", "account_name": enrolment.name},
            filed_on=date(2025, 7, 1), entitlement=entitlement.amount,
            rule_version=entitlement.rule_version, computation=entitlement.as_record(),
            facts={"incapacity_months": 2}, actor="clerk")
        incident.open_claim(str(claim.id), Benefit.JKK_TEMPORARY_INCAPACITY)
        claim.approve(date(2025, 7, 2), "approver")
        claim.disburse(f"TRF-{index}", claim.entitlement, date(2025, 7, 3), "finance")
        pending += [incident, claim]
        if len(pending) >= 1000:
            ledger.save(*pending)
            pending = []
    if pending:
        ledger.save(*pending)


def raw_read(ledger: Ledger, size: int) -> dict[str, Any]:
    started = time.perf_counter()
    position, read = 0, 0
    while True:
        page = ledger.recorder.select_notifications(start=position + 1, limit=10_000)
        if not page:
            break
        read += len(page)
        position = page[-1].id
    took = time.perf_counter() - started
    return {"figure": "raw_read_log", "backend": "postgres", "events": read,
            "seconds": round(took, 1), "events_per_s": round(read / took)}


class CountPerType(Projection[Any]):
    """A minimal projection for the stock runner: one row per event type, counted."""

    name = "stockcount"

    @singledispatchmethod
    def process_event(self, domain_event: DomainEventProtocol[UUID],
                      tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)


class PlainLedger(Application[UUID]):
    """The same log, read by the plain library (only the date transcoding added)."""

    name = "Ledger"

    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)


def stock_runner(url: str, seconds: float) -> dict[str, Any]:
    """The library's runner, one transaction per event, for ``seconds``."""
    database = url.rsplit("/", 1)[1]
    env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": database,
           "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_USER": "postgres",
           "POSTGRES_PASSWORD": "", "CREATE_TABLE": "y", "POSTGRES_SCHEMA": "public"}
    runner = ProjectionRunner(application_class=PlainLedger, projection_class=CountPerType,
                              view_class=PostgresTrackingRecorder, env=env)
    started = time.perf_counter()
    time.sleep(seconds)
    recorder = runner.view
    position = recorder.max_tracking_id(PlainLedger.name) or 0
    took = time.perf_counter() - started
    runner.stop()
    return {"figure": "stock_runner_one_transaction_per_event", "backend": "postgres",
            "events": position, "seconds": round(took, 1), "events_per_s": round(position / took)}


def rebuild(ledger: Ledger, size: int) -> dict[str, Any]:
    projector = Projector(ledger, batch_size=5000)
    try:
        started = time.perf_counter()
        applied = projector.rebuild()
        took = time.perf_counter() - started
    finally:
        projector.close()
    return {"figure": "rebuild_all_projections", "backend": "postgres", "events": applied,
            "seconds": round(took, 1), "events_per_s": round(applied / took)}


def ratio(figure: dict[str, Any], ceiling: dict[str, Any]) -> dict[str, Any]:
    """A figure's rate beside its ceiling's, measured in the same run, and their ratio."""
    return {"figure": "rebuild_vs_raw_read", "backend": "postgres",
            "events_per_s": figure["events_per_s"],
            "ceiling_events_per_s": ceiling["events_per_s"],
            "ratio": round(figure["events_per_s"] / ceiling["events_per_s"], 3)}


def live_lag(url: str, seconds: float) -> dict[str, Any]:
    """A following worker while 16 clients record about 300 events/s over HTTP."""
    token = cli(url, "token", "create", "--role", "clerk", "--name", "lag.clerk")
    people = WorkerFactory(12, "36.03", OCCUPATIONS, (1, 4), ("Tigaraksa",),
                           register_snapshot=date(2024, 12, 1), serial_base=5000)
    lags: list[float] = []
    written: list[tuple[float, int]] = []
    lock = threading.Lock()
    stop = threading.Event()
    follower_command = [os.path.join(os.path.dirname(sys.executable), "claims-ledger"),
                        "project", "--follow"]
    # The follower and gunicorn log to files in a temporary directory, each in a process group
    # of its own that is ended on any way out.
    with tempfile.TemporaryDirectory(prefix="claims-ledger-bench-lag-") as logs, \
            child(follower_command, Path(logs) / "projector.log",
                  {**os.environ, "LEDGER_DATABASE_URL": url}):
        time.sleep(3)  # let the follower catch up with the log before measuring
        with gunicorn(url, workers=4, log=Path(logs) / "gunicorn.log") as base, \
                psycopg.connect(url, autocommit=True) as watch:
            http = Client(base, token)

            def write() -> None:
                while not stop.is_set():
                    worker = people.worker(date(2025, 1, 2))
                    body = {k: (v.isoformat() if isinstance(v, date) else v)
                            for k, v in vars(worker).items()}
                    status, answer = http.call("POST", "/api/v1/members",
                                               {**body, "program": "KABTNG-2025"})
                    if status == 201:
                        with lock:
                            written.append((time.monotonic(), int(answer["position"])))
                    time.sleep(0.16)  # ~100 enrolments/s x 3 events = ~300 events/s

            writers = [threading.Thread(target=write, daemon=True) for _ in range(16)]
            try:
                for thread in writers:
                    thread.start()
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    row = watch.execute(
                        'SELECT min(position) FROM "projections".tracking').fetchone()
                    projected = int(row[0]) if row and row[0] is not None else 0
                    now = time.monotonic()
                    with lock:
                        done = [(t, p) for t, p in written if p <= projected]
                        for item in done:
                            written.remove(item)
                    lags.extend(now - t for t, _ in done)
                    time.sleep(0.05)
            finally:
                stop.set()  # also on Ctrl-C: the writers stop before gunicorn is ended
            for thread in writers:
                thread.join()
    cuts = statistics.quantiles(lags, n=100) if len(lags) > 1 else [0.0] * 99
    return {"figure": "live_lag_following_worker", "backend": "postgres",
            "writes_observed": len(lags), "events_per_s": round(len(lags) * 3 / seconds),
            "lag_p50_s": round(cuts[49], 3), "lag_p95_s": round(cuts[94], 3),
            "lag_max_s": round(max(lags), 3) if lags else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--claims", type=int, default=40_000)
    parser.add_argument("--stock-seconds", type=float, default=20)
    parser.add_argument("--lag-seconds", type=float, default=20)
    args = parser.parse_args()
    exit_on_signals()  # SIGTERM/SIGHUP end the children and drop the database too
    name = f"claims_ledger_projbench_{os.getpid()}"
    url = _database(name)
    try:
        cli(url, "db", "init")
        ledger = open_ledger(settings_from_url(url))
        started = time.perf_counter()
        size = build_log(ledger, args.members, args.claims)
        emit({"figure": "generated_log", "backend": "postgres", "events": size,
              "members": args.members, "seconds": round(time.perf_counter() - started, 1)})
        ceiling = raw_read(ledger, size)
        emit(ceiling)
        if args.stock_seconds > 0:
            emit(stock_runner(url, args.stock_seconds))
        rebuilt = rebuild(ledger, size)
        emit(rebuilt)
        emit(ratio(rebuilt, ceiling))
        ledger.close()
        if args.lag_seconds > 0:
            emit(live_lag(url, args.lag_seconds))
    finally:
        _drop(name)


if __name__ == "__main__":
    main()
