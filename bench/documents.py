"""Audit reports timed: the demo's 5,952-member programme, and a generated city-wide programme
(22,800 members, Kota Tangerang scale) without and with the printed roster annex, beside a plain
WeasyPrint rendering of the same roster as an HTML table (the baseline).

    python -m bench.documents [--members 22800] [--baseline-rows 22800] [--database-url URL]

Prints one JSON line per figure. Stores are throwaway SQLite files unless a URL is given.
"""

from __future__ import annotations

import argparse
import html
import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from documents.audit import audit_report
from ledger.application import Ledger
from ledger.calendar import month_range
from ledger.identity import mask_nik
from ledger.journal.checkpoint import new_private_key
from ledger.programme import ProgrammeTerms, Rate
from projections.opening import open_read_side
from projections.queries import Reader
from projections.runner import Projector
from seed.demo import build_demo
from seed.synthetic import WorkerFactory
from storage.log_index import open_ledger
from storage.settings import settings_from_url
from storage.store import init_store

OCCUPATIONS = ("ojek", "juru_parkir", "pedagang_kaki_lima", "buruh_harian_lepas", "pemulung",
               "asisten_rumah_tangga")
CODE = "TNG-KOTA-2026"


def emit(figure: dict[str, Any]) -> None:
    print(json.dumps(figure), flush=True)


def _pages(content: bytes) -> int:
    import io

    from pypdf import PdfReader  # installed with the test extras

    return len(PdfReader(io.BytesIO(content)).pages)


def _store(folder: Path, name: str, url: str | None) -> Ledger:
    settings = settings_from_url(url or f"sqlite:///{folder / name}")
    init_store(settings)
    return open_ledger(settings)


def city_wide(ledger: Ledger, members: int) -> None:
    """A year of Kota Tangerang's city-wide programme: members enrolled in batches, 12 SP2Ds."""
    ledger.open_programme(ProgrammeTerms(
        code=CODE, name="Perlindungan Pekerja Rentan Kota Tangerang 2026 (bench)",
        funder_name="Pemerintah Kota Tangerang", funder_region="36.71", funding_source="APBD",
        fiscal_year=2026, covers=("JKK", "JKM"), budget_ceiling=members * 16_800 * 12,
        dpa_reference="DPA-BENCH/2026", first_month="2026-01", months=12,
        rates=(Rate("JKK", date(2026, 1, 1), 10_000), Rate("JKM", date(2026, 1, 1), 6_800)),
        branches=("Cikokol", "Cimone", "Batuceper"), deciles=(1, 5),
        occupations=OCCUPATIONS), actor="admin")
    people = WorkerFactory(23, "36.71", OCCUPATIONS, (1, 5), ("Cikokol", "Cimone", "Batuceper"),
                           register_snapshot=date(2025, 12, 1))
    ids: list[str] = []
    while len(ids) < members:
        batch = list(people.workers(min(1000, members - len(ids)), date(2026, 1, 2)))
        ids.extend(str(e.id) for e in ledger.enrol_batch(CODE, batch, "clerk"))
    # Dinsos matches the roster with the population register (else every member is a finding).
    ledger.record_identity_check(CODE, "Dukcapil 470/001/2026", date(2026, 1, 5), ids, {},
                                 actor="clerk")
    for number, month in enumerate(month_range("2026-01", 12), start=1):
        ledger.pay_contribution(CODE, f"SP2D/{number:03d}/BPKAD/2026", date(2026, number, 10),
                                [month], ids, 16_800 * len(ids), "finance")


def timed_report(ledger: Ledger, code: str, roster: bool, key: str | None) -> tuple[float, bytes]:
    started = time.perf_counter()
    with open_read_side(ledger, signing_key=key) as view:
        content = audit_report(view, code, roster=roster).content
    return time.perf_counter() - started, content


def plain_table(rows: list[dict[str, Any]]) -> tuple[float, bytes]:
    """The baseline: the same roster as one HTML table, rendered by WeasyPrint as it comes."""
    from weasyprint import HTML

    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
            number, mask_nik(r["nik"]), r["name"], r["district"], r["village"], r["occupation"],
            r["decile"], r["enrolled_on"], r["status"], r["months_paid"])) + "</tr>"
        for number, r in enumerate(rows, start=1))
    page = ("<html><head><style>@page { size: A4; margin: 15mm } body { font: 7pt 'DejaVu Sans' }"
            " td { border-bottom: 0.4pt solid #bbb; padding: 1pt 3pt }</style></head><body>"
            "<table><thead><tr><th>No</th><th>NIK</th><th>Nama</th><th>Kecamatan</th>"
            "<th>Kelurahan</th><th>Pekerjaan</th><th>D</th><th>Terdaftar</th><th>Status</th>"
            f"<th>Bln</th></tr></thead><tbody>{cells}</tbody></table></body></html>")
    started = time.perf_counter()
    content = HTML(string=page).write_pdf()
    return time.perf_counter() - started, bytes(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=22_800)
    parser.add_argument("--baseline-rows", type=int, default=22_800)
    parser.add_argument("--database-url", help="a PostgreSQL URL for the generated programme")
    args = parser.parse_args()
    key = new_private_key()
    with tempfile.TemporaryDirectory() as folder:
        demo = _store(Path(folder), "demo.sqlite", None)
        build_demo(demo)
        projector = Projector(demo)
        projector.catch_up()
        projector.close()
        seconds, content = timed_report(demo, "TNG-2025", False, key)
        emit({"figure": "audit_report_demo_summary", "programme": "TNG-2025", "members": 5_952,
              "seconds": round(seconds, 2), "pages": _pages(content), "bytes": len(content)})
        seconds, content = timed_report(demo, "TNG-2025", True, key)
        emit({"figure": "audit_report_demo_with_annex", "programme": "TNG-2025",
              "members": 5_952, "seconds": round(seconds, 2), "pages": _pages(content),
              "rows_per_s": round(5_952 / seconds)})
        demo.close()

        city = _store(Path(folder), "city.sqlite", args.database_url)
        started = time.perf_counter()
        city_wide(city, args.members)
        projector = Projector(city)
        projector.catch_up()
        rows = Reader(projector.connection, projector.live).roster(CODE)
        projector.close()
        emit({"figure": "generated_programme", "members": len(rows),
              "backend": "postgres" if args.database_url else "sqlite",
              "seconds_to_build": round(time.perf_counter() - started, 1)})
        seconds, content = timed_report(city, CODE, False, key)
        emit({"figure": "audit_report_generated_summary", "members": len(rows),
              "seconds": round(seconds, 2), "pages": _pages(content)})
        seconds, content = timed_report(city, CODE, True, key)
        emit({"figure": "audit_report_generated_with_annex", "members": len(rows),
              "seconds": round(seconds, 2), "pages": _pages(content),
              "rows_per_s": round(len(rows) / seconds)})
        city.close()

        sample = rows[: args.baseline_rows]
        seconds, content = plain_table(sample)
        emit({"figure": "baseline_plain_weasyprint_table", "rows": len(sample),
              "seconds": round(seconds, 2), "pages": _pages(content),
              "rows_per_s": round(len(sample) / seconds)})


if __name__ == "__main__":
    main()
