"""The roster annex's pages, drawn into the PDF after WeasyPrint's layout
(documents.annex_pdf), read as an inspector reads them: numbered out of the whole document,
under the same running header and footer as the pages WeasyPrint laid out, the same bytes twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from pdf_text import lines_of, pages, text_of
from rendered import audit_report

from bench.documents import CODE, city_wide
from documents.roster import ROWS_PER_PAGE
from ledger.application import Ledger
from ledger.journal.checkpoint import new_private_key
from projections.runner import Projector
from storage.log_index import open_ledger
from storage.settings import settings_from_url
from storage.store import init_store

MEMBERS = 5 * ROWS_PER_PAGE + 10  # six pages of rows, the last one short
POINT = 1.0


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    settings = settings_from_url(f"sqlite:///{tmp_path_factory.mktemp('annex')}/a.sqlite")
    init_store(settings)
    opened = open_ledger(settings)
    city_wide(opened, MEMBERS)
    projector = Projector(opened)
    projector.catch_up()
    projector.close()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def key() -> str:
    return new_private_key()


def _box(content: bytes, page: int, text: str) -> tuple[float, float, float, float]:
    """The box (left, bottom, right, top, in points) around ``text`` on page ``page`` (from 1)."""
    document = pdfium.PdfDocument(content)
    try:
        textpage = document[page - 1].get_textpage()
        found = textpage.search(text).get_next()
        assert found is not None, f"{text!r} is not on page {page}"
        start, count = found
        first = textpage.get_charbox(start)
        last = textpage.get_charbox(start + count - 1)
        return first[0], min(first[1], last[1]), last[2], max(first[3], last[3])
    finally:
        document.close()


def test_every_page_of_a_report_with_its_annex_is_numbered_out_of_the_whole_document(
    ledger: Ledger, key: str,
) -> None:
    report = audit_report(ledger, CODE, roster=True, signing_key=key)
    total = pages(report.content)
    summary = pages(audit_report(ledger, CODE, signing_key=key).content)
    assert total == summary + -(-MEMBERS // ROWS_PER_PAGE)  # a page a block, from a new page
    for number in range(1, total + 1):
        assert f"Halaman {number} dari {total}" in text_of_page(report.content, number)


def test_the_drawn_pages_carry_the_header_and_footer_where_weasyprint_sets_them(
    ledger: Ledger, key: str,
) -> None:
    plain = audit_report(ledger, CODE, signing_key=key).content
    annexed = audit_report(ledger, CODE, roster=True, signing_key=key).content
    last = pages(annexed)
    header = "Posisi data:"
    footer = "claims-ledger · Laporan"
    for text in (header, footer, f"{CODE} · Perlindungan"):
        laid_out = _box(plain, 2, text)
        drawn = _box(annexed, last, text)
        assert drawn == pytest.approx(laid_out, abs=0.05 * POINT), text
    # "Halaman 2 dari N" ends at the right margin, on the baseline WeasyPrint gives it.
    laid_out = _box(plain, 2, "Halaman 2 dari")
    drawn = _box(annexed, 2, "Halaman 2 dari")
    assert drawn[1] == pytest.approx(laid_out[1], abs=0.05 * POINT)
    number_right = _box(plain, 2, f"dari {pages(plain)}")[2]
    assert _box(annexed, 2, f"dari {last}")[2] == pytest.approx(number_right, abs=0.05 * POINT)


def test_the_annex_rows_read_back_in_order_a_page_at_a_time_with_the_nik_masked(
    ledger: Ledger, key: str,
) -> None:
    report = audit_report(ledger, CODE, roster=True, signing_key=key)
    lines = lines_of(report.content)
    numbers = [int(line.split()[0]) for line in lines
               if re.match(r"^ *\d+ \d{4}\*{8}\d{4} ", line)]
    assert numbers == list(range(1, MEMBERS + 1))
    headings = [line for line in lines if line.split()[:2] == ["No", "NIK"]]
    assert len(headings) == MEMBERS // ROWS_PER_PAGE + 1
    assert not re.search(r"\b\d{16}\b", text_of(report.content))


def test_a_report_with_its_annex_is_the_same_bytes_when_rendered_again(
    ledger: Ledger, key: str,
) -> None:
    first = audit_report(ledger, CODE, roster=True, signing_key=key)
    again = audit_report(ledger, CODE, roster=True, signing_key=key)
    assert first.content == again.content


def text_of_page(content: bytes, number: int) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return str(document[number - 1].get_textpage().get_text_range())
    finally:
        document.close()
