"""The programme page's table of what is still owed, beside what was paid, on each store: the
same figures as the audit report and /obligations (the day is the console's, so only figures
that do not move with the day are checked here; the outlook by school year is checked at a
fixed day in tests/api/test_obligations_route.py)."""

from __future__ import annotations

import re

from console_client import Browserless
from heirs_story import owed_story, stmb_story


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_programme_page_shows_what_is_owed_beside_what_was_paid(
    console: Browserless,
) -> None:
    owed_story(console.ledger)
    console.sign_in("auditor")
    page = console.get("/programmes/TNG-2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    table = html[html.index('id="obligations"'):]
    table = _text(table[:table.index("</table>")])
    assert "Sudah dibayar atas klaim (semua manfaat) Rp113.500.000" in table
    assert "Klaim disetujui yang belum lunas (1) Rp3.000.000" in table
    assert "(1% per hari) Rp4.200.000" in table
    assert "Masih terutang" in table


def test_the_programme_page_lists_the_next_stmb_month_of_an_accident_not_yet_ended(
    console: Browserless,
) -> None:
    stmb_story(console.ledger)
    console.sign_in("auditor")
    html = console.get("/programmes/TNG-2025").get_data(as_text=True)
    table = html[html.index('id="obligations"'):]
    table = _text(table[:table.index("</table>")])
    assert ("STMB bulan berikutnya (kecelakaan kerja yang belum berakhir): Kecelakaan 14 Juli "
            "2025: 12 bulan diklaim; bulan ke-13 mulai 14 Juli 2026 (50% upah) Rp500.000") in table
