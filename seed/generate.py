"""Synthetic rosters with planted bad rows of every kind, for tests, demos and benchmarks.

The good rows come from :class:`~seed.synthetic.WorkerFactory` (valid NIKs of the region's
districts, birth dates, deciles, informal occupations). A share of rows is spoiled, each kind in
turn, so even a small file has one of each: the importer must find every one of them and say
why. Kinds that depend on what the ledger already holds (covered elsewhere, BPJS exclusion,
deceased) cannot be planted in a file alone; tests set those up through the ledger.

A roster is made for a programme's terms (its region, deciles, occupation list), and a row is
planted as bad only where those terms refuse it: a civil servant is a bad row only for a
programme that lists its occupations (one with no list takes every occupation), a decile above
the range only when the range ends below 10. So the rows the generator says it spoiled are
exactly the rows the import into that programme rejects, rule by rule.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from intake.roster import SheetWriter
from ledger.enrolment import EnrolmentRequest
from ledger.identity import parse_nik
from ledger.occupations import OCCUPATIONS
from ledger.reconciliation import DATE_TOLERANCE_DAYS, LedgerItem
from ledger.regions import REGIONS
from seed.synthetic import WorkerFactory

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
    """What to generate, and the terms of the programme the roster is for."""

    members: int
    region: str
    bad_share: float = 0.0
    seed: int = 1
    #: Occupations the good rows are drawn from.
    occupations: tuple[str, ...] = tuple(OCCUPATIONS)
    #: The programme's decile range; good rows are drawn inside it.
    deciles: tuple[int, int] = (1, 4)
    enrolled_on: date = date(2025, 3, 24)
    #: Whether the programme lists its occupations (``occupations``); without a list it takes
    #: every occupation, and a formal one is not a bad row.
    occupations_listed: bool = True

    def kinds(self) -> list[str]:
        """The kinds of bad row these terms refuse, in the order they are planted."""
        return [kind for kind in BAD_KINDS
                if not (kind == "occupation_formal" and not self.occupations_listed)
                and not (kind == "decile_out_of_range" and self.deciles[1] >= 10)]

    def skipped(self) -> list[str]:
        """The kinds these terms would accept, so not planted."""
        return [kind for kind in BAD_KINDS if kind not in self.kinds()]


def roster_cells(request: EnrolmentRequest, address: str) -> list[str]:
    nik = parse_nik(request.nik, on=request.enrolled_on)
    return [request.nik, request.kk, request.name, nik.birth_date.isoformat(),
            "P" if nik.sex == "F" else "L", address, request.district, request.village,
            OCCUPATIONS.get(request.occupation, request.occupation), str(request.decile)]


def _other_region(region: str) -> str:
    return next(code for code in ("36.74", "31.73", "36.71") if code != region)


def spoil(kind: str, cells: list[str], earlier: list[str] | None, region: str,
          deciles: tuple[int, int] = (1, 4)) -> list[str]:
    """One good row made bad in the given way (``deciles``: the range it must fall out of)."""
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
        bad[9] = str(deciles[1] + 1) if deciles[1] < 10 else "10"
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
    kinds = spec.kinds()
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
            yield spoil(kind, cells, first, spec.region, spec.deciles), kind
        else:
            yield cells, None


def write_roster(path: Path, spec: RosterSpec) -> dict[str, int]:
    """Write the roster (CSV or XLSX by extension); returns how many rows of each kind
    (``"good"`` for the rest)."""
    counts: dict[str, int] = {"good": 0}
    with SheetWriter(path, ROSTER_HEADERS) as writer:
        for cells, kind in roster_rows(spec):
            writer.write(cells)
            key = kind or "good"
            counts[key] = counts.get(key, 0) + 1
    return counts


def expected_rejections(counts: dict[str, int]) -> dict[str, int]:
    """The import's rejections by rule for the planted kinds counted by :func:`write_roster`."""
    rules: dict[str, int] = {}
    for kind, count in counts.items():
        if kind in BAD_KINDS:
            rules[BAD_KINDS[kind]] = rules.get(BAD_KINDS[kind], 0) + count
    return rules


# -- statements -----------------------------------------------------------------------------------

STATEMENT_HEADERS = ("Referensi", "Tanggal", "Jumlah", "Keterangan")


#: A planted date differs by this many days, beyond the matching tolerance.
DATE_SHIFT_DAYS = DATE_TOLERANCE_DAYS + 3


def statement_lines(items: Sequence[LedgerItem], plant: bool,
                    seed: int = 1) -> tuple[list[tuple[list[str], str | None]], dict[str, int]]:
    """A statement listing ``items``, and how many discrepancies of each kind were planted.

    With ``plant``, one of each kind: a recorded payment missing from the statement, a differing
    amount, a date more than the tolerance away, a duplicated line (each needs a recorded
    payment of its own, so with fewer than four some are left out, in that order), and a line
    unknown to the ledger."""
    rng = random.Random(seed)
    lines: list[tuple[list[str], str | None]] = []
    ordered = sorted(items, key=lambda i: (i.day, i.reference))
    planted: dict[str, int] = {}
    chosen: dict[int, str] = {}
    if plant:
        kinds = ["missing_in_statement", "amount_differs", "date_differs", "duplicated"]
        kinds = kinds[:len(ordered)]
        chosen = dict(zip(rng.sample(range(len(ordered)), len(kinds)), kinds, strict=True))
    for index, item in enumerate(ordered):
        description = "Iuran BPU JKK-JKM" if item.kind == "contribution" else "Pembayaran manfaat"
        cells = [item.reference, item.day.isoformat(), str(item.amount), description]
        kind = chosen.get(index)
        if kind is not None:
            planted[kind] = 1
        if kind == "missing_in_statement":
            continue
        if kind == "amount_differs":
            cells[2] = str(item.amount - 16_800)
        elif kind == "date_differs":
            cells[1] = (item.day + timedelta(days=DATE_SHIFT_DAYS)).isoformat()
        lines.append((cells, kind if kind in ("amount_differs", "date_differs") else None))
        if kind == "duplicated":
            lines.append((list(cells), "duplicated"))
    if plant:
        last = ordered[-1].day if ordered else date(2025, 1, 1)
        lines.append(([f"TRF/UNKNOWN/{seed:04d}", last.isoformat(), "1680000",
                       "Transfer tanpa catatan"], "missing_in_ledger"))
        planted["missing_in_ledger"] = 1
    return lines, planted


def write_statement(path: Path, items: Sequence[LedgerItem], plant: bool,
                    seed: int = 1) -> dict[str, int]:
    """Write the statement; returns ``lines`` and how many of each discrepancy were planted."""
    lines, planted = statement_lines(items, plant, seed)
    with SheetWriter(path, STATEMENT_HEADERS) as writer:
        for cells, _ in lines:
            writer.write(cells)
    return {"lines": len(lines), **planted}
