"""The seed scenario of docs/domain.md section 2, built through the application service.

Everything is recorded the way clerks, approvers and finance would record it, in the order of
the business dates, so an auditor replaying the log sees the year as it happened. Workers are
synthetic (seeded, so the same every run); programmes, figures, ceremonies and venues are the
ones in the seed articles. Refusals the scenario provokes on purpose (a NIK the city already
covers, JKK and JKM for one death, a clerk approving their own claim) are collected and shown.

The year also holds, on purpose, one case or more of each red flag an audit must surface
(docs/domain.md section 7), recorded the way such cases arise past the rules: payments for a roster
that still names the dead and the moved, a move recorded after the city paid, a regency paying
the same month for the same NIK, NIKs the population register did not match, a supplementary
payment order cancelled after a claim was paid on it, the city grant beside JKM for one death,
three families' grants paid into one broker's account, a ceremony ahead of its payout, a budget
line built on Rp17,000, an approval revoked after payment and an officer approving alone.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import heapq
import itertools
import random
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.calendar import add_calendar_months, add_working_days, month_range
from ledger.claim import Claim, Claimant, Deceased
from ledger.clock import WIB, ScriptedClock, SeededBytes, SeededIds, recording
from ledger.enrolment import EndReason, Enrolment, EnrolmentRequest
from ledger.errors import InvalidInputError, LedgerError
from ledger.handover import CeremonyDetails, Official
from ledger.incident import IncidentKind
from ledger.programme import ProgrammeTerms, Rate
from ledger.schooling import Child, SchoolLevel, SchoolYear
from seed.synthetic import FAMILY_NAMES, GIVEN_NAMES, WorkerFactory, compose_nik
from storage.log_index import open_ledger
from storage.settings import StoreSettings

SEED = 2025
BATCH = 500
ADMIN = "admin.dinsos"
CLERK = "clerk.dinsos.siti"
APPROVER = "approver.bpjs.cimone"
FINANCE = "finance.bpkad"
CITY_COHORT = 5_952
GRANT_FAMILIES = 98
INSPECTOR = "inspektorat.kota"
SOLE_OFFICER = "kasi.jamsos.dinsos"
COHORT_2026 = 1_500
SUPPLEMENTARY_2026 = 40
JAKBAR_COHORT = 200
KABUPATEN_COHORT = 120

RATES_2025 = (Rate("JKK", date(2025, 1, 1), 10_000), Rate("JKM", date(2025, 1, 1), 6_800))
CITY_OCCUPATIONS = (
    "ojek", "asisten_rumah_tangga", "juru_parkir", "pedagang_kaki_lima", "buruh_harian_lepas",
    "pemulung", "pekerja_sosial_keagamaan",
)

TNG_2025 = ProgrammeTerms(
    code="TNG-2025", name="Perlindungan Jaminan Sosial Pekerja Rentan 2025 (Program 100 Hari)",
    funder_name="Pemerintah Kota Tangerang", funder_region="36.71", funding_source="APBD",
    fiscal_year=2025, covers=("JKK", "JKM"), budget_ceiling=999_936_000,
    dpa_reference="DPA-SKPD 1.06.0.00.0.00.01.0000/2025", first_month="2025-03", months=10,
    rates=RATES_2025, branches=("Cimone",), deciles=(1, 4), occupations=CITY_OCCUPATIONS,
    planned_members=CITY_COHORT, opened_on=date(2025, 3, 24),
)
TNG_GRANT_2025 = ProgrammeTerms(
    code="TNG-SANTUNAN-2025", name="Santunan Kematian Tahap I 2025",
    funder_name="Pemerintah Kota Tangerang", funder_region="36.71", funding_source="BTT",
    fiscal_year=2025, covers=("CITY_GRANT",), budget_ceiling=294_000_000,
    dpa_reference="BTT 5.4.02/2025", first_month="2025-01", months=12, deciles=(1, 4),
    planned_members=GRANT_FAMILIES, opened_on=date(2025, 1, 2),
)
TNG_2026 = ProgrammeTerms(
    code="TNG-2026", name="Perlindungan Jaminan Sosial Pekerja Rentan 2026",
    funder_name="Pemerintah Kota Tangerang", funder_region="36.71", funding_source="APBD",
    fiscal_year=2026, covers=("JKK", "JKM"), budget_ceiling=22_800 * 16_800 * 12,
    dpa_reference="DPA-SKPD 1.06.0.00.0.00.01.0000/2026", first_month="2026-01", months=12,
    rates=(Rate("JKK", date(2026, 1, 1), 10_000), Rate("JKM", date(2026, 1, 1), 6_800)),
    branches=("Cikokol", "Cimone", "Batuceper"), deciles=(1, 5), occupations=CITY_OCCUPATIONS,
    planned_members=22_800, opened_on=date(2026, 1, 2),
)
JAKBAR_2025 = ProgrammeTerms(
    code="JAKBAR-2025", name="Perlindungan Pekerja Rentan Jakarta Barat 2025",
    funder_name="Pemerintah Kota Administrasi Jakarta Barat", funder_region="31.73",
    funding_source="APBD", fiscal_year=2025, covers=("JKK", "JKM"),
    budget_ceiling=JAKBAR_COHORT * 16_800 * 12, dpa_reference="DPA-JB-2025-SOS",
    first_month="2025-01", months=12, rates=RATES_2025, branches=("Jakarta Kebon Jeruk",),
    deciles=(1, 4), occupations=("ketua_rt", "ppsu", "ojek", "pedagang_kaki_lima"),
    planned_members=JAKBAR_COHORT, opened_on=date(2025, 1, 2),
)
KABTNG_2025 = ProgrammeTerms(
    code="KABTNG-2025", name="Perlindungan Pekerja Rentan Kabupaten Tangerang 2025",
    funder_name="Pemerintah Kabupaten Tangerang", funder_region="36.03", funding_source="APBD",
    # Budgeted at Rp17,000 a member a month instead of Rp16,800 (as a real regency did).
    fiscal_year=2025, covers=("JKK", "JKM"), budget_ceiling=KABUPATEN_COHORT * 17_000 * 12,
    dpa_reference="DPA-KAB-2025-DISNAKER", first_month="2025-01", months=12, rates=RATES_2025,
    branches=("Tigaraksa",), deciles=(1, 4),
    occupations=("petani", "nelayan", "pedagang_asongan", "pemulung", "buruh_harian_lepas"),
    planned_members=KABUPATEN_COHORT, opened_on=date(2025, 1, 2),
)

TNG_GRANT_2025_II = ProgrammeTerms(
    code="TNG-SANTUNAN-2025-II", name="Santunan Kematian Tahap II 2025",
    funder_name="Pemerintah Kota Tangerang", funder_region="36.71", funding_source="BTT",
    fiscal_year=2025, covers=("CITY_GRANT",), budget_ceiling=4 * 3_000_000,
    dpa_reference="BTT 5.4.02/2025-II", first_month="2025-07", months=6, deciles=(1, 4),
    planned_members=4, opened_on=date(2025, 7, 1),
)

#: The Jakarta Barat heirs' children (invented names, NIKs of their fathers' districts): the PPSU
#: crew member's two, at SD and SMA, and the RT head's one, at SMP.
JAKBAR_CHILDREN = {
    "jakbar-s": (
        Child("Nur Aini Saidah", compose_nik("31.73.07", date(2016, 4, 17), True, 9601),
              date(2016, 4, 17), SchoolLevel.TK_SD),
        Child("Fikri Maulana Said", compose_nik("31.73.07", date(2009, 10, 3), False, 9602),
              date(2009, 10, 3), SchoolLevel.SMA)),
    "jakbar-h": (
        Child("Zahra Hidayati", compose_nik("31.73.05", date(2012, 8, 21), True, 9603),
              date(2012, 8, 21), SchoolLevel.SMP),),
}
#: When the RT head's BPJS membership began: before JAKBAR-2025 (the story's enrolment is
#: 2 January 2025), so a JKM scholarship's 3 years were complete at his death.
HIDAYAT_MEMBERSHIP_BEGAN = date(2022, 1, 3)
#: A Kota Tangerang JKM death under 3 years of membership (B's): her child gets no scholarship.
CHILD_OF_B = Child("Rina Ayuningtyas", compose_nik("36.71.08", date(2014, 2, 9), True, 9604),
                   date(2014, 2, 9), SchoolLevel.TK_SD)


@dataclass(frozen=True)
class Refusal:
    """A command the scenario tried on purpose, and the rule that refused it."""

    attempt: str
    rule: str
    message: str


@dataclass
class DemoResult:
    """What the scenario recorded, for the summary."""

    programme_codes: list[str] = field(default_factory=list)
    claim_ids: list[str] = field(default_factory=list)
    grant_claim_ids: list[str] = field(default_factory=list)
    handover_ids: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


Progress = Callable[[int, str], None]

#: The heirs of the year's claims, in the order they were first drawn (after the 98 grant
#: families' and the KPJ numbers): B, A, H, C (and the JKM refused for C's death), F, G, the
#: stage II grants (A's family, then the broker's three) and Jakarta Barat's two.
HEIR_SLOTS = ("b", "a", "h", "c", "c-jkm", "f", "g", "stage-two-a", "broker-1", "broker-2",
              "broker-3", "jakbar-h", "jakbar-s")


@dataclass(frozen=True)
class _HeirDraw:
    """What the seeded generator drew for one heir (the district is the deceased's)."""

    serial: int
    name: str
    born: date
    female: bool
    bank: str
    account: str

#: A story of the year: it yields the date of its next step, and takes that step when resumed.
Story = Generator[date, None, None]

#: How long a step of the story takes on the demo's clock (the next step on the same day is
#: recorded this much later).
STEP = timedelta(minutes=1)

#: Where the demo's clock stands before its first step (the stories begin on 2 January 2025).
DEMO_START = datetime(2025, 1, 1, 8, tzinfo=WIB)


def demo_clock() -> ScriptedClock:
    """The demo's clock: the story's first day, moved on by the builder step by step."""
    # No tick within a step: a save writes aggregate by aggregate, not in the order its events
    # were made, so the events of one step share their moment and the log never goes back.
    return ScriptedClock(DEMO_START, tick=timedelta(0))


def demo_ids() -> SeededIds:
    """The demo's ids, drawn from the seed: the same story gives the same ids."""
    return SeededIds(SEED)


def demo_secrets() -> SeededBytes:
    """The demo's data keys and nonces, drawn from the seed: the same story seals the same
    bytes (never for real data: the seed is public)."""
    return SeededBytes(SEED)


def demo_ledger(settings: StoreSettings) -> Ledger:
    """A ledger that records the demo's year on its story dates, with ids, data keys and nonces
    from the seed: the same story gives the same log, byte for byte."""
    return open_ledger(settings, clock=demo_clock(), ids=demo_ids(), secrets=demo_secrets())


def _opening(terms: ProgrammeTerms) -> date:
    """The day a programme of the story is opened (each names one)."""
    assert terms.opened_on is not None
    return terms.opened_on


def reported_on(day: date) -> date:
    """When an incident is reported: the next working day after it happened."""
    return add_working_days(day, 1)


class DemoBuilder:
    """Builds the scenario step by step; ``progress(steps_done, what)`` reports as it goes.

    Each story (a programme's year, a member's death and claim, a ceremony) yields the date of
    its next step; the builder always resumes the story whose next step comes first, so the
    log is recorded in the order of the business dates. When the ledger's clock is a
    :class:`~ledger.clock.ScriptedClock` (:func:`demo_ledger`) each step is recorded on its
    date at WIB office hours; any other ledger (over HTTP, on the real clock) records the same
    steps in the same order, now.
    """

    def __init__(self, ledger: Ledger, progress: Progress | None = None) -> None:
        self.ledger = ledger
        self.progress = progress or (lambda _n, _what: None)
        self.random = random.Random(SEED)
        self.result = DemoResult()
        self.heir_serial = 0
        self._drawn: list[_HeirDraw] = []
        self._slots: dict[str, _HeirDraw] = {}
        self._draw_heirs()
        self.city_members: list[Enrolment] = []
        self.claims: dict[str, Claim] = {}
        self.scholarship_years: dict[str, list[Claim]] = {}
        self._queue: list[tuple[date, int, Story]] = []
        self._order = itertools.count()
        clock = getattr(ledger, "clock", None)
        self.clock = clock if isinstance(clock, ScriptedClock) else None

    @staticmethod
    def total_steps() -> int:
        """Units of progress: one per enrolled worker and grant, plus the named steps."""
        return (CITY_COHORT + GRANT_FAMILIES + COHORT_2026 + JAKBAR_COHORT + KABUPATEN_COHORT
                + SUPPLEMENTARY_2026 + 50)

    def build(self) -> DemoResult:
        for story in (self._grants_2025(), self._city_2025(), self._grants_stage_two(),
                      self._jakarta_barat(), self._kabupaten(), self._city_2026()):
            self._start(story)
        clock, ids = getattr(self.ledger, "clock", None), getattr(self.ledger, "ids", None)
        with recording(clock, ids):
            while self._queue:
                day, _, story = heapq.heappop(self._queue)
                if self.clock is not None:
                    self.clock.office(day)
                self._start(story)
                if self.clock is not None:
                    self.clock.set(self.clock.current + STEP)
        return self.result

    def _start(self, story: Story) -> None:
        """Run ``story`` up to the date of its next step and queue it for that date."""
        try:
            day = next(story)
        except StopIteration:
            return
        heapq.heappush(self._queue, (day, next(self._order), story))

    # -- building blocks -------------------------------------------------------------------------

    def _open(self, terms: ProgrammeTerms) -> None:
        self.ledger.open_programme(terms, actor=ADMIN)
        self.result.programme_codes.append(terms.code)
        self.progress(1, f"programme {terms.code} opened")

    def _enrol(self, code: str, requests: list[EnrolmentRequest]) -> list[Enrolment]:
        enrolled: list[Enrolment] = []
        for start in range(0, len(requests), BATCH):
            batch = requests[start : start + BATCH]
            enrolled.extend(self.ledger.enrol_batch(code, batch, actor=CLERK))
            self.progress(len(batch), f"enrolling {code}")
        return enrolled

    def _match_identities(self, code: str, members: list[Enrolment], checked_on: date,
                          reference: str, not_found: dict[int, str] | None = None) -> None:
        """The population register's answer on the roster (pemadanan data with Dukcapil)."""
        refused = {str(members[i].id): why for i, why in (not_found or {}).items()}
        self.ledger.record_identity_check(
            code, reference, checked_on, [m.id for m in members if str(m.id) not in refused],
            refused, actor=CLERK)
        self.progress(1, f"population-register match of {code}")

    def _payments(self, code: str, members: list[Enrolment], months: list[str],
                  paid_on: Callable[[str], date], sp2d: Callable[[str], str]) -> Story:
        """Each month's payment order (SP2D), recorded on the day it was paid."""
        ids = [str(m.id) for m in members]
        for month in months:
            yield paid_on(month)
            rate = self.ledger.programme(code).rate_for(month)
            self.ledger.pay_contribution(code, sp2d(month), paid_on(month), [month], ids,
                                         len(ids) * rate, actor=FINANCE)
        self.progress(1, f"{len(months)} monthly contributions of {code}")

    def _draw_heirs(self) -> None:
        """Draw every heir of the year, and the KPJ numbers, from the seeded generator in the
        order the year was first written in (story by story), before the stories are
        interleaved by date: so the heirs' names, NIKs and accounts do not depend on which
        story's step comes first, and stay the ones the documents have always shown."""
        self.grant_relationships: list[str] = []
        for _ in range(GRANT_FAMILIES):
            self.grant_relationships.append(self.random.choice(("spouse", "child")))
            self._drawn.append(self._draw())
        self.kpj_numbers = [f"25{self.random.randrange(10**8, 10**9)}" for _ in range(25)]
        for slot in HEIR_SLOTS:
            self._slots[slot] = self._draw()

    def _draw(self) -> _HeirDraw:
        self.heir_serial += 1
        given = self.random.choice(GIVEN_NAMES)
        name = f"{given} {self.random.choice(FAMILY_NAMES)}"
        born = date(1970, 1, 1) + timedelta(days=self.random.randrange(0, 12_000))
        female = self.random.random() < 0.5
        bank = self.random.choice(("Bank BJB", "Bank BRI", "Bank Mandiri", "Bank DKI"))
        return _HeirDraw(self.heir_serial, name, born, female, bank,
                         f"{self.random.randrange(10**9, 10**10)}")

    def _heir(self, relationship: str, district: str, slot: str | int) -> Claimant:
        """The heir drawn for ``slot`` (a grant family's index, or a name of HEIR_SLOTS)."""
        drawn = self._drawn[slot] if isinstance(slot, int) else self._slots[slot]
        return Claimant(
            nik=compose_nik(district, drawn.born, drawn.female, 9000 + drawn.serial),
            name=drawn.name, relationship=relationship,
            heir_certificate=f"SKAW/{drawn.serial:04d}/{district.replace('.', '')}",
            bank=drawn.bank, account_number=drawn.account, account_name=drawn.name)

    def _claim_paid(self, incident_id: str, benefit: Benefit, claimant: Claimant,
                    filed_on: date, approved_on: date, paid_on: date | None,
                    months: int | None = None) -> Generator[date, None, Claim]:
        """File, approve and (``paid_on`` given) pay a claim, each on its day."""
        yield filed_on
        claim = self.ledger.file_claim(incident_id, benefit, claimant, filed_on, actor=CLERK,
                                       incapacity_months=months)
        self.result.claim_ids.append(str(claim.id))
        yield approved_on
        self.ledger.approve_claim(claim.id, approved_on, actor=APPROVER)
        if paid_on is not None:
            yield paid_on
            self.ledger.disburse(claim.id, f"TRF/{str(claim.id)[:8].upper()}",
                                 claim.entitlement, paid_on, actor=FINANCE)
        return claim

    def _refused(self, attempt: str, command: Callable[[], object]) -> None:
        try:
            command()
        except LedgerError as error:
            self.result.refusals.append(Refusal(attempt, error.rule, str(error)))
        else:  # pragma: no cover - the scenario is built so that this cannot happen
            raise RuntimeError(f"the demo expected a refusal: {attempt}")

    def _death(self, member: Enrolment, on: date, work_related: bool, place: str,
               narrative: str) -> str:
        incident = self.ledger.report_incident(member.id, IncidentKind.DEATH, on, place,
                                               narrative, work_related, actor=CLERK,
                                               cause="work_accident" if work_related else
                                               "illness")
        return str(incident.id)

    def _accident(self, member: Enrolment, on: date, place: str, narrative: str) -> str:
        incident = self.ledger.report_incident(member.id, IncidentKind.ACCIDENT, on, place,
                                               narrative, True, actor=CLERK)
        return str(incident.id)

    # -- city death grants, stage I ---------------------------------------------------------------

    def _grants_2025(self) -> Story:
        """Stage I 2025: 98 families x Rp3,000,000, handed over on 24 March 2025."""
        yield _opening(TNG_GRANT_2025)
        self._open(TNG_GRANT_2025)
        people = WorkerFactory(SEED + 1, "36.71", CITY_OCCUPATIONS, (1, 4), ("Cimone",),
                               register_snapshot=date(2025, 1, 15), serial_base=7000)
        for index in range(GRANT_FAMILIES):
            self._start(self._grant_family(people, index, launch=date(2025, 3, 24)))

    def _grant_family(self, people: WorkerFactory, index: int, launch: date) -> Story:
        """One family's grant: filed a week after the death, approved, paid at the launch."""
        died_on = date(2025, 2, 3) + timedelta(days=index % 28)
        someone = people.worker(died_on)
        deceased = Deceased(someone.nik, someone.name, someone.kk, someone.region,
                            someone.district, someone.decile, "DTKS", date(2025, 1, 15))
        heir = self._heir(self.grant_relationships[index], someone.district, index)
        yield add_working_days(died_on, 5)
        claim = self.ledger.file_grant_claim(TNG_GRANT_2025.code, deceased, died_on, "illness",
                                             heir, add_working_days(died_on, 5), actor=CLERK)
        self.result.grant_claim_ids.append(str(claim.id))
        yield add_working_days(died_on, 8)
        self.ledger.approve_claim(claim.id, add_working_days(died_on, 8), actor=APPROVER)
        yield launch
        self.ledger.disburse(claim.id, f"BTT/2025/{index + 1:03d}", claim.entitlement, launch,
                             actor=FINANCE)
        self.progress(1, "city death grants")

    # -- the city's 100-day programme, 2025 ------------------------------------------------------

    def _city_2025(self) -> Story:
        """5,952 workers, Cimone, March-December 2025, the budget used exactly."""
        yield _opening(TNG_2025)
        self._open(TNG_2025)
        people = WorkerFactory(SEED, "36.71", CITY_OCCUPATIONS, (1, 4), ("Cimone",))
        members = self._enrol(TNG_2025.code,
                              list(people.workers(CITY_COHORT, date(2025, 3, 24))))
        self.city_members = members
        self._start(self._payments(
            TNG_2025.code, members, month_range("2025-03", 10),
            lambda m: date(2025, 3, 25) if m == "2025-03" else date(int(m[:4]), int(m[5:]), 10),
            lambda m: f"SP2D/0{m[5:]}/BPKAD/{m[:4]}"))
        for case in (self._case_b(members[20]), self._case_a(members[10]),
                     self._case_d(members[40]), self._case_h(members[80]),
                     self._case_c(members[30]), self._case_e(members[50]),
                     self._case_f(members[60]), self._case_g(members[70]),
                     self._case_i(members[90]), self._nambo_jaya()):
            self._start(case)
        yield date(2025, 4, 8)
        self._match_identities(TNG_2025.code, members, date(2025, 4, 8),
                               "Dukcapil 470/0412/Disdukcapil/2025", {
                                   200: "NIK tidak ditemukan dalam database kependudukan",
                                   300: "nama dan tanggal lahir tidak sesuai dengan NIK"})
        for member, kpj in zip(members[:25], self.kpj_numbers, strict=True):
            self.ledger.record_kpj(member.id, kpj, CLERK)

    def _case_b(self, b: Enrolment) -> Story:
        """B: enrolled 24 March, died 2 June: within the first 3 months, Rp10,000,000; no
        scholarship for her child (JKM needs 3 years of membership)."""
        yield reported_on(date(2025, 6, 2))
        death = self._death(b, date(2025, 6, 2), False, "RSUD Kota Tangerang", "stroke")
        claim = yield from self._claim_paid(
            death, Benefit.JKM_DEATH, self._heir("spouse", b.district, "b"),
            date(2025, 6, 9), date(2025, 6, 12), date(2025, 6, 16))
        self.claims["b"] = claim
        self._refused("a scholarship for the child of B, a JKM death after 10 weeks of "
                      "membership", lambda: self.ledger.grant_scholarship(
                          claim.id, [CHILD_OF_B], date(2025, 6, 16), actor=CLERK))

    def _case_a(self, a: Enrolment) -> Story:
        """A: died 14 July of illness: JKM Rp42,000,000."""
        yield reported_on(date(2025, 7, 14))
        death = self._death(a, date(2025, 7, 14), False, "rumah duka, " + a.village,
                            "penyakit jantung")
        self.claims["a"] = yield from self._claim_paid(
            death, Benefit.JKM_DEATH, self._heir("child", a.district, "a"),
            date(2025, 7, 21), date(2025, 7, 24), date(2025, 7, 28))

    def _case_d(self, d: Enrolment) -> Story:
        """D: work accident 5 August, total permanent disability: Rp68,000,000."""
        yield reported_on(date(2025, 8, 5))
        accident = self._accident(d, date(2025, 8, 5), "Pasar Anyar, Tangerang",
                                  "fell from a loading ramp while carrying goods")
        yield from self._claim_paid(accident, Benefit.JKK_TOTAL_DISABILITY, _self(d),
                                    date(2025, 10, 1), date(2025, 10, 8), date(2025, 10, 15))

    def _case_h(self, h: Enrolment) -> Story:
        """H: died 22 August; JKM paid in September, its approval revoked in November."""
        yield reported_on(date(2025, 8, 22))
        death = self._death(h, date(2025, 8, 22), False, "Karawaci", "sakit")
        claim = yield from self._claim_paid(
            death, Benefit.JKM_DEATH, self._heir("sibling", h.district, "h"),
            date(2025, 8, 28), date(2025, 9, 2), date(2025, 9, 5))
        # The inspectorate finds H's heir certificate forged: Rp42,000,000 to recover.
        yield date(2025, 11, 14)
        self.ledger.revoke_approval(
            claim.id, "surat keterangan ahli waris palsu: pemohon bukan ahli waris yang sah "
            "(LHP Inspektorat 700/112/2025)", date(2025, 11, 14), actor=INSPECTOR)

    def _case_c(self, c: Enrolment) -> Story:
        """C: ojek driver killed at work 18 September: JKK death Rp70,000,000 (not JKM too)."""
        yield reported_on(date(2025, 9, 18))
        death = self._death(c, date(2025, 9, 18), True, "Jl. Daan Mogot, Batuceper",
                            "motorbike hit by a truck while carrying a passenger")
        yield date(2025, 9, 25)
        claim = self.ledger.file_claim(death, Benefit.JKK_DEATH,
                                       self._heir("spouse", c.district, "c"), date(2025, 9, 25),
                                       actor=CLERK)
        self.result.claim_ids.append(str(claim.id))
        yield date(2025, 9, 26)
        self._refused("JKM for the same death that JKK already pays",
                      lambda: self.ledger.file_claim(death, Benefit.JKM_DEATH,
                                                     self._heir("child", c.district, "c-jkm"),
                                                     date(2025, 9, 26), actor=CLERK))
        yield date(2025, 10, 2)
        self.ledger.approve_claim(claim.id, date(2025, 10, 2), actor=APPROVER)
        yield date(2025, 10, 9)
        self.ledger.disburse(claim.id, f"TRF/{str(claim.id)[:8].upper()}", claim.entitlement,
                             date(2025, 10, 9), actor=FINANCE)
        self.claims["c"] = claim

    def _case_e(self, e: Enrolment) -> Story:
        """E: accident 12 October, 3 months unable to work (STMB): Rp3,000,000."""
        yield reported_on(date(2025, 10, 12))
        accident = self._accident(e, date(2025, 10, 12), "Terminal Poris Plawad",
                                  "hand crushed while unloading")
        yield from self._claim_paid(accident, Benefit.JKK_TEMPORARY_INCAPACITY, _self(e),
                                    date(2026, 1, 14), date(2026, 1, 19), date(2026, 1, 23),
                                    months=3)

    def _case_i(self, i: Enrolment) -> Story:
        """I: accident 14 April 2025, still unable to work 13 months on: STMB claimed month by
        month (months 1-12 at 100% of the Rp1.000.000 band, month 13 at 50%: Rp500.000), each
        filed the working day after its month ends, approved by another officer two working
        days later and paid the day after; no end of incapacity recorded, so month 14 is owed
        next."""
        accident_on = date(2025, 4, 14)
        yield reported_on(accident_on)
        accident = self._accident(i, accident_on, "Pasar Anyar, Tangerang",
                                  "back broken by a falling sack of rice while unloading a truck")
        for month in range(1, 14):
            filed_on = add_working_days(add_calendar_months(accident_on, month)
                                        - timedelta(days=1), 1)
            yield filed_on
            # Not in ``result.claim_ids``: its first claim (the demo's dossier) stays B's.
            claim = self.ledger.file_stmb_month(accident, month, _self(i), filed_on,
                                                actor=CLERK)
            approved_on = add_working_days(filed_on, 2)
            yield approved_on
            self.ledger.approve_claim(claim.id, approved_on, actor=APPROVER)
            paid_on = add_working_days(approved_on, 1)
            yield paid_on
            self.ledger.disburse(claim.id, f"TRF/{str(claim.id)[:8].upper()}",
                                 claim.entitlement, paid_on, actor=FINANCE)
        self.progress(1, "a work accident's STMB, month by month past month 12")

    def _case_f(self, f: Enrolment) -> Story:
        """F: died 20 November; the claim is rejected for an incomplete file."""
        yield reported_on(date(2025, 11, 20))
        death = self._death(f, date(2025, 11, 20), False, "Periuk", "sakit")
        yield date(2025, 11, 25)
        claim = self.ledger.file_claim(death, Benefit.JKM_DEATH,
                                       self._heir("sibling", f.district, "f"), date(2025, 11, 25),
                                       actor=CLERK)
        self.result.claim_ids.append(str(claim.id))
        yield date(2025, 11, 26)
        self._refused("the clerk who filed a claim approves it",
                      lambda: self.ledger.approve_claim(claim.id, date(2025, 11, 26), CLERK))
        yield date(2025, 12, 3)
        self.ledger.reject_claim(claim.id, "incomplete_file",
                                 "no death certificate (akta kematian) and no heir certificate "
                                 "signed by the lurah", date(2025, 12, 3), actor=APPROVER)

    def _case_g(self, g: Enrolment) -> Story:
        """G: died 28 December; approved in January, paid only after the ceremony."""
        yield reported_on(date(2025, 12, 28))
        death = self._death(g, date(2025, 12, 28), False, "Periuk", "sakit paru-paru")
        self.claims["g"] = yield from self._claim_paid(
            death, Benefit.JKM_DEATH, self._heir("spouse", g.district, "g"),
            date(2026, 1, 8), date(2026, 1, 20), None)

    def _nambo_jaya(self) -> Story:
        """The Safari Pembangunan ceremony of 3 February 2026; G's payout follows a week later."""
        yield date(2026, 2, 3)
        claims = self.claims
        ceremony = self.ledger.record_handover(
            CeremonyDetails(
                held_on=date(2026, 2, 3), venue="GOR Nambo Jaya, Kecamatan Periuk",
                region="36.71", district="36.71.08",
                occasion="Safari Pembangunan Kota Tangerang",
                officials=(
                    Official("Dessy Sriningsih",
                             "Kepala Kantor Cabang BPJS Ketenagakerjaan Cimone"),
                    Official("Suryadi Pratama", "Kepala Dinas Sosial Kota Tangerang"),
                )),
            [claims["a"].id, claims["b"].id, claims["c"].id, claims["g"].id], actor=CLERK)
        self.result.handover_ids.append(str(ceremony.id))
        yield date(2026, 2, 10)
        g = claims["g"]
        self.ledger.disburse(g.id, f"TRF/{str(g.id)[:8].upper()}", g.entitlement,
                             date(2026, 2, 10), actor=FINANCE)
        self.progress(1, "claims and the Nambo Jaya ceremony")

    # -- city death grants, stage II -------------------------------------------------------------

    def _grants_stage_two(self) -> Story:
        """Stage II grants: one for a member whose heirs also had JKM (the pair is for review),
        three for families whose heirs all gave one broker's account."""
        yield _opening(TNG_GRANT_2025_II)
        self._open(TNG_GRANT_2025_II)
        a = self.ledger.enrolment(self.city_members[10].id)  # A: died 14 July, JKM Rp42,000,000
        both = Deceased(a.nik, a.name, a.kk, a.region, a.district, a.decile, "DTKS",
                        date(2025, 1, 15))
        grants = [(both, date(2025, 7, 14), self._heir("child", a.district, "stage-two-a"))]
        people = WorkerFactory(SEED + 5, "36.71", CITY_OCCUPATIONS, (1, 4), ("Cimone",),
                               register_snapshot=date(2025, 1, 15), serial_base=8000)
        for index in range(3):
            died_on = date(2025, 8, 4) + timedelta(days=3 * index)
            someone = people.worker(died_on)
            dead = Deceased(someone.nik, someone.name, someone.kk, someone.region,
                            someone.district, someone.decile, "DTKS", date(2025, 1, 15))
            broker = replace(self._heir("child", someone.district, f"broker-{index + 1}"),
                             bank="Bank BRI", account_number="330201004455507",
                             account_name="Rahmat Hidayat")
            grants.append((dead, died_on, broker))
        for index, (dead, died_on, claimant) in enumerate(grants):
            self._start(self._grant_stage_two(index, dead, died_on, claimant))
        self.progress(1, "city death grants, stage II")

    def _grant_stage_two(self, index: int, dead: Deceased, died_on: date,
                         claimant: Claimant) -> Story:
        code = TNG_GRANT_2025_II.code
        yield add_working_days(died_on, 10)
        claim = self.ledger.file_grant_claim(code, dead, died_on, "illness", claimant,
                                             add_working_days(died_on, 10), actor=CLERK)
        self.result.grant_claim_ids.append(str(claim.id))
        yield add_working_days(died_on, 12)
        self.ledger.approve_claim(claim.id, add_working_days(died_on, 12), actor=APPROVER)
        yield add_working_days(died_on, 15)
        self.ledger.disburse(claim.id, f"BTT/2025-II/{index + 1:03d}", claim.entitlement,
                             add_working_days(died_on, 15), actor=FINANCE)

    # -- Jakarta Barat ---------------------------------------------------------------------------

    def _jakarta_barat(self) -> Story:
        """An RT head and a PPSU crew member; benefits handed to 2 heirs on 10 Feb 2026."""
        yield _opening(JAKBAR_2025)
        self._open(JAKBAR_2025)
        people = WorkerFactory(SEED + 2, "31.73", JAKBAR_2025.occupations, (1, 4),
                               JAKBAR_2025.branches, register_snapshot=date(2024, 11, 1))
        requests = list(people.workers(JAKBAR_COHORT - 2, date(2025, 1, 2)))
        hidayat = replace(people.worker(date(2025, 1, 2), district="31.73.05",
                                        occupation="ketua_rt", female=False),
                          name="Hidayat", village="31.73.05.1004")
        said = replace(people.worker(date(2025, 1, 2), district="31.73.07",
                                     occupation="ppsu", female=False),
                       name="Muhammad Said", village="31.73.07.1006")
        members = self._enrol(JAKBAR_2025.code, [hidayat, said, *requests])
        self._start(self._payments(JAKBAR_2025.code, members, month_range("2025-01", 12),
                                   lambda m: date(int(m[:4]), int(m[5:]), 12),
                                   lambda m: f"SP2D-JB/{m.replace('-', '')}"))
        for story in (self._hidayat(members[0]), self._said(members[1]),
                      self._shangri_la()):
            self._start(story)
        yield date(2025, 1, 20)
        self._match_identities(JAKBAR_2025.code, members, date(2025, 1, 20),
                               "Dukcapil JB 470/031/2025")

    def _hidayat(self, member: Enrolment) -> Story:
        """The RT head: died of illness (JKM); his BPJS membership began on 3 January 2022,
        before this programme's first day (the RT heads' cover of earlier years), so the 3 years
        a JKM scholarship needs were complete: his child at SMP gets it."""
        yield reported_on(date(2025, 11, 20))
        death = self._death(member, date(2025, 11, 20), False, "Kel. Sukabumi Selatan", "sakit")
        heir = self._heir("spouse", "31.73.05", "jakbar-h")
        self.claims["jakbar-h"] = yield from self._claim_paid(
            death, Benefit.JKM_DEATH, heir, date(2025, 12, 1), date(2025, 12, 10),
            date(2026, 1, 12))
        yield from self._scholarship("jakbar-h", heir, JAKBAR_CHILDREN["jakbar-h"],
                                     HIDAYAT_MEMBERSHIP_BEGAN)

    def _said(self, member: Enrolment) -> Story:
        """The PPSU crew member: died at work (JKK), so his two children (SD and SMA) get the
        scholarship with no minimum period of membership."""
        yield reported_on(date(2025, 12, 8))
        death = self._death(member, date(2025, 12, 8), True, "Kel. Slipi",
                            "struck while clearing a drain on duty")
        heir = self._heir("spouse", "31.73.07", "jakbar-s")
        self.claims["jakbar-s"] = yield from self._claim_paid(
            death, Benefit.JKK_DEATH, heir, date(2025, 12, 15), date(2025, 12, 22),
            date(2026, 1, 12))
        yield from self._scholarship("jakbar-s", heir, JAKBAR_CHILDREN["jakbar-s"], None)

    def _scholarship(self, slot: str, heir: Claimant, children: tuple[Child, ...],
                     membership_began_on: date | None) -> Story:
        """The scholarship of a death: granted, each child's 2025/2026 year claimed with the
        school's letter, approved by BPJS and paid before the ceremony of 10 February 2026."""
        yield date(2026, 1, 14)
        granted = self.ledger.grant_scholarship(self.claims[slot].id, children,
                                                date(2026, 1, 14), actor=CLERK,
                                                membership_began_on=membership_began_on)
        yield date(2026, 1, 19)
        years = []
        for child in children:
            assert child.level is not None
            letter = f"SKAS/{child.nik[-4:]}/2025-2026"
            years.append(self.ledger.file_scholarship_year(
                granted.id, child.nik, child.level, SchoolYear(2025), letter,
                hashlib.sha256(f"surat keterangan aktif sekolah {letter}".encode()).hexdigest(),
                heir, date(2026, 1, 19), actor=CLERK))
            self.result.claim_ids.append(str(years[-1].id))
        yield date(2026, 1, 26)
        for year in years:
            self.ledger.approve_claim(year.id, date(2026, 1, 26), actor=APPROVER)
        yield date(2026, 2, 6)
        for year in years:
            self.ledger.disburse(year.id, f"TRF/{str(year.id)[:8].upper()}", year.entitlement,
                                 date(2026, 2, 6), actor=FINANCE)
        self.scholarship_years[slot] = years

    def _shangri_la(self) -> Story:
        yield date(2026, 2, 10)
        ceremony = self.ledger.record_handover(
            CeremonyDetails(
                held_on=date(2026, 2, 10), venue="Hotel Shangri-La, Jakarta Pusat",
                region="31.73", district="", occasion="Penyerahan santunan BPJS Ketenagakerjaan",
                officials=(Official("Iin Mutmainnah", "Wali Kota Jakarta Barat"),)),
            [self.claims["jakbar-h"].id, self.claims["jakbar-s"].id,
             *(year.id for slot in ("jakbar-h", "jakbar-s")
               for year in self.scholarship_years[slot])], actor=CLERK)
        self.result.handover_ids.append(str(ceremony.id))
        self.progress(1, "Jakarta Barat ceremony")

    # -- Kabupaten Tangerang ---------------------------------------------------------------------

    def _kabupaten(self) -> Story:
        """The regency enrols its own workers; a NIK the city already covers is refused."""
        yield _opening(KABTNG_2025)
        self._open(KABTNG_2025)
        people = WorkerFactory(SEED + 3, "36.03", KABTNG_2025.occupations, (1, 4),
                               KABTNG_2025.branches)
        yield date(2025, 4, 1)
        members = self._enrol(KABTNG_2025.code,
                              list(people.workers(KABUPATEN_COHORT, date(2025, 4, 1))))
        self._start(self._payments(KABTNG_2025.code, members, month_range("2025-04", 9),
                                   lambda m: date(int(m[:4]), int(m[5:]), 11),
                                   lambda m: f"SP2D-KAB/{m.replace('-', '')}"))
        self._start(self._moves_to_the_regency(people.worker(date(2025, 4, 14))))
        yield date(2025, 4, 15)
        self._match_identities(KABTNG_2025.code, members, date(2025, 4, 15),
                               "Dukcapil KAB 470/2207/2025")

    def _moves_to_the_regency(self, request: EnrolmentRequest) -> Story:
        """A city member moves to the regency: refused while the city covers them, enrolled
        once the city records the move (after it paid June); June is paid by both."""
        yield date(2025, 6, 16)
        overlap = self.ledger.enrolment(self.city_members[100].id)
        moved = replace(request, nik=overlap.nik, kk=overlap.kk, name=overlap.name)
        self._refused(
            f"Kabupaten Tangerang enrols {overlap.name}, already covered by Kota Tangerang",
            lambda: self.ledger.enrol(KABTNG_2025.code, moved, actor=CLERK))
        self.ledger.end_coverage(overlap.id, date(2025, 6, 10), EndReason.MOVED,
                                 "pindah domisili ke Kabupaten Tangerang", actor=CLERK)
        again = self.ledger.enrol(KABTNG_2025.code, replace(moved, enrolled_on=date(2025, 6, 16)),
                                  actor=CLERK)
        yield date(2025, 6, 20)
        self._match_identities(KABTNG_2025.code, [again], date(2025, 6, 20),
                               "Dukcapil KAB 470/2911/2025")
        yield date(2025, 6, 23)
        months = month_range("2025-06", 7)
        self.ledger.pay_contribution(KABTNG_2025.code, "SP2D-KAB/SUSULAN/06", date(2025, 6, 23),
                                     months, [again.id], 16_800 * len(months), actor=FINANCE)
        self.progress(1, "a worker moves from the city to the regency")

    # -- the city's 2026 programme ---------------------------------------------------------------

    def _city_2026(self) -> Story:
        """The 2026 programme over three branches: a first intake, January and February paid."""
        yield _opening(TNG_2026)
        self._open(TNG_2026)
        people = WorkerFactory(SEED + 4, "36.71", CITY_OCCUPATIONS, (1, 5), TNG_2026.branches,
                               register="DTSEN", register_snapshot=date(2025, 11, 1),
                               serial_base=3000)
        yield date(2026, 1, 5)
        members = self._enrol(TNG_2026.code,
                              list(people.workers(COHORT_2026, date(2026, 1, 5))))
        self._start(self._payments(TNG_2026.code, members, ["2026-01", "2026-02"],
                                   lambda m: date(int(m[:4]), int(m[5:]), 12),
                                   lambda m: f"SP2D-2026/{m.replace('-', '')}"))
        self._start(self._supplementary_2026(people))
        self._start(self._sole_officer(members[5]))
        yield date(2026, 1, 19)
        self._match_identities(TNG_2026.code, members, date(2026, 1, 19),
                               "Dukcapil 470/0098/Disdukcapil/2026")

    def _sole_officer(self, worker: Enrolment) -> Story:
        """One officer holding both roles files and approves alone, giving the reason."""
        yield reported_on(date(2026, 2, 20))
        accident = self._accident(worker, date(2026, 2, 20), "Pasar Bengkok, Pinang",
                                  "cut by a falling zinc sheet while setting up a stall")
        yield date(2026, 3, 25)
        claim = self.ledger.file_claim(accident, Benefit.JKK_TEMPORARY_INCAPACITY,
                                       _self(worker), date(2026, 3, 25), actor=SOLE_OFFICER,
                                       incapacity_months=1)
        self.result.claim_ids.append(str(claim.id))
        yield date(2026, 3, 26)
        self.ledger.approve_claim(
            claim.id, date(2026, 3, 26), actor=SOLE_OFFICER,
            sole_approver_reason="satu-satunya pejabat berwenang yang bertugas selama cuti "
                                 "bersama Idulfitri 1447 H")
        yield date(2026, 3, 27)
        self.ledger.disburse(claim.id, f"TRF/{str(claim.id)[:8].upper()}", claim.entitlement,
                             date(2026, 3, 27), actor=FINANCE)

    def _supplementary_2026(self, people: WorkerFactory) -> Story:
        """A late intake paid by its own SP2D, which is cancelled after a claim was paid."""
        yield date(2026, 2, 2)
        late = self._enrol(TNG_2026.code,
                           list(people.workers(SUPPLEMENTARY_2026, date(2026, 2, 2))))
        yield date(2026, 2, 9)
        self._match_identities(TNG_2026.code, late, date(2026, 2, 9),
                               "Dukcapil 470/0187/Disdukcapil/2026")
        yield date(2026, 2, 12)
        self.ledger.pay_contribution(TNG_2026.code, "SP2D-2026/SUSULAN/02", date(2026, 2, 12),
                                     ["2026-02"], [m.id for m in late],
                                     len(late) * 16_800, actor=FINANCE)
        yield reported_on(date(2026, 2, 18))
        accident = self._accident(late[3], date(2026, 2, 18), "Jl. MH Thamrin, Cikokol",
                                  "knocked off a motorbike while delivering goods")
        yield from self._claim_paid(accident, Benefit.JKK_TEMPORARY_INCAPACITY, _self(late[3]),
                                    date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 6),
                                    months=2)
        yield date(2026, 3, 16)
        self.ledger.reverse_contribution(
            TNG_2026.code, "SP2D-2026/SUSULAN/02", date(2026, 3, 16),
            "SP2D dibatalkan: peserta susulan belum ditetapkan dengan SK Wali Kota",
            actor=FINANCE)
        self.progress(1, "a supplementary intake and its cancelled payment order")


def _self(member: Enrolment) -> Claimant:
    return Claimant(nik=member.nik, name=member.name, relationship="self", heir_certificate="",
                    bank="Bank BJB", account_number=f"00{member.nik[-8:]}",
                    account_name=member.name)


def build_demo(ledger: Ledger, progress: Progress | None = None) -> DemoResult:
    """Build the whole seed scenario into an initialised, empty ledger."""
    return DemoBuilder(ledger, progress).build()


#: The demo's signing key, derived from the seed so that every run signs the same checkpoint.
#: It is public (it is in this file): a checkpoint signed with it proves nothing to anyone.
DEMO_SIGNING_KEY = "ed25519:" + base64.b64encode(
    hashlib.sha256(f"claims-ledger demo signing key, seed {SEED}".encode()).digest()).decode()

#: The line the demo adds to its checkpoint.txt when it signed with :data:`DEMO_SIGNING_KEY`
#: (a line the checkpoint's reader skips: the signature covers size, root and time only).
DEMO_KEY_NOTE = (f"note signed with the demo key derived from seed {SEED}: public, for the demo "
                 "only, never a real ledger's\n")

#: The demo's witness, run in-process: its name (the key's) and its Ed25519 cosigner key's seed,
#: derived from the seed like the signing key, so every run co-signs with the same bytes. Public
#: too: its cosignature shows how a witness's looks, it proves nothing.
DEMO_WITNESS_NAME = "witness.demo.claims-ledger.local"
DEMO_WITNESS_SEED = hashlib.sha256(f"claims-ledger demo witness key, seed {SEED}".encode()).digest()

#: The files a demo writes into its folder: an earlier demo's are replaced, nothing else is.
DEMO_FILES = ("claims-ledger.sqlite", "claims-ledger.sqlite-wal", "claims-ledger.sqlite-shm",
              "claims-ledger.sqlite-journal", "claims-ledger.key", "checkpoint.txt",
              "demo-signing.key",
              "checkpoint-cosigned.txt", "demo-policy.txt", "demo-witness-state.json",
              "demo-witness-state.json.lock", "demo-witness-state.json.*.tmp",
              "laporan-audit-*.pdf", "berkas-klaim-*.pdf", "berita-acara-*.pdf",
              ".*.pdf.*.part")


def clear_demo_folder(folder: Path) -> None:
    """Make ``folder`` ready for a demo: create it, or empty it of an earlier demo's files.

    A folder holding anything else (or a ``claims-ledger.sqlite`` without the checkpoint a demo
    writes beside it: someone's own ledger, perhaps) is refused and left as it is, so the demo
    never deletes what it did not write, and never leaves a stale document beside new ones."""
    if folder.exists() and not folder.is_dir():
        raise InvalidInputError(f"{folder} is a file, not a folder for the demo", field="out")
    folder.mkdir(parents=True, exist_ok=True)
    present = sorted(folder.iterdir())
    foreign = [p.name for p in present
               if not p.is_file() or not any(fnmatch.fnmatchcase(p.name, f) for f in DEMO_FILES)]
    if foreign:
        raise InvalidInputError(
            f"the demo writes into an empty folder or over an earlier demo's, but {folder} also "
            f"holds {', '.join(foreign[:3])}{' and more' if len(foreign) > 3 else ''}; "
            "choose another folder with --out", field="out")
    names = {p.name for p in present}
    if "claims-ledger.sqlite" in names and "checkpoint.txt" not in names:
        raise InvalidInputError(
            f"{folder / 'claims-ledger.sqlite'} has no demo checkpoint beside it, so it may be a "
            "real ledger; the demo does not replace it: choose another folder with --out",
            field="out")
    for path in present:
        path.unlink()
