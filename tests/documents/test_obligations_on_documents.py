"""The audit report shows what a programme still owes beside what it paid, and lists the
scholarship lines child by child (the ledger on a clock standing at 1 October 2025, so the
report's day, and the school year owed from, are that day's); a death claim's dossier says
whether the children have a scholarship, or why not; the minutes list each school year handed
over. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from heirs_story import SITI, owed_story, stmb_story
from pdf_text import squeezed, text_of
from rendered import audit_report, claim_dossier, handover_minutes

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.clock import WIB, ScriptedClock
from ledger.errors import ScholarshipNotGrantedError
from ledger.handover import CeremonyDetails, Official
from ledger.incident import IncidentKind
from scenario import APPROVER, CLERK, covered_member, heir, projected
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


def test_a_jkm_death_under_3_years_has_no_scholarship_and_its_dossier_says_why(
    ledger: Ledger,
) -> None:
    member = covered_member(ledger)  # enrolled 24 March 2025
    death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                   "sakit", work_related=False, actor=CLERK)
    claim = ledger.file_claim(death.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10),
                              actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 12), actor=APPROVER)
    with pytest.raises(ScholarshipNotGrantedError, match="3 years were complete on 2028-03-24"):
        ledger.grant_scholarship(claim.id, [SITI], date(2025, 9, 15), actor=CLERK)
    projected(ledger)
    text = text_of(claim_dossier(ledger, str(claim.id)).content)
    assert ("Beasiswa anak: tidak diberikan. Kematian yang bukan karena kecelakaan kerja (JKM) "
            "memberi beasiswa bila kepesertaan paling singkat 3 tahun; kepesertaan mulai "
            "24 Maret 2025, sehingga 3 tahun baru genap pada 24 Maret 2028, sesudah kematian "
            "pada 2 September 2025") in text
    english = text_of(claim_dossier(ledger, str(claim.id), lang="en").content)
    assert "membership began on 24 March 2025, so 3 years were complete only on" in english


def test_a_work_death_s_dossier_names_the_children_and_the_minutes_list_each_year(
    ledger: Ledger,
) -> None:
    owed_story(ledger)
    seen = projected(ledger)
    jkk = next(c for c in seen["claims"] if c["benefit"] == "jkk_death")
    dossier = text_of(claim_dossier(ledger, jkk["claim_id"]).content)
    assert "Beasiswa anak: diberikan untuk Siti Aminah, Rizky Pratama." in dossier
    years = [c["claim_id"] for c in seen["claims"] if c["benefit"] == "scholarship_year"]
    ceremony = ledger.record_handover(
        CeremonyDetails(held_on=date(2025, 9, 26), venue="Kantor Kecamatan Periuk",
                        region="36.71", district="36.71.08", occasion="Penyerahan beasiswa",
                        officials=(Official("Dessy Sriningsih", "Kepala Kantor Cabang"),)),
        [jkk["claim_id"], *years], actor=CLERK)
    minutes = squeezed(text_of(handover_minutes(ledger, str(ceremony.id)).content))
    assert squeezed("Siti Aminah, TK-SD 2025/2026") in minutes
    assert squeezed("Rizky Pratama, SMA 2025/2026") in minutes
    # One heir received the three lines: she signs once, and is counted once.
    assert squeezed("Jumlah seluruhnya (1 penerima)") in minutes


@pytest.fixture
def on_twentieth_july_2026(store_settings: StoreSettings) -> Iterator[Ledger]:
    app = open_ledger(store_settings, clock=ScriptedClock(
        datetime(2026, 7, 20, 9, tzinfo=WIB), tick=timedelta(0)))
    app.require_initialised()
    yield app
    app.close()


def test_the_audit_report_owes_the_next_stmb_month_of_an_accident_not_yet_ended(
    on_twentieth_july_2026: Ledger,
) -> None:
    stmb_story(on_twentieth_july_2026)
    text = squeezed(text_of(audit_report(on_twentieth_july_2026, "TNG-2025").content))
    assert squeezed("Masih terutang: STMB bulan berikutnya (kecelakaan kerja yang belum "
                    "berakhir) (1) Rp500.000") in text
    assert squeezed("Kecelakaan 14 Juli 2025: 12 bulan diklaim; bulan ke-13 mulai 14 Juli 2026 "
                    "(50% upah) Rp500.000") in text


def test_a_jkm_dossier_shows_its_due_day_and_the_interest_its_late_payout_owes_the_heirs(
    on_first_october: Ledger,
) -> None:
    """File complete on Monday 15 September 2025, due on the third working day (Thursday 18
    September), paid on 28 September: 10 days late, 1% of Rp42.000.000 a day, Rp4.200.000."""
    story = owed_story(on_first_october)
    dossier = text_of(claim_dossier(on_first_october, story["jkm"]).content)
    assert squeezed("Jatuh tempo pembayaran 18 September 2025 (berkas lengkap 15 September "
                    "2025)") in squeezed(dossier)
    assert squeezed("Bunga keterlambatan untuk ahli waris Rp4.200.000 10 hari x 1% dari "
                    "Rp42.000.000 (dibayar 28 September 2025)") in squeezed(dossier)
    english = text_of(claim_dossier(on_first_october, story["jkm"], "en").content)
    assert squeezed("Late-payment interest owed to the heirs Rp4.200.000 10 days x 1% of "
                    "Rp42.000.000 (paid 28 September 2025)") in squeezed(english)
    on_time = text_of(claim_dossier(on_first_october, story["jkk"]).content)
    assert "Bunga keterlambatan" not in on_time and "Jatuh tempo pembayaran" not in on_time
