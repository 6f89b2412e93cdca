"""PersonErased on the read side, on both stores: the live tables overwrite the person's
personal columns with "[dihapus]" by their id, keep every figure, and hold exactly what a
rebuild after the erasure holds."""

from __future__ import annotations

from datetime import date

import pytest
from projection_digest import digest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.erasure import ScholarshipRunningError
from ledger.incident import IncidentKind
from ledger.schooling import Child, SchoolLevel
from projections.queries import Reader
from projections.runner import Projector
from scenario import APPROVER, CLERK, FINANCE, a_nik, covered_member, heir, tangerang_terms

BASIS = "UU 27/2022 pasal 8; permohonan no. PDP/2026/014"


def test_the_read_models_show_dihapus_for_the_erased_and_equal_a_rebuild(ledger: Ledger) -> None:
    ledger.open_programme(tangerang_terms(retention_years=1), actor="admin")
    member = covered_member(ledger)
    other = covered_member(ledger, seed=8)
    ledger.record_kpj(member.id, "25012345678", CLERK)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                      "died", work_related=False, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10), CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 11), APPROVER)
    ledger.disburse(claim.id, "TRF-1", 42_000_000, date(2025, 9, 12), FINANCE)
    projector = Projector(ledger, batch_size=3)
    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        budget_before = reader.budget("TNG-2025")
        ledger.erase_person(member.nik, BASIS, "asked in writing", actor="admin.ayu")
        ledger.erase_person(heir().nik, BASIS, "asked in writing", actor="admin.ayu")
        projector.catch_up()  # incrementally
        rows = {row["enrolment_id"]: row for row in projector.connection.query(
            projector.live.sql("SELECT * FROM {members}"))}
        erased = rows[str(member.id)]
        assert (erased["nik"], erased["name"], erased["kk"], erased["kpj"]) == ("[dihapus]",) * 4
        assert erased["decile"] == member.decile and erased["died_on"] == "2025-09-02"
        assert rows[str(other.id)]["nik"] == other.nik  # nobody else's row is touched
        [row] = projector.connection.query(projector.live.sql("SELECT * FROM {claims}"))
        assert (row["subject_nik"], row["claimant_nik"], row["account"]) == ("[dihapus]",) * 3
        assert (row["approved"], row["disbursed"], row["status"]) == (42_000_000, 42_000_000,
                                                                      "approved")
        assert reader.budget("TNG-2025") == budget_before
        incremental = digest(projector.connection, projector.live)
        projector.batch_size = 500
        projector.rebuild()
        assert digest(projector.connection, projector.live) == incremental
    finally:
        projector.close()


def test_a_scholarship_child_who_stopped_is_erased_alone_and_the_others_year_runs_on(
    ledger: Ledger,
) -> None:
    ledger.open_programme(tangerang_terms(retention_years=1), actor="admin")
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                      "died", work_related=True, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKK_DEATH, heir(), date(2025, 9, 10), CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 11), APPROVER)
    ledger.disburse(claim.id, "TRF-1", claim.entitlement, date(2025, 9, 12), FINANCE)
    married = Child("Rizky Pratama", a_nik(41, female=False, born=date(2004, 8, 1)),
                    date(2004, 8, 1), SchoolLevel.UNIVERSITY)
    young = Child("Siti Aminah", a_nik(40, born=date(2016, 5, 10)), date(2016, 5, 10),
                  SchoolLevel.TK_SD)
    scholarship = ledger.grant_scholarship(claim.id, [married, young], date(2025, 9, 15),
                                           actor=CLERK)
    ledger.record_child_stopped(scholarship.id, married.nik, "married", date(2025, 10, 1),
                                actor=CLERK)
    with pytest.raises(ScholarshipRunningError):  # the young child's years still run
        ledger.erase_person(member.nik, BASIS, "asked in writing", actor="admin.ayu")
    report = ledger.erase_person(married.nik, BASIS, "asked in writing", actor="admin.ayu")
    assert report.unreadable == {"Person.Registered": 1, "Scholarship.ChildStopped": 1,
                                 "Scholarship.Granted": 1}
    projector = Projector(ledger)
    try:
        projector.catch_up()
        rows = projector.connection.query(projector.live.sql(
            "SELECT * FROM {scholarship_children} ORDER BY position, child_nik"))
        by_name = {row["child_name"]: row for row in rows}
        assert set(by_name) == {"[dihapus]", "Siti Aminah"}
        erased = by_name["[dihapus]"]
        assert erased["child_nik"] == "[dihapus]" and married.nik not in erased["child_id"]
        assert erased["stopped_why"] == "married"
        incremental = digest(projector.connection, projector.live)
        projector.rebuild()
        assert digest(projector.connection, projector.live) == incremental
    finally:
        projector.close()
