"""Bulk enrolment speed on PostgreSQL: a Kabupaten Tangerang roster imported end to end.

Generates a roster of N members of region 36.03 (CSV), then prints one JSON line per figure
(each round's with its ``round``). Each round (``--rounds``) imports the roster into a new
database, then writes the rows that import logged, read back as stored, to two new tables on
the same server, one way each (their order swapped every other round):

- ``import_members``: ``import members`` done in process (parse, check every rule and encode
  new members in forked worker processes, read the people in bulk, enrol in all-or-nothing
  batches of 1,000, each written with binary ``COPY`` under the recorder's table lock while the
  next batches are checked), members/s and peak memory (the parent, and the largest child process;
  round 0 only: a process's peak is its lifetime's, and later rounds' would hold the rows an
  earlier round read back for its ceilings);
- ``raw_copy``: psycopg's ``COPY`` of the same rows in one transaction (text format): the
  ceiling issue 21 measured its 0.5 against; ``raw_copy_binary``: the same with
  ``FORMAT BINARY``, faster still, printed beside it.

Then ``import_vs_raw_copy``: the rounds' medians, ``ratio`` (the median of the rounds' ratios
to ``raw_copy``; issue 21 asks for at least 0.5), each round's in ``ratios``, and
``ratio_to_binary_copy``. Last, once,
the baselines of the plain library on the same roster:

- ``library_save_batches``: the library saving the same aggregates (a person and an enrolment
  per member: 3 events) with ``Application.save``, 1,000 members per save;
- ``raw_executemany``: those stored events written with psycopg ``executemany``, 3,000 rows a
  transaction.

    python -m bench.import [--members 200000] [--rounds 1]
    python -m bench.import --members 100000 --rounds 3    # issue 21's size
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, Literal

import psycopg

from bench.api import _database, _drop
from bench.projections import OCCUPATIONS, open_kabupaten
from bench.server import cli, exit_on_signals
from intake.importing import WORKERS, ImportOptions, import_roster, read_roster
from ledger.application import Ledger
from ledger.enrolment import Enrolment, EnrolmentRequest
from ledger.person import Person
from seed.generate import RosterSpec, write_roster
from storage.log_index import open_ledger
from storage.settings import settings_from_url

ENROLLED_ON = date(2025, 1, 2)


def emit(figure: dict[str, Any]) -> None:
    print(json.dumps(figure), flush=True)


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def peak_children_mb() -> float:
    """The largest peak of any finished child process: the import's workers (and the
    ``claims-ledger db init`` run before them, much smaller)."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def import_members(url: str, roster: Path, members: int) -> dict[str, Any]:
    ledger = open_ledger(settings_from_url(url))
    open_kabupaten(ledger, members)
    rejected: list[Any] = []
    started = time.perf_counter()
    summary = import_roster(ledger, "KABTNG-2025", read_roster(roster), "bench",
                            ImportOptions(enrolled_on=ENROLLED_ON), rejected.append)
    took = time.perf_counter() - started
    ledger.close()
    return {"figure": "import_members", "backend": "postgres", "members": summary.enrolled,
            "rejected": summary.rejected, "seconds": round(took, 1),
            "members_per_s": round(summary.enrolled / took), "peak_rss_mb": peak_mb(),
            "workers": WORKERS, "peak_worker_rss_mb": peak_children_mb()}


def batches_of_events(ledger: Ledger, roster: Path) -> Any:
    """The events the import records (a person and an enrolment per member), 1,000 members a
    batch, built from the same rows without the checks."""
    programme = ledger.programme("KABTNG-2025")
    sheet = read_roster(roster)
    batch: list[Any] = []
    rows = list(sheet.rows)
    subjects = ledger.personal.subjects_for([sheet.value(row, "nik") for row in rows])
    for row in rows:  # subjects from the index, as the import resolves them
        nik = sheet.value(row, "nik")
        person = Person.register(subjects[nik], nik)
        request = EnrolmentRequest(
            nik=nik, kk=sheet.value(row, "kk"), name=sheet.value(row, "name"), region="36.03",
            district=sheet.value(row, "district"), village=sheet.value(row, "village"),
            occupation="petani", decile=int(sheet.value(row, "decile")), register="DTSEN",
            register_snapshot=ENROLLED_ON, branch="Tigaraksa", enrolled_on=ENROLLED_ON)
        enrolment = Enrolment.start(programme, request, person, "bench")
        batch += [*person.collect_events(), *enrolment.collect_events()]
        if len(batch) >= 3000:
            yield batch
            batch = []
    if batch:
        yield batch


def library_save(url: str, roster: Path, members: int) -> tuple[dict[str, Any], list[Any]]:
    """Only the ``save`` calls are timed; the events are built (and, for the raw baselines,
    encoded) outside the clock."""
    ledger = open_ledger(settings_from_url(url))
    open_kabupaten(ledger, members)
    stored: list[Any] = []
    took, events = 0.0, 0
    for batch in batches_of_events(ledger, roster):
        stored.extend(ledger.mapper.to_stored_event(e) for e in batch)
        started = time.perf_counter()
        ledger.save(*batch)
        took += time.perf_counter() - started
        events += len(batch)
    ledger.close()
    count = events // 3
    return ({"figure": "library_save_batches", "backend": "postgres", "members": count,
             "events": events, "seconds": round(took, 1),
             "members_per_s": round(count / took)}, stored)


def logged_rows(url: str) -> list[tuple[Any, ...]]:
    """The rows an import wrote to the log, in log order, as stored (binary): the same rows the
    raw ``COPY`` ceilings write."""
    ledger = open_ledger(settings_from_url(url))
    table = ledger.qualified_events_table
    ledger.close()
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.cursor(binary=True).execute(
            f"SELECT originator_id, originator_version, topic, state FROM {table} "
            "ORDER BY notification_id").fetchall()


Mode = Literal["executemany", "copy", "copy_binary"]
#: The two ceilings of each round, text first (swapped every other round).
COPIES: tuple[Mode, ...] = ("copy", "copy_binary")


def raw(url: str, rows: list[tuple[Any, ...]], members: int,
        modes: tuple[Mode, ...]) -> list[dict[str, Any]]:
    """``rows`` written to a new table as the library's (same keys), by ``modes``:
    ``executemany`` (3,000 rows a transaction), ``copy`` (psycopg's ``COPY``, text format, one
    transaction: the ceiling issue 21 measured) and ``copy_binary`` (``FORMAT BINARY``)."""
    figures = []
    with psycopg.connect(url, autocommit=True) as connection:
        for mode in modes:
            table = f"raw_{mode}"
            connection.execute(f"DROP TABLE IF EXISTS {table}")
            connection.execute(
                f"CREATE TABLE {table} (id BIGSERIAL PRIMARY KEY, originator_id UUID NOT NULL,"
                " originator_version INTEGER NOT NULL, topic TEXT NOT NULL, state BYTEA,"
                " UNIQUE (originator_id, originator_version))")
            started = time.perf_counter()
            if mode == "executemany":
                for start in range(0, len(rows), 3000):
                    with connection.transaction(), connection.cursor() as cursor:
                        cursor.executemany(
                            f"INSERT INTO {table} (originator_id, originator_version, topic,"
                            " state) VALUES (%s, %s, %s, %s)", rows[start:start + 3000])
            else:
                binary = " (FORMAT BINARY)" if mode == "copy_binary" else ""
                with connection.transaction(), connection.cursor() as cursor, cursor.copy(
                        f"COPY {table} (originator_id, originator_version, topic, state)"
                        f" FROM STDIN{binary}") as copy:
                    if binary:
                        copy.set_types(["uuid", "int4", "text", "bytea"])
                    for row in rows:
                        copy.write_row(row)
            took = time.perf_counter() - started
            figures.append({"figure": f"raw_{mode}", "backend": "postgres",
                            "rows": len(rows), "seconds": round(took, 2),
                            "rows_per_s": round(len(rows) / took),
                            "members_per_s": round(members / took)})
    return figures


def ratio(imported: dict[str, Any], ceiling: dict[str, Any]) -> float:
    return float(imported["members_per_s"]) / float(ceiling["members_per_s"])


def medians(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The rounds' medians: the import over its ceiling, psycopg's ``COPY`` of the same rows
    in the same round (issue 21: at least 0.5), and over the binary ``COPY`` beside it (the
    median of the rounds' ratios, rounded only when printed)."""
    def median(key: str) -> float:
        return statistics.median(float(r[key]) for r in rounds)

    return {"figure": "import_vs_raw_copy", "backend": "postgres",
            "members": rounds[0]["members"], "rounds": len(rounds),
            "import_members_per_s": round(median("import_members_per_s")),
            "raw_copy_members_per_s": round(median("raw_copy_members_per_s")),
            "raw_copy_binary_members_per_s": round(median("raw_copy_binary_members_per_s")),
            "ratio": round(median("ratio"), 2),
            "ratios": [round(r["ratio"], 2) for r in rounds],
            "ratio_to_binary_copy": round(median("ratio_to_binary_copy"), 2),
            "target": 0.5}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=1, choices=range(1, 21), metavar="1-20",
                        help="imports, each followed by its ceilings on the same rows")
    args = parser.parse_args()
    exit_on_signals()  # SIGTERM/SIGHUP drop the databases and the roster too
    folder = Path(tempfile.mkdtemp(prefix="importbench-"))
    roster = folder / "kabupaten-tangerang.csv"
    names: list[str] = []
    try:
        started = time.perf_counter()
        write_roster(roster, RosterSpec(members=args.members, region="36.03", seed=5,
                                        occupations=OCCUPATIONS, enrolled_on=ENROLLED_ON))
        emit({"figure": "generated_roster", "members": args.members,
              "bytes": roster.stat().st_size,
              "seconds": round(time.perf_counter() - started, 1)})
        rounds: list[dict[str, Any]] = []
        for number in range(args.rounds):
            names.append(f"claims_ledger_importbench_{os.getpid()}_{number}")
            url = _database(names[-1])
            cli(url, "db", "init")
            imported = import_members(url, roster, args.members)
            if number:  # a process's peak is its lifetime's: round 0's read-back is in it
                imported = {k: v for k, v in imported.items() if "rss" not in k}
            emit({**imported, "round": number})
            # the two copies in turn first, so that neither always meets what the import left
            # the server doing (its table's autovacuum, a checkpoint)
            modes: tuple[Mode, ...] = COPIES[::-1] if number % 2 else COPIES
            copies = {figure["figure"]: figure
                      for figure in raw(url, logged_rows(url), imported["members"], modes)}
            for figure in copies.values():
                emit({**figure, "round": number})
            text, binary = copies["raw_copy"], copies["raw_copy_binary"]
            rounds.append({"members": imported["members"],
                           "import_members_per_s": imported["members_per_s"],
                           "raw_copy_members_per_s": text["members_per_s"],
                           "raw_copy_binary_members_per_s": binary["members_per_s"],
                           "ratio": ratio(imported, text),
                           "ratio_to_binary_copy": ratio(imported, binary)})
            _drop(names[-1])
            names.pop()
        emit(medians(rounds))
        names.append(f"claims_ledger_importbench_{os.getpid()}_library")
        url = _database(names[-1])
        cli(url, "db", "init")
        figure, stored = library_save(url, roster, args.members)
        emit(figure)
        rows = [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored]
        for raw_figure in raw(url, rows, args.members, ("executemany",)):
            emit(raw_figure)
    finally:
        for name in names:
            _drop(name)
        roster.unlink(missing_ok=True)
        folder.rmdir()


if __name__ == "__main__":
    main()
