"""Roster rows for the import tests: good workers of Kota Tangerang and one bad row of each kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from intake.importing import ImportOptions, RejectedRow, import_roster, read_roster
from intake.roster import SheetWriter
from ledger.application import Ledger
from ledger.errors import ProgrammeNotFoundError
from scenario import CLERK, KOTA_TANGERANG, OCCUPATIONS, tangerang_terms
from seed.generate import ROSTER_HEADERS, roster_cells, spoil
from seed.synthetic import WorkerFactory

ENROLLED_ON = date(2025, 3, 24)
OPTIONS = ImportOptions(enrolled_on=ENROLLED_ON, register="DTKS",
                        register_snapshot=date(2025, 2, 1))


def people(seed: int, count: int) -> list[list[str]]:
    factory = WorkerFactory(seed, KOTA_TANGERANG, OCCUPATIONS, (1, 4), ("Cimone",),
                            serial_base=seed * 100)
    return [roster_cells(w, "Jl. Merdeka No. 1") for w in factory.workers(count, ENROLLED_ON)]


def write(path: Path, rows: list[list[str]], headers: tuple[str, ...] = ROSTER_HEADERS) -> Path:
    with SheetWriter(path, headers) as writer:
        for row in rows:
            writer.write(row)
    return path


def run(ledger: Ledger, path: Path, batch_size: int = 1000,
        **kwargs: Any) -> tuple[Any, list[RejectedRow]]:
    rejected: list[RejectedRow] = []
    summary = import_roster(ledger, "TNG-2025", read_roster(path), CLERK, OPTIONS,
                            rejected.append, batch_size=batch_size, **kwargs)
    return summary, rejected


def open_programmes(ledger: Ledger) -> None:
    try:
        ledger.programme("TNG-2025")
    except ProgrammeNotFoundError:
        ledger.open_programme(tangerang_terms(), actor="admin")
        ledger.open_programme(tangerang_terms(code="TNG-LAIN"), actor="admin")


def enrolled_niks(ledger: Ledger, code: str = "TNG-2025") -> set[str]:
    return {ledger.enrolment(i).nik for i in ledger.enrolment_ids(code)}


def every_kind_of_bad_row(ledger: Ledger) -> tuple[list[list[str]], dict[int, str]]:
    """Four good rows and, after them, one row of every kind of error (row -> rule)."""
    good = people(21, 4)
    spares = people(22, 13)
    rows = list(good)
    expected: dict[int, str] = {}
    for kind, rule in (("nik_bad_date", "invalid-identity-number"),
                       ("nik_short", "invalid-identity-number"),
                       ("kk_short", "invalid-identity-number"),
                       ("name_empty", "invalid-input"),
                       ("other_region", "not-eligible"),
                       ("decile_out_of_range", "not-eligible"),
                       ("decile_not_a_number", "invalid-row"),
                       ("occupation_formal", "not-eligible"),
                       ("birth_date_mismatch", "invalid-row"),
                       ("duplicate", "duplicate-in-file")):
        rows.append(spoil(kind, spares.pop(), good[0], KOTA_TANGERANG))
        expected[len(rows) + 1] = rule
    # What only the ledger knows: covered by another programme, excluded by BPJS, deceased.
    elsewhere, excluded, deceased = spares.pop(), spares.pop(), spares.pop()
    other = WorkerFactory(1, KOTA_TANGERANG, OCCUPATIONS, (1, 4), ("Cimone",))
    request = other.worker(ENROLLED_ON)
    ledger.enrol("TNG-LAIN", replace(request, nik=elsewhere[0], kk=elsewhere[1]), actor=CLERK)
    ledger.record_bpjs_exclusion(excluded[0], "BPJS/EXCL/2025-02", "active JKK elsewhere",
                                 actor=CLERK)
    person = ledger._person_or_new(deceased[0])  # as a recorded death leaves the person
    person.record_death(date(2025, 1, 5), "city_grant_claim", "test")
    ledger.save(person)
    for cells, rule in ((elsewhere, "nik-already-covered"), (excluded, "excluded-by-bpjs"),
                        (deceased, "recorded-as-deceased")):
        rows.append(cells)
        expected[len(rows) + 1] = rule
    return rows, expected
