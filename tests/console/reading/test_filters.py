"""The filter bar over the demo's year: every page that lists or sums things honours the
period, funder, programme and district it can divide by, and says in a sentence which of them it
cannot, instead of ignoring them silently."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from console_client import Browserless

#: Kota Tangerang's region and one of its districts; Kabupaten Tangerang's region.
KOTA, KABUPATEN = "36.71", "36.03"
CLAIM_LINK = re.compile(r'href="/claims/([0-9a-f-]{36})"')
UNAPPLIED = "tidak berlaku di halaman ini"


def text_of(html: str) -> str:
    """A page's words, as a reader sees them (tags and the chart's SVG left out)."""
    body = re.sub(r"<svg.*?</svg>|<script.*?</script>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def api(demo: Browserless, path: str) -> Any:
    response = demo.client.get(path, headers={"Authorization":
                                              f"Bearer {demo.tokens['auditor']}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def claim_ids(html: str) -> list[str]:
    return list(dict.fromkeys(CLAIM_LINK.findall(html)))


def first_claims(demo: Browserless, query: str) -> list[dict[str, Any]]:
    return list(api(demo, f"/api/v1/claims?{query}&limit=50")["items"])


def test_the_claims_list_honours_the_funder_as_the_api_lists_its_programmes_claims(
        demo: Browserless) -> None:
    demo.sign_in("auditor")
    funded = {p["code"]: p["funder_region"]
              for p in api(demo, "/api/v1/programs?limit=100")["items"]}
    listed, after = [], 0
    while after is not None:
        answer = api(demo, f"/api/v1/claims?limit=500&after={after}")
        listed, after = listed + answer["items"], answer["next"]
    for region in (KOTA, KABUPATEN):
        html = demo.get(f"/claims?funder={region}").get_data(as_text=True)
        expected = [c["id"] for c in listed if funded[c["program"]] == region][:50]
        assert claim_ids(html) == expected, region
        assert UNAPPLIED not in text_of(html)
    assert any(funded[c["program"]] == KOTA for c in listed)


def test_the_claims_list_honours_the_district_of_each_claims_member(demo: Browserless) -> None:
    demo.sign_in("auditor")
    some = next(c for c in first_claims(demo, "program=TNG-2025") if c.get("member_id"))
    district = demo.ledger.enrolment(some["member_id"]).district
    html = demo.get(f"/claims?district={district}").get_data(as_text=True)
    shown = claim_ids(html)
    assert some["id"] in shown
    for claim_id in shown:
        claim = demo.ledger.claim(claim_id)  # a city grant names its district; else the member
        own = (claim.facts or {}).get("district")
        assert (own or demo.ledger.enrolment(claim.enrolment_id).district) == district
    everyone = claim_ids(demo.get("/claims").get_data(as_text=True))
    assert set(everyone) - set(shown), "some claim of another district is left out"


def test_the_programme_list_keeps_only_programmes_running_in_the_period(
        demo: Browserless) -> None:
    demo.sign_in("auditor")
    running = demo.get("/programmes?period=2025-03").get_data(as_text=True)
    assert 'href="/programmes/TNG-2025' in running
    before = demo.get("/programmes?period=2024").get_data(as_text=True)
    assert 'href="/programmes/TNG-2025' not in before
    assert UNAPPLIED not in text_of(before)


def test_the_findings_page_honours_the_funder_and_counts_as_the_api_does_for_its_programme(
        demo: Browserless) -> None:
    demo.sign_in("auditor")
    expected = api(demo, "/api/v1/findings?program=KABTNG-2025&limit=1")["total"]
    page = text_of(demo.get(f"/findings?funder={KABUPATEN}").get_data(as_text=True))
    assert re.search(rf"\b{expected} temuan pada posisi data", page), page[:400]
    everything = api(demo, "/api/v1/findings?limit=1")["total"]
    assert everything > expected


def test_the_documents_page_offers_only_the_funders_programmes(demo: Browserless) -> None:
    demo.sign_in("auditor")
    html = demo.get(f"/documents?funder={KABUPATEN}").get_data(as_text=True)
    offered = html.split('id="doc-programme"', 1)[1].split("</select>", 1)[0]
    assert 'value="KABTNG-2025"' in offered and 'value="TNG-2025"' not in offered


@pytest.mark.parametrize(("path", "role"), [
    ("/programmes", "auditor"), ("/programmes/TNG-2025", "auditor"), ("/findings", "auditor"),
    ("/reconciliation", "finance"), ("/documents", "auditor"), ("/workers", "auditor"),
])
def test_a_page_that_cannot_divide_by_district_says_so_in_a_sentence(
        demo: Browserless, path: str, role: str) -> None:
    demo.sign_in(role)
    page = text_of(demo.get(f"{path}?district={KOTA}.01").get_data(as_text=True))
    assert ("Saringan kecamatan tidak berlaku di halaman ini: isinya tidak dibagi menurut itu"
            in page), path


def test_the_lists_that_divide_by_district_say_nothing_is_left_unapplied(
        demo: Browserless) -> None:
    for path, role in (("/claims", "auditor"), ("/approvals", "approver")):
        client = demo.new_client()
        demo.sign_in(role, client=client)
        answer = demo.get(f"{path}?district={KOTA}.01&period=2025&funder={KOTA}", client)
        assert answer.status_code == 200, path
        page = text_of(answer.get_data(as_text=True))
        assert UNAPPLIED not in page, path
