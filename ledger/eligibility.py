"""Whether a worker fits a programme: domicile, decile, occupation, branch and date."""

from __future__ import annotations

from ledger.enrolment import EnrolmentRequest
from ledger.errors import InvalidInputError, NotEligibleError
from ledger.identity import mask_nik
from ledger.programme import Programme
from ledger.regions import REGIONS, is_valid_district_code, is_valid_village_code


def require_eligible(programme: Programme, request: EnrolmentRequest) -> None:
    """Refuse, naming the rule in words, a worker the programme does not cover."""
    request.validate_form()
    who = f"NIK {mask_nik(request.nik)}"
    if not programme.pays_contributions:
        raise NotEligibleError(
            f"programme {programme.code} pays no JKK/JKM contributions; workers are not "
            "enrolled in it",
            field="programme",
        )
    if request.region != programme.funder_region:
        raise NotEligibleError(
            f"{who} lives in region {request.region}, but programme {programme.code} covers "
            f"residents of {programme.funder_region} only",
            field="region",
        )
    _require_address(request)
    low, high = programme.deciles
    if not low <= request.decile <= high:
        raise NotEligibleError(
            f"{who} is in welfare decile {request.decile}; programme {programme.code} covers "
            f"deciles {low}-{high}",
            field="decile",
        )
    if programme.occupations and request.occupation not in programme.occupations:
        raise NotEligibleError(
            f"occupation '{request.occupation}' is not on the list of programme "
            f"{programme.code} ({', '.join(programme.occupations)})",
            field="occupation",
        )
    if programme.branches and request.branch not in programme.branches:
        raise NotEligibleError(
            f"branch '{request.branch}' does not serve programme {programme.code} "
            f"({', '.join(programme.branches)})",
            field="branch",
        )
    if not programme.period_start <= request.enrolled_on <= programme.period_end:
        raise NotEligibleError(
            f"enrolment date {request.enrolled_on.isoformat()} is outside the programme's "
            f"period {programme.period_start.isoformat()} to {programme.period_end.isoformat()}",
            field="enrolled_on",
        )


def _require_address(request: EnrolmentRequest) -> None:
    if not is_valid_district_code(request.district) or not request.district.startswith(
        request.region + "."
    ):
        raise InvalidInputError(
            f"district code '{request.district}' is not a district of region {request.region}",
            field="district",
        )
    known = REGIONS.get(request.region)
    if known is not None and known.districts and request.district not in known.districts:
        raise InvalidInputError(
            f"district code '{request.district}' is not one of the districts of {known.name}",
            field="district",
        )
    if not is_valid_village_code(request.village) or not request.village.startswith(
        request.district + "."
    ):
        raise InvalidInputError(
            f"village code '{request.village}' is not a village of district {request.district}",
            field="village",
        )
