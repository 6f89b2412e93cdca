"""Synthetic rosters with planted bad rows of every kind, for tests, demos and benchmarks.

The good rows come from :class:`~ledger.synthetic.WorkerFactory` (valid NIKs of the region's
districts, birth dates, deciles, informal occupations). A share of rows is spoiled, each kind in
turn, so even a small file has one of each: the importer must find every one of them and say
why. Kinds that depend on what the ledger already holds (covered elsewhere, BPJS exclusion,
deceased) cannot be planted in a file alone; tests set those up through the ledger.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ledger.enrolment import EnrolmentRequest
from ledger.identity import parse_nik
from ledger.occupations import OCCUPATIONS
from ledger.reconciliation import LedgerItem
from ledger.regions import REGIONS
from ledger.roster import SheetWriter
from ledger.synthetic import WorkerFactory

ROSTER_HEADERS = ("NIK", "No KK", "Nama", "Tanggal Lahir", "Jenis Kelamin", "Alamat",
                  "Kecamatan", "Kelurahan", "Pekerjaan", "Desil")

#: Every kind of bad row a file alone can carry, and the rule the importer reports for it.
BAD_KINDS: dict[str, str] = {
    "nik_bad_date": "invalid-identity-number",
    "nik_short": "invalid-identity-number",
    "kk_short": "invalid-identity-number",
    "name_empty": "invalid-input",
    "other_region": "not-eligible",
    "decile_out_of_range": "not-eligible",
    "decile_not_a_number": "invalid-row",
    "occupation_formal": "not-eligible",
    "birth_date_mismatch": "invalid-row",
    "duplicate": "duplicate-in-file",
}

STREETS = ("Jl. Merdeka", "Jl. Kisamaun", "Jl. Daan Mogot", "Jl. Imam Bonjol", "Gg. Mawar",
           "Jl. Raya Serang", "Jl. Perintis Kemerdekaan", "Gg. Melati")


@dataclass(frozen=True)
class RosterSpec:
    members: int
    region: str
    bad_share: float = 0.0
    seed: int = 1
    occupations: tuple[str, ...] = tuple(OCCUPATIONS)
    deciles: tuple[int, int] = (1, 4)
    enrolled_on: date = date(2025, 3, 24)


def roster_cells(request: EnrolmentRequest, address: str) -> list[str]:
    nik = parse_nik(request.nik, on=request.enrolled_on)
    return [request.nik, request.kk, request.name, nik.birth_date.isoformat(),
            "P" if nik.sex == "F" else "L", address, request.district, request.village,
            OCCUPATIONS.get(request.occupation, request.occupation), str(request.decile)]


def _other_region(region: str) -> str:
    return next(code for code in ("36.74", "31.73", "36.71") if code != region)


def spoil(kind: str, cells: list[str], earlier: list[str] | None, region: str) -> list[str]:
    """One good row made bad in the given way."""
    bad = list(cells)
    if kind == "nik_bad_date":
        bad[0] = bad[0][:8] + "13" + bad[0][10:]  # birth month 13
    elif kind == "nik_short":
        bad[0] = bad[0][:15]
    elif kind == "kk_short":
        bad[1] = bad[1][:15]
    elif kind == "name_empty":
        bad[2] = ""
    elif kind == "other_region":
        other = _other_region(region)
        district = sorted(REGIONS[other].districts)[0] if REGIONS[other].districts \
            else f"{other}.01"
        bad[6], bad[7] = district, f"{district}.1001"
    elif kind == "decile_out_of_range":
        bad[9] = "10"
    elif kind == "decile_not_a_number":
        bad[9] = "empat"
    elif kind == "occupation_formal":
        bad[8] = "Pegawai Negeri Sipil"
    elif kind == "birth_date_mismatch":
        born = date.fromisoformat(bad[3])
        bad[3] = born.replace(year=born.year - 1).isoformat() if not (
            born.month == 2 and born.day == 29) else "1980-01-01"
    elif kind == "duplicate" and earlier is not None:
        bad = list(earlier)
    return bad


def roster_rows(spec: RosterSpec) -> Iterator[tuple[list[str], str | None]]:
    """(cells, bad kind or None) for each row of the roster."""
    rng = random.Random(spec.seed)
    factory = WorkerFactory(spec.seed, spec.region, spec.occupations, spec.deciles,
                            ("-",), serial_base=spec.seed % 7 * 1000)
    kinds = list(BAD_KINDS)
    bad_count = round(spec.members * spec.bad_share)
    bad_rows = set(rng.sample(range(1, spec.members), min(bad_count, spec.members - 1))) \
        if bad_count else set()
    first: list[str] | None = None
    planted = 0
    for index in range(spec.members):
        request = factory.worker(spec.enrolled_on)
        address = f"{rng.choice(STREETS)} No. {rng.randint(1, 200)}, RT {rng.randint(1, 12):03d}" \
                  f"/RW {rng.randint(1, 9):03d}"
        cells = roster_cells(request, address)
        if first is None:
            first = cells
        if index in bad_rows:
            kind = kinds[planted % len(kinds)]
            planted += 1
            yield spoil(kind, cells, first, spec.region), kind
        else:
            yield cells, None


def write_roster(path: Path, spec: RosterSpec) -> dict[str, int]:
    """Write the roster (CSV or XLSX by extension); returns how many rows of each kind."""
    counts: dict[str, int] = {"good": 0}
    with SheetWriter(path, ROSTER_HEADERS) as writer:
        for cells, kind in roster_rows(spec):
            writer.write(cells)
            key = kind or "good"
            counts[key] = counts.get(key, 0) + 1
    return counts


# -- statements -----------------------------------------------------------------------------------

STATEMENT_HEADERS = ("Referensi", "Tanggal", "Jumlah", "Keterangan")


def statement_lines(items: Sequence[LedgerItem], plant: bool,
                    seed: int = 1) -> list[tuple[list[str], str | None]]:
    """A statement listing ``items``; with ``plant``, one discrepancy of each kind is planted:
    a line missing from the statement, a line unknown to the ledger, a differing amount and a
    duplicated line (needs at least three items)."""
    rng = random.Random(seed)
    lines: list[tuple[list[str], str | None]] = []
    ordered = sorted(items, key=lambda i: (i.day, i.reference))
    dropped = differs = duplicated = None
    if plant and len(ordered) >= 3:
        dropped, differs, duplicated = rng.sample(range(len(ordered)), 3)
    for index, item in enumerate(ordered):
        description = "Iuran BPU JKK-JKM" if item.kind == "contribution" else "Pembayaran manfaat"
        cells = [item.reference, item.day.isoformat(), str(item.amount), description]
        if index == dropped:
            continue
        if index == differs:
            cells[2] = str(item.amount - 16_800)
            lines.append((cells, "amount_differs"))
            continue
        lines.append((cells, None))
        if index == duplicated:
            lines.append((list(cells), "duplicated"))
    if plant:
        last = ordered[-1].day if ordered else date(2025, 1, 1)
        lines.append(([f"TRF/UNKNOWN/{seed:04d}", last.isoformat(), "1680000",
                       "Transfer tanpa catatan"], "missing_in_ledger"))
    return lines


def write_statement(path: Path, items: Sequence[LedgerItem], plant: bool,
                    seed: int = 1) -> dict[str, int]:
    counts: dict[str, int] = {"lines": 0}
    with SheetWriter(path, STATEMENT_HEADERS) as writer:
        for cells, kind in statement_lines(items, plant, seed):
            writer.write(cells)
            counts["lines"] += 1
            if kind:
                counts[kind] = counts.get(kind, 0) + 1
    if plant and len(items) >= 3:
        counts["missing_in_statement"] = 1
    return counts

