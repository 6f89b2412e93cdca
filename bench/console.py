"""Console pages timed on PostgreSQL beside the JSON routes that hold the same figures.

For each size (by default a 22,800-member programme, Kota Tangerang's scale, and a
200,000-member one, Kabupaten Tangerang's), a database is built quickly through the import
path (``import members``: a generated roster, batches written with ``COPY``), then one
identity check, a year of monthly SP2Ds (of at most 20,000 members each) naming every
member, and paid claims for one member in a hundred, and projected. gunicorn then serves it
with the operators' configuration (its output in a file, its process group ended on any way
out), and one client signed in to the console (a real session cookie, through the sign-in
form with its CSRF token) asks, in turn, for each page and its JSON route:

- ``programme``: ``/programmes/CODE`` beside ``GET /api/v1/budget?program=CODE``;
- ``worker``: ``/workers/member/ID`` (a claimant's timeline) beside
  ``POST /api/v1/members/history`` with ``{"nik": ...}`` in the body (a NIK is never in a URL);
- ``findings``: ``/findings?programme=CODE`` beside ``GET /api/v1/findings?program=CODE``;
- ``programmes``: ``/programmes`` beside ``GET /api/v1/programs``.

Any answer that is not 2xx (a page, a JSON route, the sign-in) ends the run with the route and
the answer's first bytes: an error is never timed. One JSON line per figure: the first (cold)
request, the first after a write that is no payment (``after_write_ms``: an API token issued
and projected, so every kept figure is made again, but what only payments change), the first
after payments and an end (``after_payment_ms``: an order reversed and paid again under a new
number, a member's cover ended by death, projected), then p50, p95 and max in milliseconds over
``--runs`` requests (after two unmeasured ones per gunicorn worker), and the answer's size.
Targets (issue 16): p95 under 300 ms at 22,800 members and under 1 s at 200,000.
``--database-url`` measures a database built before (by an earlier run with ``--keep``)
instead of building one.

    python -m bench.console [--members 22800,200000] [--runs 30] [--workers 2] [--keep]
    python -m bench.console --database-url postgresql://.../NAME [--runs 30] [--pages worker]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import tempfile
import time
import urllib.parse
from datetime import date
from pathlib import Path
from typing import Any

from bench.api import _database, _drop
from bench.projections import OCCUPATIONS, open_kabupaten, pay_claims
from bench.server import cli, exit_on_signals, gunicorn
from intake.importing import ImportOptions, import_roster, read_roster
from ledger.calendar import month_range
from ledger.enrolment import EndReason
from projections.queries import Reader
from projections.runner import Projector
from seed.generate import RosterSpec, write_roster
from storage.log_index import open_ledger
from storage.settings import settings_from_url

CODE = "KABTNG-2025"
#: As ``bench.import`` enrols its roster.
ENROLLED_ON = date(2025, 1, 2)
#: One member in this many files a claim (paid), so claims by benefit and the claims list hold
#: something at every size.
CLAIM_EVERY = 100
#: The most members one payment order (or population-register answer) names: a month of
#: 200,000 members is paid in ten orders. (One order naming all 200,000, about 7.6 MB, is
#: recorded too: a save that large goes statement by statement, see
#: ``storage.database.ONE_MESSAGE_BYTES``.)
ORDER_MEMBERS = 20_000
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def emit(figure: dict[str, Any]) -> None:
    print(json.dumps(figure), flush=True)


def build(url: str, members: int, folder: Path) -> dict[str, Any]:
    """The programme with ``members`` members, paid for a year, with paid claims, projected;
    returns a claimant's enrolment id and NIK (the worker pages' subject)."""
    started = time.perf_counter()
    roster = folder / f"roster-{members}.csv"
    write_roster(roster, RosterSpec(members=members, region="36.03", seed=5,
                                    occupations=OCCUPATIONS, enrolled_on=ENROLLED_ON))
    ledger = open_ledger(settings_from_url(url))
    try:
        open_kabupaten(ledger, members)
        summary = import_roster(ledger, CODE, read_roster(roster), "bench",
                                ImportOptions(enrolled_on=ENROLLED_ON), lambda _: None)
        roster.unlink()
        projector = Projector(ledger, batch_size=5000)
        projector.catch_up()
        rows = Reader(projector.connection, projector.live).roster(CODE)
        ids = [str(row["enrolment_id"]) for row in rows]
        for part, start in enumerate(range(0, len(ids), ORDER_MEMBERS), start=1):
            ledger.record_identity_check(CODE, f"Dukcapil 470/{part:03d}/2025", date(2025, 1, 5),
                                         ids[start:start + ORDER_MEMBERS], {}, actor="clerk")
        # A month's contributions in payment orders of at most ORDER_MEMBERS members each.
        for number, month in enumerate(month_range("2025-01", 12), start=1):
            for part, start in enumerate(range(0, len(ids), ORDER_MEMBERS), start=1):
                named = ids[start:start + ORDER_MEMBERS]
                ledger.pay_contribution(CODE, f"SP2D/{number:03d}-{part}/BPKAD/2025",
                                        date(2025, number, 10), [month], named,
                                        16_800 * len(named), "finance")
        claimants = [ledger.enrolment(i) for i in ids[::CLAIM_EVERY]]
        pay_claims(ledger, CODE, claimants)
        projector.catch_up()
        projector.close()
        events = int(ledger.recorder.max_notification_id() or 0)
    finally:
        ledger.close()
    emit({"figure": "generated_programme", "backend": "postgres", "programme": CODE,
          "members": summary.enrolled, "claims": len(claimants), "events": events,
          "seconds_to_build": round(time.perf_counter() - started, 1)})
    return {"member": str(claimants[0].id), "nik": claimants[0].nik}


class Browser:
    """One kept-alive connection with a cookie jar of one cookie: the console's session (or,
    for the JSON routes, the bearer token)."""

    def __init__(self, base: str, token: str) -> None:
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        answer = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.will_close:
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        return response.status, answer

    def sign_in(self) -> None:
        """Through the sign-in form, as a person does: its CSRF token, then the API token."""
        status, page = self.request("GET", "/sign-in")
        found = _CSRF.search(page.decode())
        if status != 200 or found is None:
            raise SystemExit(f"bench.console: the sign-in page answered {status} without a form")
        form = urllib.parse.urlencode({"csrf_token": found.group(1), "token": self.token})
        status, _ = self.request("POST", "/sign-in", form.encode(), {
            "Content-Type": "application/x-www-form-urlencoded"})
        if status != 303:
            raise SystemExit(f"bench.console: signing in answered {status}, not 303")

    def page(self, path: str) -> tuple[float, int]:
        started = time.perf_counter()
        status, answer = self.request("GET", path)
        took = time.perf_counter() - started
        _succeeded("GET", path, status, answer)
        return took, len(answer)

    def json(self, route: Route) -> tuple[float, int]:
        """A JSON route (``GET path``, or ``POST path`` with a JSON body) with the bearer."""
        method, path, body = route
        started = time.perf_counter()
        saved, self.cookies = self.cookies, {}  # the API takes no cookie: the bearer only
        headers = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            status, answer = self.request(
                method, path, None if body is None else json.dumps(body).encode(), headers)
        finally:
            self.cookies = saved
        took = time.perf_counter() - started
        _succeeded(method, path, status, answer)
        return took, len(answer)


#: A JSON route: method, path and the JSON body (None for a GET).
Route = tuple[str, str, dict[str, Any] | None]


def _succeeded(method: str, path: str, status: int, answer: bytes) -> None:
    """Refuse, loudly, to time an answer that is not 2xx (the route shown without ids)."""
    if not 200 <= status < 300:
        raise SystemExit(f"bench.console: {method} {_shown(path)} answered {status}, not 2xx:"
                         f" {answer[:300]!r}; nothing is timed from an error")


def measure(url: str, members: int, subject: dict[str, Any], runs: int, workers: int,
            folder: Path, only: set[str] | None = None) -> None:
    token = cli(url, "token", "create", "--role", "auditor", "--name", "bench.auditor")
    pairs: dict[str, tuple[str, Route]] = {
        "programme": (f"/programmes/{CODE}", ("GET", f"/api/v1/budget?program={CODE}", None)),
        "worker": (f"/workers/member/{subject['member']}",
                   ("POST", "/api/v1/members/history", {"nik": subject["nik"]})),
        "findings": (f"/findings?programme={CODE}",
                     ("GET", f"/api/v1/findings?program={CODE}", None)),
        "programmes": ("/programmes", ("GET", "/api/v1/programs", None)),
    }
    log = folder / f"gunicorn-{members}.log"
    with gunicorn(url, workers=workers, threads=1, log=log) as base:
        browser = Browser(base, token)
        browser.sign_in()
        for name, (page, api) in pairs.items():
            if only and name not in only:
                continue
            timings: dict[str, list[float]] = {"page": [], "json": []}
            cold: dict[str, float] = {}
            sizes: dict[str, int] = {}
            warm = 2 * workers  # unmeasured: each worker's kept answers made (first_ms: cold)
            for run in range(runs + warm):
                for kind in ("page", "json"):
                    took, size = browser.page(page) if kind == "page" else browser.json(api)
                    sizes[kind] = size
                    cold.setdefault(kind, took)
                    if run >= warm:
                        timings[kind].append(took)
            # A write that is no payment (a token issued: an event), projected; then the
            # page and its JSON route once more: what the first reader after a write waits.
            cli(url, "token", "create", "--role", "auditor", "--name", f"bench.write.{name}")
            cli(url, "project")
            after = {"page": browser.page(page)[0], "json": browser.json(api)[0]}
            # Payments and an end: an order reversed and paid again under a new number, a
            # member's cover ended by death (so months paid after it); then the same.
            pay_again_and_end(url)
            cli(url, "project")
            paid = {"page": browser.page(page)[0], "json": browser.json(api)[0]}
            for kind, route in (("page", page), ("json", f"{api[0]} {api[1]}")):
                emit({**_figure(name, kind, route, members, timings[kind], sizes[kind]),
                      "first_ms": round(cold[kind] * 1000, 1),
                      "after_write_ms": round(after[kind] * 1000, 1),
                      "after_payment_ms": round(paid[kind] * 1000, 1)})


def pay_again_and_end(url: str) -> None:
    """The latest payment order not reversed yet reversed and paid again under a new SP2D
    number (the same members, months and amount), and the cover of one of its members
    still covered ended by death on the last day of June: a payment, a reversal and an end,
    as after a day of finance work (each time another order and member, so runs on a kept
    database can follow each other)."""
    ledger = open_ledger(settings_from_url(url))
    try:
        orders = [ledger.contribution(CODE, f"SP2D/{number:03d}-1/BPKAD/2025")
                  for number in range(12, 0, -1)]
        order = next(o for o in orders if not o.is_reversed)
        named = list(order.enrolment_ids)
        ledger.reverse_contribution(CODE, order.sp2d, date(2025, 12, 20), "bench: paid again",
                                    "finance")
        ledger.pay_contribution(CODE, f"{order.sp2d}-R{time.time_ns()}", date(2025, 12, 21),
                                list(order.months), named, int(order.amount), "finance")
        member = next(m for m in named[1:] if ledger.enrolment(m).ended_on is None)
        ledger.end_coverage(member, date(2025, 6, 30), EndReason.DIED, "bench: died", "clerk")
    finally:
        ledger.close()


def _figure(name: str, kind: str, route: str, members: int, timings: list[float],
            size: int) -> dict[str, Any]:
    cuts = (statistics.quantiles(timings, n=20, method="inclusive") if len(timings) > 1
            else timings * 19)
    shown = _shown(route)
    return {"figure": f"console_{name}_page" if kind == "page" else f"json_{name}",
            "route": shown, "members": members, "runs": len(timings),
            "p50_ms": round(statistics.median(timings) * 1000, 1),
            "p95_ms": round(cuts[18] * 1000, 1), "max_ms": round(max(timings) * 1000, 1),
            "bytes": size}


def _shown(route: str) -> str:
    """A route without the subject's ids (a NIK is never in a route, nor printed)."""
    return re.sub(r"/member/[0-9a-f-]+", "/member/ID", route)


def subject_of(url: str) -> tuple[int, dict[str, Any]]:
    """The members of a database built before and its first claimant (the worker pages')."""
    ledger = open_ledger(settings_from_url(url))
    try:
        projector = Projector(ledger)
        reader = Reader(projector.connection, projector.live)
        [claim] = reader.claims(program=CODE, limit=1)
        members = int(reader.budget(CODE)["members"])  # type: ignore[index]
        projector.close()
        return members, {"member": str(claim["enrolment_id"]),
                         "nik": ledger.enrolment(str(claim["enrolment_id"])).nik}
    finally:
        ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", default="22800,200000",
                        help="programme sizes, comma-separated (e.g. 2000 for a smoke run)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true",
                        help="keep the databases built (their URLs are printed)")
    parser.add_argument("--database-url", help="measure this database, built before")
    parser.add_argument("--pages", help="only these pairs, comma-separated (programme, worker,"
                        " findings, programmes)")
    args = parser.parse_args()
    exit_on_signals()  # SIGTERM/SIGHUP end gunicorn's group and drop the databases too
    with tempfile.TemporaryDirectory(prefix="claims-ledger-bench-console-") as scratch:
        if args.database_url:
            members, subject = subject_of(args.database_url)
            measure(args.database_url, members, subject, args.runs, args.workers,
                    Path(scratch), set(args.pages.split(",")) if args.pages else None)
            return
        for members in (int(size) for size in args.members.split(",")):
            name = f"claims_ledger_consolebench_{os.getpid()}_{members}"
            url = _database(name)
            try:
                cli(url, "db", "init")
                subject = build(url, members, Path(scratch))
                measure(url, members, subject, args.runs, args.workers, Path(scratch))
            finally:
                if args.keep:
                    emit({"figure": "kept_database", "members": members, "url": url})
                else:
                    _drop(name)


if __name__ == "__main__":
    main()
