"""Every section is open to exactly the roles of the API route it mirrors; any other role gets
403 and a sentence, and does not see the link."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from console_client import Browserless
from flask import g

from api.auth import READERS
from api.console.access import SECTIONS, Visitor, api_roles, may


def test_every_section_names_an_api_route_that_declares_its_roles(console: Browserless) -> None:
    with console.app.app_context():
        for section in SECTIONS:
            assert api_roles(section.api_endpoint, section.api_method), section.key


def test_the_approval_queue_follows_the_api_approve_route_and_the_rest_every_role(
        console: Browserless) -> None:
    with console.app.app_context():
        allowed = {s.key: set(api_roles(s.api_endpoint, s.api_method)) for s in SECTIONS}
    assert allowed["approvals"] == {"approver"}
    # Every role that reads the API (all but the audit feed's, which signs in nowhere).
    assert all(roles == set(READERS) for key, roles in allowed.items() if key != "approvals")


@pytest.mark.parametrize("role", READERS)
def test_each_role_opens_exactly_the_sections_the_api_lets_it_and_sees_only_their_links(
        console: Browserless, role: str) -> None:
    console.sign_in(role)
    with console.app.app_context():
        allowed = {s.key for s in SECTIONS
                   if role in api_roles(s.api_endpoint, s.api_method)}
    nav = console.get("/").get_data(as_text=True).split('<nav aria-label="Navigasi utama"')[1]
    nav = nav.split("</nav>")[0]
    for section in SECTIONS:
        response = console.get(section.path)
        if section.key in allowed:
            assert response.status_code == 200, (role, section.key)
            assert f'href="{section.path}"' in nav
        else:
            assert response.status_code == 403, (role, section.key)
            assert f'href="{section.path}"' not in nav
            page = response.get_data(as_text=True)
            assert "<table" not in page
            assert re.search(r'<p id="error-message">Peran Anda \(.+\) tidak boleh membuka '
                             r'.+: halaman ini hanya untuk .+, sama seperti di API\.</p>', page)


def test_a_clerk_is_told_in_words_that_the_approval_queue_is_for_approvers(
        console: Browserless) -> None:
    console.sign_in("clerk")
    response = console.get("/approvals")
    assert response.status_code == 403
    assert ("Peran Anda (petugas pencatat) tidak boleh membuka Antrean persetujuan: halaman "
            "ini hanya untuk pejabat penyetuju, sama seperti di API.") in response.get_data(
                as_text=True)
    home = console.get("/").get_data(as_text=True)
    assert "Antrean persetujuan: Setujui atau tolak klaim" in home
    assert "(hanya untuk pejabat penyetuju)" in home


def test_an_approver_opens_the_approval_queue(console: Browserless) -> None:
    console.sign_in("approver")
    response = console.get("/approvals")
    assert response.status_code == 200
    assert "<h1>Antrean persetujuan</h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize(("role", "approve", "resolve"), [
    ("approver", True, False), ("finance", False, True), ("clerk", False, False),
    ("auditor", False, False)])
def test_a_page_offers_an_action_only_to_the_roles_the_api_lets_do_it(
        console: Browserless, role: str, approve: bool, resolve: bool) -> None:
    with console.app.test_request_context():
        g.visitor = Visitor("id", f"{role}.one", role, datetime.now(UTC), datetime.now(UTC),
                            masked=False)
        assert may("claims.approve", "POST") is approve
        assert may("reconciliation.resolve_discrepancy", "POST") is resolve
        assert may("findings.list_findings", "GET") is True
