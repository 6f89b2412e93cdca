"""Synthetic but valid workers for the demo, the tests and the benchmarks.

Nothing here is a real person: names are drawn from common Indonesian given names and family
names, NIKs are composed with the real layout (district of issue, birth date with +40 for women,
serial), and every draw comes from a seeded :class:`random.Random`, so the same seed always
gives the same people.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from ledger.enrolment import EnrolmentRequest
from ledger.regions import REGIONS

GIVEN_NAMES = (
    "Ahmad", "Budi", "Siti", "Dewi", "Agus", "Sri", "Rina", "Joko", "Nur", "Eko", "Yanti",
    "Hendra", "Wati", "Rudi", "Lestari", "Dedi", "Fitri", "Andi", "Ratna", "Bambang", "Suparman",
    "Ani", "Slamet", "Neneng", "Asep", "Euis", "Ujang", "Iis", "Dadang", "Tuti",
)
FAMILY_NAMES = (
    "Saputra", "Hidayat", "Wijaya", "Kusuma", "Susanto", "Rahmawati", "Permana", "Setiawan",
    "Nugroho", "Lestari", "Gunawan", "Hasanah", "Pratama", "Sulistyo", "Maulana", "Purnama",
)
FEMALE_NAMES = frozenset(
    {"Siti", "Dewi", "Sri", "Rina", "Nur", "Yanti", "Wati", "Lestari", "Fitri", "Ratna", "Ani",
     "Neneng", "Euis", "Iis", "Tuti"}
)


def compose_nik(district: str, birth_date: date, female: bool, serial: int) -> str:
    """A NIK: district of issue (PPRRDD), birth day (+40 for women), month, yy, serial."""
    day = birth_date.day + (40 if female else 0)
    return (
        district.replace(".", "")
        + f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
    )


def compose_kk(district: str, issued: date, serial: int) -> str:
    """A family-card number: district, issue date (ddmmyy) and serial."""
    return district.replace(".", "") + issued.strftime("%d%m%y") + f"{serial:04d}"


class WorkerFactory:
    """Draws distinct, valid workers of one region for one programme."""

    def __init__(self, seed: int, region: str, occupations: Sequence[str],
                 deciles: tuple[int, int], branches: Sequence[str],
                 register: str = "DTKS", register_snapshot: date = date(2025, 2, 1),
                 serial_base: int = 0) -> None:
        # Factories with different serial bases never draw the same NIK.
        self.serial_base = serial_base
        self.register = register
        self.register_snapshot = register_snapshot
        self.random = random.Random(seed)
        self.region = REGIONS[region]
        self.districts = sorted(self.region.districts) or [f"{region}.01"]
        self.occupations = list(occupations)
        self.deciles = deciles
        self.branches = list(branches)
        self.used: set[str] = set()
        self.serials: dict[str, int] = {}

    def worker(self, enrolled_on: date, *, district: str | None = None,
               occupation: str | None = None, birth_date: date | None = None,
               female: bool | None = None) -> EnrolmentRequest:
        """One new worker with a NIK nobody else drawn from this factory has."""
        rng = self.random
        given = rng.choice(GIVEN_NAMES)
        is_female = (given in FEMALE_NAMES) if female is None else female
        district = district or rng.choice(self.districts)
        born = birth_date or date(1960, 1, 1) + timedelta(days=rng.randrange(0, 16_000))
        while True:
            key = district + born.isoformat() + str(is_female)
            self.serials[key] = self.serials.get(key, self.serial_base) + 1
            nik = compose_nik(district, born, is_female, self.serials[key])
            if nik not in self.used:
                self.used.add(nik)
                break
        village = f"{district}.{1000 + rng.randrange(1, 12)}"
        return EnrolmentRequest(
            nik=nik,
            kk=compose_kk(district, date(2015, 1, 1) + timedelta(days=rng.randrange(0, 3000)),
                          rng.randrange(1, 9999)),
            name=f"{given} {rng.choice(FAMILY_NAMES)}",
            region=self.region.code,
            district=district,
            village=village,
            occupation=occupation or rng.choice(self.occupations),
            decile=rng.randint(*self.deciles),
            register=self.register,
            register_snapshot=self.register_snapshot,
            branch=rng.choice(self.branches),
            enrolled_on=enrolled_on,
        )

    def workers(self, count: int, enrolled_on: date) -> Iterator[EnrolmentRequest]:
        for _ in range(count):
            yield self.worker(enrolled_on)
