"""Names with hidden characters (bidi overrides, zero-width spaces, controls) are refused in every
name the ledger records, in plain words, and nothing is recorded."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from roster_rows import open_programmes, people, run, write

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.claim import Deceased
from ledger.errors import InvisibleCharacterError
from ledger.handover import CeremonyDetails, Official
from ledger.incident import IncidentKind
from ledger.names import HIDDEN_CATEGORIES, hidden_character
from scenario import (
    APPROVER,
    CLERK,
    a_nik,
    covered_member,
    grant_terms,
    heir,
    tangerang_terms,
    worker,
)

HIDDEN = [
    "\u200b\u202e Budi",  # zero-width space, right-to-left override
    "Budi\u200dSantoso",  # zero-width joiner
    "Si\u00adti",  # soft hyphen
    "\ufeffNeneng",  # byte-order mark
    "Budi\tSantoso",  # a tab
    "Budi\nSantoso",  # a line break
    "Budi\u2028Santoso",  # line separator
    "Budi\ue000",  # private use
]
#: Names as they are written, which must still pass (letters, marks, apostrophes, other scripts).
PLAIN = ["Budi Santoso", "Nur'aini Siti Ḥasanah", "Ñ. Ramírez-Ocampo", "Ir. H. Dede, S.T.",
         "Siti Aminah binti Ahmad", "王小明", "Bùi Thị Xuân"]


@pytest.mark.parametrize("name", HIDDEN)
def test_a_hidden_character_is_found_with_its_position(name: str) -> None:
    found = hidden_character(name)
    assert found is not None and found[0] >= 1


@pytest.mark.parametrize("name", PLAIN)
def test_names_as_people_write_them_have_no_hidden_character(name: str) -> None:
    assert hidden_character(name) is None


@settings(max_examples=500)
@given(st.text())
def test_the_quick_look_finds_what_a_scan_of_every_characters_category_finds(text: str) -> None:
    expected = next(((position, char) for position, char in enumerate(text, start=1)
                     if unicodedata.category(char) in HIDDEN_CATEGORIES), None)
    assert hidden_character(text) == expected


def _refused(ledger: Ledger, record: Callable[[], object], field: str) -> str:
    head = ledger.recorder.max_notification_id()
    with pytest.raises(InvisibleCharacterError) as refused:
        record()
    assert refused.value.field == field
    assert ledger.recorder.max_notification_id() == head
    return str(refused.value)


def test_a_worker_named_with_a_bidi_override_and_a_zero_width_space_is_not_enrolled(
        ledger: Ledger) -> None:
    ledger.open_programme(tangerang_terms(), actor="admin")
    message = _refused(ledger, lambda: ledger.enrol(
        "TNG-2025", worker(name="\u200b\u202e Budi"), actor=CLERK), "name")
    assert message.startswith("the worker's name contains a hidden character at position 1 "
                              "(U+200B ZERO WIDTH SPACE)")
    assert "type the name again" in message


def test_every_name_the_ledger_records_refuses_hidden_characters(ledger: Ledger) -> None:
    hidden = "Neneng\u202eHasanah"
    _refused(ledger, lambda: ledger.open_programme(
        tangerang_terms(name="Perlindungan\u200b 2025"), actor="admin"), "name")
    _refused(ledger, lambda: ledger.open_programme(
        tangerang_terms(funder_name="Pemkot\u200e Tangerang"), actor="admin"), "funder_name")
    _refused(ledger, lambda: ledger.issue_token("admin\u200b.dinsos", "admin", actor="cli"),
             "name")
    member = covered_member(ledger)
    death = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                   "", work_related=False, actor=CLERK)
    _refused(ledger, lambda: ledger.file_claim(
        death.id, Benefit.JKM_DEATH, replace(heir(), name=hidden), date(2025, 9, 10),
        actor=CLERK), "claimant.name")
    _refused(ledger, lambda: ledger.file_claim(
        death.id, Benefit.JKM_DEATH, replace(heir(), account_name=hidden), date(2025, 9, 10),
        actor=CLERK), "claimant.account_name")
    claim = ledger.file_claim(death.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10),
                              actor=CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 12), actor=APPROVER)
    ceremony = CeremonyDetails(date(2026, 2, 3), "GOR Nambo Jaya", "36.71", "36.71.08",
                               "Safari", (Official("Dessy\u2066 Sriningsih", "BPJS"),))
    _refused(ledger, lambda: ledger.record_handover(ceremony, [claim.id], actor=CLERK),
             "officials")
    ledger.open_programme(grant_terms(), actor="admin")
    dead = worker(seed=9)
    deceased = Deceased(dead.nik, "Ahmad\u200b", dead.kk, "36.71", "36.71.08", 2, "DTKS",
                        date(2025, 1, 15))
    _refused(ledger, lambda: ledger.file_grant_claim(
        "TNG-SANTUNAN-2025", deceased, date(2025, 9, 1), "illness",
        replace(heir(), nik=a_nik(90)), date(2025, 9, 5), actor=CLERK), "deceased.name")


def test_a_roster_row_with_a_hidden_character_in_the_name_is_rejected_with_its_reason(
        ledger: Ledger, tmp_path: Path) -> None:
    open_programmes(ledger)
    rows = people(73, 2)
    rows[1][2] = "\u200b\u202e Budi"
    summary, rejected = run(ledger, write(tmp_path / "roster.csv", rows))
    assert summary.enrolled == 1
    [row] = rejected
    assert (row.row, row.rule) == (3, "invisible-characters")
    assert "karakter tersembunyi" in row.reason_id and "U+200B" in row.reason_en
