"""A programme that owes: a work death with two children's scholarship (one year paid, one
approved and unpaid) and a JKM payout 10 days late (the heirs' interest), for the obligations'
tests on the API and the documents."""

from __future__ import annotations

import hashlib
from datetime import date

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.incident import IncidentKind
from ledger.schooling import Child, SchoolLevel, SchoolYear
from ledger.work_accident import IncapacityEnd
from projections.runner import Projector
from scenario import APPROVER, CLERK, FINANCE, a_nik, covered_member, heir, member_self

PROOF = hashlib.sha256(b"surat keterangan aktif sekolah").hexdigest()
# Siti, 9 at the death, at TK-SD; Rizky, 16, at SMA (docs/domain.md: Rp1.500.000 a TK-SD year,
# Rp3.000.000 an SMA year, Rp12.000.000 a university year).
SITI = Child("Siti Aminah", a_nik(40, female=True, born=date(2016, 5, 10)), date(2016, 5, 10),
             SchoolLevel.TK_SD)
RIZKY = Child("Rizky Pratama", a_nik(41, female=False, born=date(2009, 8, 1)), date(2009, 8, 1),
              SchoolLevel.SMA)


def owed_story(ledger: Ledger) -> dict[str, str]:
    """A work death on 2 September 2025 (JKK, Rp70.000.000 paid) with two children's 2025/2026
    years claimed and approved, Siti's paid and Rizky's not; a JKM death paid 10 days after its
    due day (Rp4.200.000 of interest owed to the heirs). The two death claims' ids, by name."""
    member = covered_member(ledger)
    death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                   "fell from a scaffold", work_related=True, actor=CLERK)
    jkk = ledger.file_claim(death.id, Benefit.JKK_DEATH, heir(), date(2025, 9, 10), actor=CLERK)
    ledger.approve_claim(jkk.id, date(2025, 9, 12), actor=APPROVER)
    ledger.disburse(jkk.id, "TRF/JKK/1", jkk.entitlement, date(2025, 9, 15), actor=FINANCE)
    granted = ledger.grant_scholarship(jkk.id, [SITI, RIZKY], date(2025, 9, 15), actor=CLERK)
    for child, level, reference in ((SITI, SchoolLevel.TK_SD, "TRF/BS/1"),
                                    (RIZKY, SchoolLevel.SMA, None)):
        year = ledger.file_scholarship_year(granted.id, child.nik, level, SchoolYear(2025),
                                            "SKAS/421/2025", PROOF, heir(), date(2025, 9, 20),
                                            actor=CLERK)
        ledger.approve_claim(year.id, date(2025, 9, 22), actor=APPROVER)
        if reference:
            ledger.disburse(year.id, reference, year.entitlement, date(2025, 9, 25),
                            actor=FINANCE)
    other = covered_member(ledger, seed=8)
    died = ledger.report_incident(other.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                  "sakit", work_related=False, actor=CLERK)
    jkm = ledger.file_claim(died.id, Benefit.JKM_DEATH, heir(nik_serial=78), date(2025, 9, 10),
                            actor=CLERK)
    ledger.record_file_complete(jkm.id, date(2025, 9, 15), actor=CLERK)
    ledger.approve_claim(jkm.id, date(2025, 9, 16), actor=APPROVER)
    ledger.disburse(jkm.id, "TRF/JKM/1", 42_000_000, date(2025, 9, 28), actor=FINANCE)
    ids = {"jkk": str(jkk.id), "jkm": str(jkm.id)}
    projector = Projector(ledger)
    try:
        projector.catch_up()  # the worker's job on PostgreSQL
    finally:
        projector.close()
    return ids


STMB_ACCIDENT = date(2025, 7, 14)


def stmb_story(ledger: Ledger) -> None:
    """Three work accidents of 14 July 2025 at the Rp1.000.000 band (docs/domain.md section 4):
    one with STMB months 1 to 12 claimed (month 12 approved and paid) and no recorded end, so
    month 13 (from 14 July 2026, at 50%) is due next; one whose recovery on 20 August 2025 is
    recorded; one whose only month was rejected."""
    for seed, months in ((20, range(1, 13)), (21, range(1, 2)), (22, range(1, 2))):
        member = covered_member(ledger, seed=seed)
        accident = ledger.report_incident(member.id, IncidentKind.ACCIDENT, STMB_ACCIDENT,
                                          "Jl. Daan Mogot", "hit by a truck", work_related=True,
                                          actor=CLERK)
        claims = [ledger.file_stmb_month(accident.id, month, member_self(member),
                                         date(2026, 7, 1), actor=CLERK) for month in months]
        if seed == 20:
            ledger.approve_claim(claims[-1].id, date(2026, 7, 2), actor=APPROVER)
            ledger.disburse(claims[-1].id, "TRF/STMB/12", 1_000_000, date(2026, 7, 3),
                            actor=FINANCE)
        elif seed == 21:
            ledger.end_incapacity(accident.id, IncapacityEnd.RECOVERY, date(2025, 8, 20),
                                  actor=CLERK)
        else:
            ledger.reject_claim(claims[0].id, "incomplete_file", "no medical certificate",
                                date(2026, 7, 2), actor=APPROVER)
    projector = Projector(ledger)
    try:
        projector.catch_up()
    finally:
        projector.close()
