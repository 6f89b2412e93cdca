"""/obligations: what a programme still owes beside what it paid: the scholarship years still
payable school year by school year (one grade a year), approved claims not paid in full, and the
late interest owed to heirs, per programme and per funder, on both stores."""

from __future__ import annotations

from heirs_story import owed_story, stmb_story
from http_client import Api


def test_a_programme_owes_its_scholarship_years_ahead_its_unpaid_approvals_and_late_interest(
    api: Api,
) -> None:
    owed_story(api.app.extensions["claims_ledger"])
    found = api.get("/api/v1/obligations?program=TNG-2025&on=2025-10-01")
    assert found.status_code == 200, found.json
    owed = found.json["obligations"][0]
    assert (owed["programme"], owed["from_school_year"], owed["scholarships"],
            owed["children"]) == ("TNG-2025", "2025/2026", 1, 2)
    years = {line["school_year"]: line for line in owed["scholarship_years"]}
    # 2025/2026 is claimed for both children: not projected again.
    assert "2025/2026" not in years
    # 2026/2027: Siti's second TK-SD year and Rizky's second SMA year.
    assert (years["2026/2027"]["children"], years["2026/2027"]["amount"]) == (2, 4_500_000)
    # Rizky: SMA 2026/2027 and 2027/2028, then 5 university years (2028/2029 to 2032/2033,
    # all starting before his 23rd birthday on 1 August 2032): 2 x 3.000.000 + 5 x 12.000.000.
    # Siti, a grade a year read from her age: TK-SD until 2028/2029, SMP at 13 (2029/2030 to
    # 2031/2032), SMA at 16 (2032/2033 to 2034/2035), then university until her 23rd birthday
    # on 10 May 2039 (2035/2036 to 2038/2039): 3 x 1.500.000 + 3 x 2.000.000 + 3 x 3.000.000
    # + 4 x 12.000.000.
    rizky = 2 * 3_000_000 + 5 * 12_000_000
    siti = 3 * 1_500_000 + 3 * 2_000_000 + 3 * 3_000_000 + 4 * 12_000_000
    assert owed["scholarship_total"] == rizky + siti == 133_500_000
    assert owed["scholarship_paid"] == 1_500_000
    assert [(c["benefit"], c["outstanding"]) for c in owed["unpaid_claims"]] == [
        ("scholarship_year", 3_000_000)]
    assert owed["unpaid_claims"][0]["subject_nik"].count("*") >= 6  # masked in the answer
    assert owed["unpaid_total"] == 3_000_000
    assert owed["late_interest_total"] == 4_200_000  # 10 days x 1% of Rp42.000.000
    assert owed["paid"] == 70_000_000 + 1_500_000 + 42_000_000
    funders = found.json["funders"]
    assert [(f["funder_name"], f["unpaid_total"], f["late_interest_total"]) for f in funders] == [
        ("Pemerintah Kota Tangerang", 3_000_000, 4_200_000)]


def test_a_year_later_the_years_claimed_before_are_no_longer_ahead(api: Api) -> None:
    owed_story(api.app.extensions["claims_ledger"])
    later = api.get("/api/v1/obligations?program=TNG-2025&on=2026-07-01").json["obligations"][0]
    assert later["from_school_year"] == "2026/2027"
    # Nothing claimed for 2026/2027 yet: it is still ahead, and the total is unchanged.
    assert later["scholarship_years"][0] == {"school_year": "2026/2027", "children": 2,
                                             "amount": 4_500_000}
    assert later["scholarship_total"] == 133_500_000


def test_obligations_of_a_programme_not_in_the_ledger_are_a_clear_404(api: Api) -> None:
    missing = api.get("/api/v1/obligations?program=NOPE-2025")
    assert missing.status_code == 404
    assert "there is no programme with code NOPE-2025" in missing.json["detail"]


def test_a_day_outside_the_school_years_the_ledger_knows_is_refused_in_words(api: Api) -> None:
    owed_story(api.app.extensions["claims_ledger"])
    for day in ("0001-01-01", "9999-12-31"):
        refused = api.get(f"/api/v1/obligations?program=TNG-2025&on={day}")
        assert refused.status_code == 422, refused.json
        assert "a school year must start between" in refused.json["detail"]


def test_a_work_accident_with_no_recorded_end_owes_its_next_stmb_month_per_programme_and_funder(
    api: Api,
) -> None:
    stmb_story(api.app.extensions["claims_ledger"])
    found = api.get("/api/v1/obligations?program=TNG-2025&on=2026-07-20")
    assert found.status_code == 200, found.json
    owed = found.json["obligations"][0]
    # Months 1 to 12 claimed, no end recorded: month 13 from 14 July 2026 at 50% of Rp1.000.000;
    # the recovered case and the one whose month was rejected owe no month.
    assert [(c["months_claimed"], c["next_month"], c["next_starts_on"], c["next_percent"],
             c["next_amount"]) for c in owed["stmb_cases"]] == [
        (12, 13, "2026-07-14", 50, 500_000)]
    assert owed["stmb_cases"][0]["subject_nik"].count("*") >= 6  # masked in the answer
    assert owed["stmb_total"] == 500_000
    assert [(f["funder_name"], f["stmb_total"]) for f in found.json["funders"]] == [
        ("Pemerintah Kota Tangerang", 500_000)]
