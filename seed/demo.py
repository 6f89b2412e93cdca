"""The seed scenario of DOMAIN.md section 2, built through the application service.

Everything is recorded the way clerks, approvers and finance would record it, in the order of
the business dates, so an auditor replaying the log sees the year as it happened. Workers are
synthetic (seeded, so the same every run); programmes, figures, ceremonies and venues are the
ones in the seed articles. Refusals the scenario provokes on purpose (a NIK the city already
covers, JKK and JKM for one death, a clerk approving their own claim) are collected and shown.

The year also holds, on purpose, one case or more of each red flag an audit must surface
(DOMAIN.md section 7), recorded the way such cases arise past the rules: payments for a roster
that still names the dead and the moved, a move recorded after the city paid, a regency paying
the same month for the same NIK, NIKs the population register did not match, a supplementary
payment order cancelled after a claim was paid on it, the city grant beside JKM for one death,
three families' grants paid into one broker's account, a ceremony ahead of its payout, a budget
line built on Rp17,000, an approval revoked after payment and an officer approving alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.calendar import add_working_days, month_range
from ledger.claim import Claim, Claimant, Deceased
from ledger.enrolment import EndReason, Enrolment, EnrolmentRequest
from ledger.errors import LedgerError
from ledger.handover import CeremonyDetails, Official
from ledger.incident import IncidentKind
from ledger.programme import ProgrammeTerms, Rate
from seed.synthetic import FAMILY_NAMES, GIVEN_NAMES, WorkerFactory, compose_nik

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


class DemoBuilder:
    """Builds the scenario step by step; ``progress(steps_done, what)`` reports as it goes."""

    def __init__(self, ledger: Ledger, progress: Progress | None = None) -> None:
        self.ledger = ledger
        self.progress = progress or (lambda _n, _what: None)
        self.random = random.Random(SEED)
        self.result = DemoResult()
        self.heir_serial = 0

    @staticmethod
    def total_steps() -> int:
        """Units of progress: one per enrolled worker and grant, plus the named steps."""
        return (CITY_COHORT + GRANT_FAMILIES + COHORT_2026 + JAKBAR_COHORT + KABUPATEN_COHORT
                + SUPPLEMENTARY_2026 + 50)

    def build(self) -> DemoResult:
        self._grants_2025()
        city = self._city_2025()
        self._grants_stage_two(city)
        self._jakarta_barat()
        self._kabupaten(city)
        self._city_2026()
        return self.result

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

    def _pay_months(self, code: str, members: list[Enrolment], months: list[str],
                    paid_on: Callable[[str], date], prefix: str) -> None:
        ids = [str(m.id) for m in members]
        rate = self.ledger.programme(code).rate_for(months[0])
        for month in months:
            self.ledger.pay_contribution(
                code, f"{prefix}/{month.replace('-', '')}", paid_on(month), [month], ids,
                len(ids) * rate, actor=FINANCE)
        self.progress(1, f"{len(months)} monthly contributions of {code}")

    def _heir(self, relationship: str, district: str) -> Claimant:
        self.heir_serial += 1
        given = self.random.choice(GIVEN_NAMES)
        name = f"{given} {self.random.choice(FAMILY_NAMES)}"
        born = date(1970, 1, 1) + timedelta(days=self.random.randrange(0, 12_000))
        return Claimant(
            nik=compose_nik(district, born, self.random.random() < 0.5, 9000 + self.heir_serial),
            name=name, relationship=relationship,
            heir_certificate=f"SKAW/{self.heir_serial:04d}/{district.replace('.', '')}",
            bank=self.random.choice(("Bank BJB", "Bank BRI", "Bank Mandiri", "Bank DKI")),
            account_number=f"{self.random.randrange(10**9, 10**10)}", account_name=name)

    def _claim_paid(self, incident_id: str, benefit: Benefit, claimant: Claimant,
                    filed_on: date, approved_on: date, paid_on: date | None,
                    months: int | None = None) -> Claim:
        claim = self.ledger.file_claim(incident_id, benefit, claimant, filed_on, actor=CLERK,
                                       incapacity_months=months)
        self.ledger.approve_claim(claim.id, approved_on, actor=APPROVER)
        if paid_on is not None:
            self.ledger.disburse(claim.id, f"TRF/{str(claim.id)[:8].upper()}",
                                 claim.entitlement, paid_on, actor=FINANCE)
        self.result.claim_ids.append(str(claim.id))
        return claim

    def _refused(self, attempt: str, command: Callable[[], object]) -> None:
        try:
            command()
        except LedgerError as error:
            self.result.refusals.append(Refusal(attempt, error.rule, str(error)))
        else:  # pragma: no cover - the scenario is built so that this cannot happen
            raise RuntimeError(f"the demo expected a refusal: {attempt}")

    # -- the stories -----------------------------------------------------------------------------

    def _grants_2025(self) -> None:
        """Stage I 2025: 98 families x Rp3,000,000, handed over on 24 March 2025."""
        self._open(TNG_GRANT_2025)
        people = WorkerFactory(SEED + 1, "36.71", CITY_OCCUPATIONS, (1, 4), ("Cimone",),
                               register_snapshot=date(2025, 1, 15), serial_base=7000)
        launch = date(2025, 3, 24)
        for index in range(GRANT_FAMILIES):
            died_on = date(2025, 2, 3) + timedelta(days=index % 28)
            someone = people.worker(died_on)
            deceased = Deceased(someone.nik, someone.name, someone.kk, someone.region,
                                someone.district, someone.decile, "DTKS", date(2025, 1, 15))
            claim = self.ledger.file_grant_claim(
                TNG_GRANT_2025.code, deceased, died_on, "illness",
                self._heir(self.random.choice(("spouse", "child")), someone.district),
                add_working_days(died_on, 5), actor=CLERK)
            self.ledger.approve_claim(claim.id, add_working_days(died_on, 8), actor=APPROVER)
            self.ledger.disburse(claim.id, f"BTT/2025/{index + 1:03d}", claim.entitlement,
                                 launch, actor=FINANCE)
            self.result.grant_claim_ids.append(str(claim.id))
            self.progress(1, "city death grants")

    def _city_2025(self) -> list[Enrolment]:
        """5,952 workers, Cimone, March-December 2025, the budget used exactly."""
        self._open(TNG_2025)
        people = WorkerFactory(SEED, "36.71", CITY_OCCUPATIONS, (1, 4), ("Cimone",))
        members = self._enrol(TNG_2025.code,
                              list(people.workers(CITY_COHORT, date(2025, 3, 24))))
        self._match_identities(TNG_2025.code, members, date(2025, 4, 8),
                               "Dukcapil 470/0412/Disdukcapil/2025", {
                                   200: "NIK tidak ditemukan dalam database kependudukan",
                                   300: "nama dan tanggal lahir tidak sesuai dengan NIK"})
        for member in members[:25]:
            self.ledger.record_kpj(member.id, f"25{self.random.randrange(10**8, 10**9)}", CLERK)
        months = month_range("2025-03", 10)

        def paid_on(month: str) -> date:
            return date(2025, 3, 25) if month == "2025-03" else date(
                int(month[:4]), int(month[5:]), 10)

        ids = [str(m.id) for m in members]
        rate = 16_800
        pay = iter(months)

        def pay_until(month_inclusive: str) -> None:
            for month in pay:
                self.ledger.pay_contribution(
                    TNG_2025.code, f"SP2D/0{month[5:]}/BPKAD/{month[:4]}", paid_on(month),
                    [month], ids, len(ids) * rate, actor=FINANCE)
                if month == month_inclusive:
                    return

        a, b, c, d, e, f, g = members[10], members[20], members[30], members[40], members[50], \
            members[60], members[70]
        pay_until("2025-05")
        # B: enrolled 24 March, died 2 June: within the first 3 months, Rp10,000,000.
        death_b = self._death(b, date(2025, 6, 2), False, "RSUD Kota Tangerang", "stroke")
        pay_until("2025-07")
        claim_b = self._claim_paid(death_b, Benefit.JKM_DEATH, self._heir("spouse", b.district),
                                   date(2025, 6, 9), date(2025, 6, 12), date(2025, 6, 16))
        # A: died 14 July of illness: JKM Rp42,000,000.
        death_a = self._death(a, date(2025, 7, 14), False, "rumah duka, " + a.village,
                              "penyakit jantung")
        claim_a = self._claim_paid(death_a, Benefit.JKM_DEATH, self._heir("child", a.district),
                                   date(2025, 7, 21), date(2025, 7, 24), date(2025, 7, 28))
        pay_until("2025-08")
        # D: work accident 5 August, total permanent disability: Rp68,000,000.
        accident_d = self._accident(d, date(2025, 8, 5), "Pasar Anyar, Tangerang",
                                    "fell from a loading ramp while carrying goods")
        self._claim_paid(accident_d, Benefit.JKK_TOTAL_DISABILITY, _self(d), date(2025, 10, 1),
                         date(2025, 10, 8), date(2025, 10, 15))
        # H: died 22 August; JKM paid in September (its approval is revoked in November).
        h = members[80]
        death_h = self._death(h, date(2025, 8, 22), False, "Karawaci", "sakit")
        claim_h = self._claim_paid(death_h, Benefit.JKM_DEATH, self._heir("sibling", h.district),
                                   date(2025, 8, 28), date(2025, 9, 2), date(2025, 9, 5))
        pay_until("2025-09")
        # C: ojek driver killed at work 18 September: JKK death Rp70,000,000 (not JKM too).
        death_c = self._death(c, date(2025, 9, 18), True, "Jl. Daan Mogot, Batuceper",
                              "motorbike hit by a truck while carrying a passenger")
        claim_c = self._claim_paid(death_c, Benefit.JKK_DEATH, self._heir("spouse", c.district),
                                   date(2025, 9, 25), date(2025, 10, 2), date(2025, 10, 9))
        self._refused("JKM for the same death that JKK already pays",
                      lambda: self.ledger.file_claim(death_c, Benefit.JKM_DEATH,
                                                     self._heir("child", c.district),
                                                     date(2025, 9, 26), actor=CLERK))
        pay_until("2025-10")
        # E: accident 12 October, 3 months unable to work (STMB): Rp3,000,000.
        accident_e = self._accident(e, date(2025, 10, 12), "Terminal Poris Plawad",
                                    "hand crushed while unloading")
        self._claim_paid(accident_e, Benefit.JKK_TEMPORARY_INCAPACITY, _self(e),
                         date(2026, 1, 14), date(2026, 1, 19), date(2026, 1, 23), months=3)
        pay_until("2025-11")
        # The inspectorate finds H's heir certificate forged: Rp42,000,000 to recover.
        self.ledger.revoke_approval(
            claim_h.id, "surat keterangan ahli waris palsu: pemohon bukan ahli waris yang sah "
            "(LHP Inspektorat 700/112/2025)", date(2025, 11, 14), actor=INSPECTOR)
        # F: died 20 November; the claim is rejected for an incomplete file.
        death_f = self._death(f, date(2025, 11, 20), False, "Periuk", "sakit")
        claim_f = self.ledger.file_claim(death_f, Benefit.JKM_DEATH,
                                         self._heir("sibling", f.district), date(2025, 11, 25),
                                         actor=CLERK)
        self._refused("the clerk who filed a claim approves it",
                      lambda: self.ledger.approve_claim(claim_f.id, date(2025, 11, 26), CLERK))
        self.ledger.reject_claim(claim_f.id, "incomplete_file",
                                 "no death certificate (akta kematian) and no heir certificate "
                                 "signed by the lurah", date(2025, 12, 3), actor=APPROVER)
        self.result.claim_ids.append(str(claim_f.id))
        pay_until("2025-12")
        # G: died 28 December; approved in January, paid only after the ceremony.
        death_g = self._death(g, date(2025, 12, 28), False, "Periuk", "sakit paru-paru")
        claim_g = self._claim_paid(death_g, Benefit.JKM_DEATH, self._heir("spouse", g.district),
                                   date(2026, 1, 8), date(2026, 1, 20), None)
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
            [claim_a.id, claim_b.id, claim_c.id, claim_g.id], actor=CLERK)
        self.result.handover_ids.append(str(ceremony.id))
        self.ledger.disburse(claim_g.id, f"TRF/{str(claim_g.id)[:8].upper()}",
                             claim_g.entitlement, date(2026, 2, 10), actor=FINANCE)
        self.progress(1, "claims and the Nambo Jaya ceremony")
        return members

    def _grants_stage_two(self, city_members: list[Enrolment]) -> None:
        """Stage II grants: one for a member whose heirs also had JKM (the pair is for review),
        three for families whose heirs all gave one broker's account."""
        self._open(TNG_GRANT_2025_II)
        code = TNG_GRANT_2025_II.code
        a = self.ledger.enrolment(city_members[10].id)  # A: died 14 July, JKM Rp42,000,000
        both = Deceased(a.nik, a.name, a.kk, a.region, a.district, a.decile, "DTKS",
                        date(2025, 1, 15))
        grants = [(both, date(2025, 7, 14), self._heir("child", a.district))]
        people = WorkerFactory(SEED + 5, "36.71", CITY_OCCUPATIONS, (1, 4), ("Cimone",),
                               register_snapshot=date(2025, 1, 15), serial_base=8000)
        for index in range(3):
            died_on = date(2025, 8, 4) + timedelta(days=3 * index)
            someone = people.worker(died_on)
            dead = Deceased(someone.nik, someone.name, someone.kk, someone.region,
                            someone.district, someone.decile, "DTKS", date(2025, 1, 15))
            broker = replace(self._heir("child", someone.district), bank="Bank BRI",
                             account_number="330201004455507", account_name="Rahmat Hidayat")
            grants.append((dead, died_on, broker))
        for index, (dead, died_on, claimant) in enumerate(grants):
            claim = self.ledger.file_grant_claim(code, dead, died_on, "illness", claimant,
                                                 add_working_days(died_on, 10), actor=CLERK)
            self.ledger.approve_claim(claim.id, add_working_days(died_on, 12), actor=APPROVER)
            self.ledger.disburse(claim.id, f"BTT/2025-II/{index + 1:03d}", claim.entitlement,
                                 add_working_days(died_on, 15), actor=FINANCE)
            self.result.grant_claim_ids.append(str(claim.id))
        self.progress(1, "city death grants, stage II")

    def _jakarta_barat(self) -> None:
        """An RT head and a PPSU crew member; benefits handed to 2 heirs on 10 Feb 2026."""
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
        self._match_identities(JAKBAR_2025.code, members, date(2025, 1, 20),
                               "Dukcapil JB 470/031/2025")
        self._pay_months(JAKBAR_2025.code, members, month_range("2025-01", 12),
                         lambda m: date(int(m[:4]), int(m[5:]), 12), "SP2D-JB")
        death_h = self._death(members[0], date(2025, 11, 20), False, "Kel. Sukabumi Selatan",
                              "sakit")
        death_s = self._death(members[1], date(2025, 12, 8), True, "Kel. Slipi",
                              "struck while clearing a drain on duty")
        claim_h = self._claim_paid(death_h, Benefit.JKM_DEATH, self._heir("spouse", "31.73.05"),
                                   date(2025, 12, 1), date(2025, 12, 10), date(2026, 1, 12))
        claim_s = self._claim_paid(death_s, Benefit.JKK_DEATH, self._heir("spouse", "31.73.07"),
                                   date(2025, 12, 15), date(2025, 12, 22), date(2026, 1, 12))
        ceremony = self.ledger.record_handover(
            CeremonyDetails(
                held_on=date(2026, 2, 10), venue="Hotel Shangri-La, Jakarta Pusat",
                region="31.73", district="", occasion="Penyerahan santunan BPJS Ketenagakerjaan",
                officials=(Official("Iin Mutmainnah", "Wali Kota Jakarta Barat"),)),
            [claim_h.id, claim_s.id], actor=CLERK)
        self.result.handover_ids.append(str(ceremony.id))
        self.progress(1, "Jakarta Barat ceremony")

    def _kabupaten(self, city_members: list[Enrolment]) -> None:
        """The regency enrols its own workers; a NIK the city already covers is refused."""
        self._open(KABTNG_2025)
        people = WorkerFactory(SEED + 3, "36.03", KABTNG_2025.occupations, (1, 4),
                               KABTNG_2025.branches)
        members = self._enrol(KABTNG_2025.code,
                              list(people.workers(KABUPATEN_COHORT, date(2025, 4, 1))))
        self._match_identities(KABTNG_2025.code, members, date(2025, 4, 15),
                               "Dukcapil KAB 470/2207/2025")
        self._pay_months(KABTNG_2025.code, members, month_range("2025-04", 9),
                         lambda m: date(int(m[:4]), int(m[5:]), 11), "SP2D-KAB")
        overlap = self.ledger.enrolment(city_members[100].id)
        moved = replace(people.worker(date(2025, 4, 14)), nik=overlap.nik, kk=overlap.kk,
                        name=overlap.name)
        self._refused(
            f"Kabupaten Tangerang enrols {overlap.name}, already covered by Kota Tangerang",
            lambda: self.ledger.enrol(KABTNG_2025.code, moved, actor=CLERK))
        # The city records the move (after it paid the whole year for its roster); the regency
        # then enrols the worker and pays June-December: June is paid by both.
        self.ledger.end_coverage(overlap.id, date(2025, 6, 10), EndReason.MOVED,
                                 "pindah domisili ke Kabupaten Tangerang", actor=CLERK)
        again = self.ledger.enrol(KABTNG_2025.code, replace(moved, enrolled_on=date(2025, 6, 16)),
                                  actor=CLERK)
        self._match_identities(KABTNG_2025.code, [again], date(2025, 6, 20),
                               "Dukcapil KAB 470/2911/2025")
        months = month_range("2025-06", 7)
        self.ledger.pay_contribution(KABTNG_2025.code, "SP2D-KAB/SUSULAN/06", date(2025, 6, 23),
                                     months, [again.id], 16_800 * len(months), actor=FINANCE)
        self.progress(1, "a worker moves from the city to the regency")

    def _city_2026(self) -> None:
        """The 2026 programme over three branches: a first intake, January and February paid."""
        self._open(TNG_2026)
        people = WorkerFactory(SEED + 4, "36.71", CITY_OCCUPATIONS, (1, 5), TNG_2026.branches,
                               register="DTSEN", register_snapshot=date(2025, 11, 1),
                               serial_base=3000)
        members = self._enrol(TNG_2026.code,
                              list(people.workers(COHORT_2026, date(2026, 1, 5))))
        self._match_identities(TNG_2026.code, members, date(2026, 1, 19),
                               "Dukcapil 470/0098/Disdukcapil/2026")
        self._pay_months(TNG_2026.code, members, ["2026-01", "2026-02"],
                         lambda m: date(int(m[:4]), int(m[5:]), 12), "SP2D-2026")
        self._supplementary_2026(people)
        # One officer holding both roles files and approves alone, giving the reason.
        worker = members[5]
        accident = self._accident(worker, date(2026, 2, 20), "Pasar Bengkok, Pinang",
                                  "cut by a falling zinc sheet while setting up a stall")
        claim = self.ledger.file_claim(accident, Benefit.JKK_TEMPORARY_INCAPACITY,
                                       _self(worker), date(2026, 3, 25), actor=SOLE_OFFICER,
                                       incapacity_months=1)
        self.ledger.approve_claim(
            claim.id, date(2026, 3, 26), actor=SOLE_OFFICER,
            sole_approver_reason="satu-satunya pejabat berwenang yang bertugas selama cuti "
                                 "bersama Idulfitri 1447 H")
        self.ledger.disburse(claim.id, f"TRF/{str(claim.id)[:8].upper()}", claim.entitlement,
                             date(2026, 3, 27), actor=FINANCE)
        self.result.claim_ids.append(str(claim.id))

    def _supplementary_2026(self, people: WorkerFactory) -> None:
        """A late intake paid by its own SP2D, which is cancelled after a claim was paid."""
        late = self._enrol(TNG_2026.code,
                           list(people.workers(SUPPLEMENTARY_2026, date(2026, 2, 2))))
        self._match_identities(TNG_2026.code, late, date(2026, 2, 9),
                               "Dukcapil 470/0187/Disdukcapil/2026")
        self.ledger.pay_contribution(TNG_2026.code, "SP2D-2026/SUSULAN/02", date(2026, 2, 12),
                                     ["2026-02"], [m.id for m in late],
                                     len(late) * 16_800, actor=FINANCE)
        accident = self._accident(late[3], date(2026, 2, 18), "Jl. MH Thamrin, Cikokol",
                                  "knocked off a motorbike while delivering goods")
        self._claim_paid(accident, Benefit.JKK_TEMPORARY_INCAPACITY, _self(late[3]),
                         date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 6), months=2)
        self.ledger.reverse_contribution(
            TNG_2026.code, "SP2D-2026/SUSULAN/02", date(2026, 3, 16),
            "SP2D dibatalkan: peserta susulan belum ditetapkan dengan SK Wali Kota",
            actor=FINANCE)
        self.progress(1, "a supplementary intake and its cancelled payment order")

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


def _self(member: Enrolment) -> Claimant:
    return Claimant(nik=member.nik, name=member.name, relationship="self", heir_certificate="",
                    bank="Bank BJB", account_number=f"00{member.nik[-8:]}",
                    account_name=member.name)


def build_demo(ledger: Ledger, progress: Progress | None = None) -> DemoResult:
    """Build the whole seed scenario into an initialised, empty ledger."""
    return DemoBuilder(ledger, progress).build()
