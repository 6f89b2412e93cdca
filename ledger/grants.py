"""The city's own flat death grant (*santunan kematian*) for a poor resident who died.

Unlike JKK and JKM it is not claimed on an incident of a covered member: the city pays it from
its own budget (BTT) to the heirs of a resident on the welfare register, once per person, when
the programme pays the grant, the death is not of an excluded cause and the heirs apply within
a window of working days. The rule set (:func:`ledger.benefits.rules`) holds the amount, the
excluded causes and the window.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.benefits import Benefit, BenefitRules, Entitlement, rules
from ledger.calendar import working_days_between
from ledger.claim import Claim, Claimant
from ledger.deceased import Deceased
from ledger.errors import (
    BenefitNotInProgrammeError,
    ClaimExpiredError,
    DeceasedError,
    DuplicateDeathBenefitError,
    ExcludedCauseError,
    InvalidInputError,
)
from ledger.identity import mask_nik
from ledger.person import Person
from ledger.programme import Programme


def check_application(programme: Programme, deceased: Deceased, died_on: date, cause: str,
                      claimant: Claimant, filed_on: date,
                      rule_set: BenefitRules | None = None) -> str:
    """Refuse an application the programme or the rules do not allow (in this order: the
    programme open and paying the grant, the deceased on its register, the heir, the cause,
    the dates and the window); the deceased's NIK as stored."""
    rule_set = rule_set or rules()
    programme.require_open()
    if not programme.covers_benefit(Benefit.CITY_DEATH_GRANT.cover.value):
        raise BenefitNotInProgrammeError(
            f"programme {programme.code} does not pay the city death grant",
            field="programme")
    nik = deceased.validate(region=programme.funder_region, deciles=programme.deciles,
                            died_on=died_on)
    claimant.validate(death_benefit=True, on=filed_on)
    if cause in rule_set.city_grant_excluded_causes:
        raise ExcludedCauseError(
            f"the city death grant is not paid for a death by {cause.replace('_', ' ')}",
            field="cause")
    if filed_on < died_on:
        raise InvalidInputError("a claim cannot be filed before the death", field="filed_on")
    window = rule_set.city_grant_window_working_days
    if working_days_between(died_on, filed_on) > window:
        raise ClaimExpiredError(
            f"the grant must be applied for within {window} working days of the death "
            f"({died_on.isoformat()}); {filed_on.isoformat()} is too late", field="filed_on")
    return nik


def require_no_grant(person: Person, nik: str, died_on: date) -> None:
    """One grant per person, and the death on the date the ledger already knows, if any."""
    if person.grant_claim_id is not None:
        raise DuplicateDeathBenefitError(
            f"NIK {mask_nik(nik)} already has a city death grant claim "
            f"({person.grant_claim_id})", field="nik")
    if person.died_on is not None and person.died_on != died_on:
        raise DeceasedError(
            f"NIK {mask_nik(nik)} is recorded as deceased on "
            f"{person.died_on.isoformat()}, not {died_on.isoformat()}", field="died_on")


def grant_claim(programme: Programme, person: Person, deceased: Deceased, died_on: date,
                cause: str, claimant: Claimant, claimant_subject: UUID, filed_on: date,
                actor: str,
                rule_set: BenefitRules | None = None) -> Claim:
    """The grant's claim for the person :func:`check_application` named, computed by the rule
    set; the person records the death (if the ledger did not know it yet) and the claim, so
    that a second application is refused."""
    require_no_grant(person, person.nik, died_on)
    entitlement: Entitlement = (rule_set or rules()).city_death_grant()
    claim = Claim(
        programme_id=str(programme.id), programme_code=programme.code,
        benefit=Benefit.CITY_DEATH_GRANT.value, incident_id=None,
        enrolment_id=person.active_enrolment_id, person_id=str(person.id),
        subject_nik=person.nik, claimant=claimant.as_record(claimant_subject),
        filed_on=filed_on, entitlement=entitlement.amount,
        rule_version=entitlement.rule_version, computation=entitlement.as_record(),
        facts={"died_on": died_on, "cause": cause, **deceased.as_record()}, actor=actor)
    if person.died_on is None:
        person.record_death(died_on, "city_grant_claim", str(claim.id))
    person.grant_claimed(str(claim.id))
    return claim
