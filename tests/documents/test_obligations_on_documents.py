"""The audit report shows what a programme still owes beside what it paid, and lists the
scholarship lines child by child, on SQLite and PostgreSQL (the ledger on a clock standing at
1 October 2025, so the report's day, and the school year owed from, are that day's)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from heirs_story import owed_story
from pdf_text import squeezed, text_of
from rendered import audit_report

from ledger.application import Ledger
from ledger.clock import WIB, ScriptedClock
from storage.log_index import open_ledger
from storage.settings import StoreSettings


@pytest.fixture
def on_first_october(store_settings: StoreSettings) -> Iterator[Ledger]:
    app = open_ledger(store_settings, clock=ScriptedClock(
        datetime(2025, 10, 1, 9, tzinfo=WIB), tick=timedelta(0)))
    app.require_initialised()
    yield app
    app.close()


def test_the_audit_report_shows_what_is_still_owed_and_each_scholarship_line(
    on_first_october: Ledger,
) -> None:
    owed_story(on_first_october)
    report = audit_report(on_first_october, "TNG-2025")
    text = text_of(report.content)
    assert "Kewajiban ke depan (dihitung dari 1 Oktober 2025, tahun ajaran 2025/2026)" in text
    # Paid on claims: JKK death Rp70.000.000 + Siti's year Rp1.500.000 + JKM Rp42.000.000.
    assert squeezed("Sudah dibayar atas klaim (semua manfaat) Rp113.500.000") in squeezed(text)
    # Rizky's approved SMA year, unpaid; the JKM payout's 10 days x 1% of Rp42.000.000.
    assert squeezed("klaim disetujui yang belum lunas (1) Rp3.000.000") in squeezed(text)
    assert squeezed("(1% per hari) Rp4.200.000") in squeezed(text)
    # The outlook of both children (tests/api/test_obligations_route.py works it out).
    assert squeezed("beasiswa tahun ajaran mendatang* Rp133.500.000") in squeezed(text)
    assert squeezed("Masih terutang Rp140.700.000") in squeezed(text)  # 133,5 + 3 + 4,2 jt
    assert squeezed("2026/2027 2 Rp4.500.000") in squeezed(text)
    # The scholarship lines: each child's claimed year, level, state and payout.
    assert "Beasiswa anak ahli waris" in text
    assert squeezed("Siti Aminah") in squeezed(text)
    assert squeezed("2025/2026 TK-SD disetujui Rp1.500.000 Rp1.500.000") in squeezed(text)
    assert squeezed("2025/2026 SMA disetujui Rp3.000.000 Rp0") in squeezed(text)
    # Per child: Rp87.000.000 less what was paid.
    assert squeezed("Siti Aminah: Sisa hak Rp85.500.000") in squeezed(text)
    assert squeezed("Rizky Pratama: Sisa hak Rp87.000.000") in squeezed(text)


def test_the_english_audit_report_says_the_same_in_english(on_first_october: Ledger) -> None:
    owed_story(on_first_october)
    text = text_of(audit_report(on_first_october, "TNG-2025", lang="en").content)
    assert "Obligations ahead (from 1 October 2025, school year 2025/2026)" in text
    assert squeezed("Still owed Rp140.700.000") in squeezed(text)
    assert "Scholarships of the heirs' children" in text
