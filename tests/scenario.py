"""Builders for tests: the Kota Tangerang programmes with the real figures of docs/domain.md."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.calendar import month_range
from ledger.claim import Claimant
from ledger.enrolment import Enrolment, EnrolmentRequest
from ledger.errors import ProgrammeNotFoundError
from ledger.handover import CeremonyDetails, Official
from ledger.incident import IncidentKind
from ledger.programme import ProgrammeTerms, Rate
from seed.synthetic import WorkerFactory, compose_nik

CLERK = "clerk.siti"
APPROVER = "approver.budi"
FINANCE = "finance.rina"

KOTA_TANGERANG = "36.71"
PERIUK = "36.71.08"
RATES = (Rate("JKK", date(2025, 1, 1), 10_000), Rate("JKM", date(2025, 1, 1), 6_800))
OCCUPATIONS = ("ojek", "juru_parkir", "pedagang_kaki_lima", "buruh_harian_lepas", "pemulung")


def tangerang_terms(**overrides: Any) -> ProgrammeTerms:
    """Kota Tangerang 2025, JKK+JKM, branch Cimone: Rp999.936.000 for 5,952 x 10 months."""
    terms = ProgrammeTerms(
        code="TNG-2025",
        name="Perlindungan Pekerja Rentan 2025",
        funder_name="Pemerintah Kota Tangerang",
        funder_region=KOTA_TANGERANG,
        funding_source="APBD",
        fiscal_year=2025,
        covers=("JKK", "JKM"),
        budget_ceiling=999_936_000,
        dpa_reference="DPA-DINSOS-2025-5.02",
        first_month="2025-03",
        months=10,
        rates=RATES,
        branches=("Cimone",),
        deciles=(1, 4),
        occupations=OCCUPATIONS,
        planned_members=5_952,
        opened_on=date(2025, 3, 24),
    )
    return replace(terms, **overrides)


def grant_terms(**overrides: Any) -> ProgrammeTerms:
    """Kota Tangerang death grant 2025 stage I: 98 x Rp3.000.000 = Rp294.000.000 from BTT."""
    terms = ProgrammeTerms(
        code="TNG-SANTUNAN-2025",
        name="Santunan Kematian Tahap I 2025",
        funder_name="Pemerintah Kota Tangerang",
        funder_region=KOTA_TANGERANG,
        funding_source="BTT",
        fiscal_year=2025,
        covers=("CITY_GRANT",),
        budget_ceiling=294_000_000,
        dpa_reference="BTT-2025-01",
        first_month="2025-01",
        months=12,
        deciles=(1, 5),
        planned_members=98,
    )
    return replace(terms, **overrides)


def factory(seed: int = 7) -> WorkerFactory:
    return WorkerFactory(seed, KOTA_TANGERANG, OCCUPATIONS, (1, 4), ("Cimone",))


def worker(enrolled_on: date = date(2025, 3, 24), seed: int = 7, **overrides: Any
           ) -> EnrolmentRequest:
    return replace(factory(seed).worker(enrolled_on), **overrides)


def a_nik(serial: int = 1, female: bool = True, born: date = date(1990, 3, 12)) -> str:
    return compose_nik(PERIUK, born, female, serial)


def heir(relationship: str = "spouse", nik_serial: int = 77) -> Claimant:
    return Claimant(
        nik=a_nik(nik_serial, female=True, born=date(1985, 6, 1)),
        name="Neneng Hasanah",
        relationship=relationship,
        heir_certificate="SKAW/0412/PRK/2025",
        bank="Bank BJB",
        account_number="0012345678",
        account_name="Neneng Hasanah",
    )


def member_self(enrolment: Enrolment) -> Claimant:
    return Claimant(
        nik=enrolment.nik, name=enrolment.name, relationship="self", heir_certificate="",
        bank="Bank BJB", account_number="0098765432", account_name=enrolment.name,
    )


def covered_member(ledger: Ledger, enrolled_on: date = date(2025, 3, 24),
                   months: tuple[str, ...] = tuple(month_range("2025-03", 10)),
                   seed: int = 7) -> Enrolment:
    """A member of TNG-2025 whose contributions are paid for ``months``."""
    try:
        ledger.programme("TNG-2025")
    except ProgrammeNotFoundError:
        ledger.open_programme(tangerang_terms(), actor="admin")
    member = ledger.enrol("TNG-2025", worker(enrolled_on, seed=seed), actor=CLERK)
    if months:
        ledger.pay_contribution(
            "TNG-2025", f"SP2D/{seed}/{months[0]}", date(2025, 4, 10), months, [member.id],
            16_800 * len(months), actor=FINANCE,
        )
    return ledger.enrolment(member.id)


def decided_claim(ledger: Ledger, seed: int, kind: IncidentKind, on: date, benefit: Benefit, *,
                  work_related: bool, months: int | None = None, approve: bool = True) -> str:
    """A covered member of TNG-2025 (wage band Rp1.000.000), an incident on ``on`` and a claim
    filed on 1 September 2025 and approved the next day (unless not ``approve``)."""
    member = covered_member(ledger, seed=seed)
    incident = ledger.report_incident(member.id, kind, on, "Periuk", "di jalan", work_related,
                                      actor=CLERK)
    claimant = member_self(member) if benefit is Benefit.JKK_TEMPORARY_INCAPACITY else heir()
    claim = ledger.file_claim(incident.id, benefit, claimant, date(2025, 9, 1), actor=CLERK,
                              incapacity_months=months)
    if approve:
        ledger.approve_claim(claim.id, date(2025, 9, 2), actor=APPROVER)
    return str(claim.id)


# -- a small, clean year (findings and documents tests) ------------------------------------------

MONTHS = month_range("2025-03", 10)
RATE = 16_800
TEAM = 3


@dataclass
class Year:
    """A small, clean TNG-2025: three members, matched, paid, one death paid and handed over."""

    ledger: Ledger
    members: list[Enrolment]

    def pay(self, sp2d: str, months: list[str], members: list[Enrolment] | None = None,
            code: str = "TNG-2025") -> None:
        chosen = members if members is not None else self.members
        self.ledger.pay_contribution(code, sp2d, date(2025, 3, 25), months,
                                     [m.id for m in chosen], RATE * len(months) * len(chosen),
                                     actor=FINANCE)

    def death(self, member: Enrolment, on: date, work_related: bool = False) -> str:
        incident = self.ledger.report_incident(member.id, IncidentKind.DEATH, on, "Periuk",
                                               "sakit", work_related, actor=CLERK)
        return str(incident.id)

    def paid_claim(self, incident_id: str, benefit: Benefit = Benefit.JKM_DEATH,
                   claimant: Claimant | None = None, filed_on: date = date(2025, 8, 25),
                   reference: str = "TRF/1") -> str:
        claim = self.ledger.file_claim(incident_id, benefit, claimant or heir(), filed_on,
                                       actor=CLERK)
        self.ledger.approve_claim(claim.id, filed_on, actor=APPROVER)
        self.ledger.disburse(claim.id, reference, claim.entitlement, filed_on, actor=FINANCE)
        return str(claim.id)


def clean_year(ledger: Ledger, **terms: object) -> Year:
    chosen: dict[str, object] = {"budget_ceiling": TEAM * RATE * 10, "planned_members": TEAM}
    ledger.open_programme(tangerang_terms(**{**chosen, **terms}), actor="admin")
    members = [ledger.enrol("TNG-2025", w, actor=CLERK)
               for w in factory().workers(TEAM, date(2025, 3, 24))]
    ledger.record_identity_check("TNG-2025", "Dukcapil 470/118/2025", date(2025, 4, 2),
                                 [m.id for m in members], {}, actor=CLERK)
    year = Year(ledger, members)
    year.pay("SP2D/1", MONTHS[:6])  # March-August for all three
    death = year.death(members[0], date(2025, 8, 20))
    claim = year.paid_claim(death)
    year.pay("SP2D/2", MONTHS[6:], members[1:])  # the living, September-December
    ledger.record_handover(
        CeremonyDetails(held_on=date(2025, 9, 3), venue="GOR Nambo Jaya", region="36.71",
                        district="36.71.08", occasion="Safari Pembangunan",
                        officials=(Official("Dessy Sriningsih", "Kepala Kantor Cabang"),)),
        [claim], actor=CLERK)
    return year


def projected(ledger: Ledger) -> dict[str, Any]:
    """Catch the projections up; the ceremonies, claims and position they then show."""
    from projections.queries import Reader
    from projections.runner import Projector

    projector = Projector(ledger)
    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        return {"handovers": reader.handovers(), "claims": reader.claims(limit=100),
                "position": projector.position()}
    finally:
        projector.close()


def covered_in_2026(ledger: Ledger, seed: int = 11, enrolled_on: date = date(2026, 1, 5),
                    months: int = 8) -> Enrolment:
    """A member of TNG-2026 (January-October 2026) whose first ``months`` months are paid: a
    member covered on both sides of 1 July 2026, when the test rule set starts."""
    try:
        ledger.programme("TNG-2026")
    except ProgrammeNotFoundError:
        ledger.open_programme(tangerang_terms(code="TNG-2026", fiscal_year=2026,
                                              first_month="2026-01", opened_on=date(2026, 1, 2)),
                              actor="admin")
    member = ledger.enrol("TNG-2026", worker(enrolled_on, seed=seed), actor=CLERK)
    paid = tuple(month_range("2026-01", months))
    ledger.pay_contribution("TNG-2026", f"SP2D/2026/{seed}", date(2026, 1, 10), paid,
                            [member.id], 16_800 * len(paid), actor=FINANCE)
    return ledger.enrolment(member.id)
