"""The member roster of a programme: a CSV file carried inside the audit report, and the printed
annex.

The CSV is for matching (with BPJS's membership data, the welfare register, the ministry's
lists), which needs the full NIK and No KK: that is its purpose, so it carries them, and the
report's cover gives its SHA-256. The printed annex is for reading on paper, where the NIK is
masked (``3671********0001``).

The annex is set as fixed-width text, one block of lines per page, rather than as an HTML table
(the table layout of tens of thousands of rows is what makes a plain WeasyPrint rendering slow),
and the blocks are drawn straight into the PDF (:mod:`documents.annex_pdf`), not laid out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from ledger.identity import mask_nik
from ledger.occupations import occupation_label
from ledger.regions import district_name
from projections.views import RosterMember

CSV_COLUMNS = (
    "no", "nik", "no_kk", "nama", "kecamatan", "kelurahan", "pekerjaan", "desil",
    "tanggal_daftar", "status", "tanggal_berakhir", "alasan_berakhir", "kpj",
    "bulan_dibayar", "klaim", "enrolment_id", "posisi_log",
)

#: Rows of the printed annex per A4 page (7 pt mono: about 80 lines fit under the header).
ROWS_PER_PAGE = 72


def roster_csv(rows: Sequence[RosterMember]) -> bytes:
    """The roster as UTF-8 CSV (comma-separated, one header line), in enrolment order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, row in enumerate(rows, start=1):
        writer.writerow((
            number, row.nik, row.kk or "", row.name, row.district,
            row.village, row.occupation, row.decile, row.enrolled_on, row.status,
            row.ended_on or "", row.end_reason or "", row.kpj or "",
            row.months_paid, row.claims, row.enrolment_id, row.position,
        ))
    return out.getvalue().encode("utf-8")


def _cut(text: Any, width: int) -> str:
    value = str(text or "-")
    return value if len(value) <= width else value[: width - 1] + "~"


def annex_pages(rows: Sequence[RosterMember], header: Sequence[str],
                status_word: dict[str, str]) -> Iterator[str]:
    """The printed roster, page by page, as fixed-width lines (NIK masked, and beside it the
    enrolment id's first 8 characters, as the findings name members: masked NIKs alone may
    read alike; district and occupation by name, as the summary names them)."""
    # 125 characters and 10 spaces of 6.2 pt DejaVu Sans Mono: 178 mm, inside A4's 180 mm.
    widths = (5, 16, 8, 20, 15, 13, 24, 2, 10, 9, 3)
    aligned_right = {0, 7, 10}

    def line(cells: Sequence[Any]) -> str:
        parts = []
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            text = _cut(cell, width)
            parts.append(text.rjust(width) if index in aligned_right else text.ljust(width))
        return " ".join(parts).rstrip()

    top = line(header)
    rule = "-" * len(top)
    for start in range(0, len(rows), ROWS_PER_PAGE):
        lines = [top, rule]
        for number, row in enumerate(rows[start : start + ROWS_PER_PAGE], start=start + 1):
            lines.append(line((
                number, mask_nik(row.nik), str(row.enrolment_id)[:8], row.name,
                district_name(str(row.district)) or row.district, row.village,
                occupation_label(str(row.occupation)), row.decile, row.enrolled_on,
                status_word.get(row.status, row.status), row.months_paid,
            )))
        yield "\n".join(lines)
