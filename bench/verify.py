"""``verify`` over a 1,000,000-event log on PostgreSQL, beside a raw read of the same rows.

    python -m bench.verify [--members 200000] [--claims 40000]

Prints one JSON line per figure: the raw read (the baseline: the same rows, nothing computed)
and verify (every leaf and root recomputed, compared with the journal and the checkpoint).
"""

from __future__ import annotations

import argparse
import json
import os
import time

from bench.api import _database, _drop
from bench.projections import build_log
from bench.server import cli
from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
from projections.journal import Journal, _connect
from projections.runner import Projector
from storage.bulk import stored_rows
from storage.log_index import open_ledger
from storage.settings import settings_from_url


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--claims", type=int, default=40_000)
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

        started = time.perf_counter()
        rows = stored_rows(ledger.recorder.datastore,  # type: ignore[attr-defined]
                           ledger.qualified_events_table, True,
                           connect=lambda: _connect(settings))
        read = sum(1 for _ in rows)
        took = time.perf_counter() - started
        print(json.dumps({"figure": "raw_read_same_rows", "backend": "postgres",
                          "events": read, "seconds": round(took, 1),
                          "events_per_s": round(read / took)}), flush=True)

        started = time.perf_counter()
        report = journal.verify(public_key_text(private_key(key)))
        took = time.perf_counter() - started
        print(json.dumps({"figure": "verify", "backend": "postgres", "events": report.events,
                          "ok": report.ok, "log_size": size, "seconds": round(took, 1),
                          "events_per_s": round(report.events / took)}), flush=True)
        projector.close()
        ledger.close()
    finally:
        _drop(name)


if __name__ == "__main__":
    main()
