"""``verify`` over a 1,000,000-event log on PostgreSQL, beside a raw read of the same rows.

    python -m bench.verify [--members 200000] [--claims 40000] [--rounds 3]

Prints one JSON line per figure and round, alternately: the raw read (the ceiling: the same
rows read as stored, ``storage.bulk.stored_pages``, nothing computed), the raw read of the
bytes verify hashes (``storage.bulk.leaf_input_pages``: PostgreSQL lays each leaf's bytes out,
nothing hashed) and verify (every leaf and root recomputed, compared with the journal and the
checkpoint), each with the CPU seconds this process spent (steadier than the rate on two
shared cores); then one line with the medians and verify's ratio to its ceiling (the median of
the rounds' ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

from bench.api import _database, _drop
from bench.projections import build_log
from bench.server import cli
from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
from projections.journal import Journal, _connect
from projections.runner import Projector
from storage.bulk import leaf_input_pages, stored_pages
from storage.log_index import open_ledger
from storage.settings import settings_from_url


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--claims", type=int, default=40_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    name = f"claims_ledger_verifybench_{os.getpid()}"
    url = _database(name)
    try:
        cli(url, "db", "init")
        settings = settings_from_url(url)
        ledger = open_ledger(settings)
        size = build_log(ledger, args.members, args.claims)
        projector = Projector(ledger, batch_size=5000)
        projector.catch_up()
        journal = Journal(ledger, projector.connection, projector.live)
        key = new_private_key()
        journal.checkpoint(key)

        public = public_key_text(private_key(key))
        raws: list[dict[str, Any]] = []
        verifies: list[dict[str, Any]] = []
        for _ in range(args.rounds):  # alternately, so that both see the same load
            started, cpu = time.perf_counter(), time.process_time()
            pages = stored_pages(ledger.recorder.datastore,  # type: ignore[attr-defined]
                                 ledger.qualified_events_table, True,
                                 connect=lambda: _connect(settings))
            read = sum(map(len, pages))
            raws.append(_figure("raw_read_same_rows", read, started, cpu))
            print(json.dumps(raws[-1]), flush=True)

            started, cpu = time.perf_counter(), time.process_time()
            inputs = leaf_input_pages(ledger.recorder.datastore,  # type: ignore[attr-defined]
                                      ledger.qualified_events_table, True,
                                      connect=lambda: _connect(settings))
            print(json.dumps(_figure("raw_read_leaf_inputs", sum(map(len, inputs)), started,
                                     cpu)), flush=True)

            started, cpu = time.perf_counter(), time.process_time()
            report = journal.verify(public)
            verifies.append({**_figure("verify", report.events, started, cpu),
                             "ok": report.ok, "log_size": size})
            print(json.dumps(verifies[-1]), flush=True)
        print(json.dumps({
            "figure": "verify_vs_raw_read", "backend": "postgres", "events": size,
            "rounds": args.rounds,
            "events_per_s": round(statistics.median(v["events_per_s"] for v in verifies)),
            "ceiling_events_per_s": round(statistics.median(r["events_per_s"] for r in raws)),
            "ratio": round(statistics.median(v["events_per_s"] / r["events_per_s"]
                                             for v, r in zip(verifies, raws, strict=True)), 2),
            "cpu_ratio": round(statistics.median(r["cpu_seconds"] / v["cpu_seconds"]
                                                 for v, r in zip(verifies, raws, strict=True)),
                               2)}), flush=True)
        projector.close()
        ledger.close()
    finally:
        _drop(name)


def _figure(name: str, events: int, started: float, cpu: float) -> dict[str, Any]:
    took = time.perf_counter() - started
    return {"figure": name, "backend": "postgres", "events": events, "seconds": round(took, 2),
            "events_per_s": round(events / took),
            "cpu_seconds": round(time.process_time() - cpu, 2)}


if __name__ == "__main__":
    main()
