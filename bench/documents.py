"""Audit reports timed: the demo's 5,952-member programme, and a generated city-wide programme
(22,800 members, Kota Tangerang scale) without and with the printed roster annex, beside a plain
WeasyPrint rendering of the same roster as an HTML table (the baseline).

    python -m bench.documents [--members 22800] [--baseline-rows 22800] [--database-url URL]

Prints one JSON line per figure, each beside its target (issue 21: the summary of the 22,800-
member programme in 1.5 s, its annex at 3,000 rows/s) and its ceiling, measured in the same run
on the same rows (so that the ratio, not the noisy absolute figure, is what counts on a shared
machine):

* the summary's ceiling: the raw work it cannot skip, the roster read (for the attached CSV)
  and WeasyPrint's rendering of the same page (no attachment, no annex);
* the annex's ceiling: the rows per second if the annex cost no more than its lines: the
  summary's own time plus formatting the roster's fixed-width lines.

Stores are throwaway SQLite files unless a URL is given.
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

from documents import audit, render
from documents.audit import audit_report
from documents.labels import LABELS, STATUS
from documents.roster import annex_pages
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
#: Issue 21's targets for the generated programme's audit report.
SUMMARY_TARGET_SECONDS = 1.5
ANNEX_TARGET_ROWS_PER_S = 3_000


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


def timed_report(ledger: Ledger, code: str, roster: bool, key: str | None
                 ) -> tuple[float, bytes, float]:
    """Seconds, the PDF, and the process's CPU seconds (steadier than the wall clock when
    other work shares the cores)."""
    started, cpu = time.perf_counter(), time.process_time()
    with open_read_side(ledger, signing_key=key) as view:
        content = audit_report(view, code, roster=roster).content
    return time.perf_counter() - started, content, time.process_time() - cpu


def ceilings(ledger: Ledger, code: str, key: str | None) -> tuple[float, float]:
    """The summary's raw work (the roster read, WeasyPrint on the same page) and the time to
    format the annex's lines from the roster, in seconds."""
    with open_read_side(ledger, signing_key=key) as view:
        started = time.perf_counter()
        rows = view.roster(code)
        read = time.perf_counter() - started
        context, _ = audit._gather(view, code, False, "id")
        page = render.html("audit.html", "id", **context)
        started = time.perf_counter()
        render.pdf(page, created=view.recorded_at)
        rendered = time.perf_counter() - started
        labels = LABELS["id"]
        started = time.perf_counter()
        list(annex_pages(rows, audit._annex_header(labels), STATUS["id"]))
        formatted = time.perf_counter() - started
    return read + rendered, formatted


def report_figures(ledger: Ledger, code: str, name: str, members: int, key: str | None,
                   targets: bool) -> None:
    """The summary and the report with its annex, each beside its ceiling (and the issue's
    target, for the generated programme)."""
    ceiling, formatting = ceilings(ledger, code, key)
    seconds, content, cpu = timed_report(ledger, code, False, key)
    summary: dict[str, Any] = {
        "figure": f"audit_report_{name}_summary", "programme": code, "members": members,
        "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "pages": _pages(content),
        "bytes": len(content),
        "ceiling_seconds": round(ceiling, 2), "ratio_to_ceiling": round(ceiling / seconds, 2)}
    if targets:
        summary |= {"target_seconds": SUMMARY_TARGET_SECONDS,
                    "ratio_to_target": round(SUMMARY_TARGET_SECONDS / seconds, 2)}
    emit(summary)
    with_annex, content, cpu = timed_report(ledger, code, True, key)
    rate = members / with_annex
    best = members / (seconds + formatting)
    annex: dict[str, Any] = {
        "figure": f"audit_report_{name}_with_annex", "programme": code, "members": members,
        "seconds": round(with_annex, 2), "cpu_seconds": round(cpu, 2), "pages": _pages(content),
        "rows_per_s": round(rate),
        "ceiling_rows_per_s": round(best), "ratio_to_ceiling": round(rate / best, 2)}
    if targets:
        annex |= {"target_rows_per_s": ANNEX_TARGET_ROWS_PER_S,
                  "ratio_to_target": round(rate / ANNEX_TARGET_ROWS_PER_S, 2)}
    emit(annex)


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
        timed_report(demo, "TNG-2025", False, key)  # warm-up: WeasyPrint's import, fonts
        report_figures(demo, "TNG-2025", "demo", 5_952, key, targets=False)
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
        report_figures(city, CODE, "generated", len(rows), key, targets=True)
        city.close()

        sample = rows[: args.baseline_rows]
        seconds, content = plain_table(sample)
        emit({"figure": "baseline_plain_weasyprint_table", "rows": len(sample),
              "seconds": round(seconds, 2), "pages": _pages(content),
              "rows_per_s": round(len(sample) / seconds),
              "target_rows_per_s": ANNEX_TARGET_ROWS_PER_S,
              "ratio_to_target": round(len(sample) / seconds / ANNEX_TARGET_ROWS_PER_S, 2)})


if __name__ == "__main__":
    main()
