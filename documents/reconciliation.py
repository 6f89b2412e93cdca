"""The reconciliation report: each statement run, its counts and its discrepancies (PDF).

Bahasa Indonesia, amounts as ``Rp1.234.567``, dates as ``24 Maret 2025``. The PDF's own date is
the recorded time of the latest run it shows, so the same runs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from documents.render import html, pdf
from projections.views import ReconciliationRun

KIND_LABELS = {
    "missing_in_ledger": "Tidak ada di buku besar",
    "missing_in_statement": "Tidak ada di rekening koran/tagihan",
    "amount_differs": "Jumlah berbeda",
    "date_differs": "Tanggal berbeda",
    "duplicated": "Tercatat ganda di rekening koran/tagihan",
}
SOURCE_LABELS = {"bpjs": "Tagihan BPJS Ketenagakerjaan", "bank": "Rekening koran bank"}


TITLE = "Laporan Rekonsiliasi Iuran dan Pembayaran Manfaat"


def reconciliation_html(runs: Sequence[ReconciliationRun]) -> str:
    """The report's page: each run, its counts and its discrepancies."""
    programmes = sorted({r.programme for r in runs if r.programme})
    return html("reconciliation.html", "id", runs=runs, kinds=KIND_LABELS,
                sources=SOURCE_LABELS, title=TITLE,
                description=f"{TITLE}: {len(runs)} rekonsiliasi",
                header_left=f"{TITLE} · {', '.join(programmes) or 'semua program'}",
                header_right=f"{len(runs)} rekonsiliasi",
                footer_left="claims-ledger · rekonsiliasi")


def reconciliation_pdf(runs: Sequence[ReconciliationRun]) -> bytes:
    """The report as PDF, dated by the latest run it shows."""
    stamps = [datetime.fromisoformat(r.recorded_at) for r in runs if r.recorded_at]
    created = max(stamps) if stamps else datetime(2025, 1, 1, tzinfo=UTC)
    return pdf(reconciliation_html(runs), created=created)
