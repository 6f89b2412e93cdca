"""Numbers past the ledger's bounds are refused at the edge (422, the bound in words), nothing is
recorded, and the OpenAPI document states every bound."""

from __future__ import annotations

from typing import Any

import pytest
from http_bodies import programme
from http_client import Api

from ledger.limits import (
    LAST_FISCAL_YEAR,
    MAX_GRACE_MONTHS,
    MAX_INCAPACITY_MONTHS,
    MAX_MEMBERS,
    MAX_PROGRAMME_MONTHS,
    MAX_RATE,
    MAX_RUPIAH,
    MAX_WAGE_BAND,
)
from projections.runner import Projector

TEN_TO_THE_32 = 99999999999999999999999999999999


def _log_size(api: Api) -> int:
    return int(api.app.extensions["claims_ledger"].recorder.max_notification_id() or 0)


def test_the_ten_to_the_32_ceiling_of_the_issue_is_422_and_records_nothing(api: Api) -> None:
    before = _log_size(api)
    answer = api.post("/api/v1/programs", "admin", programme(budget_ceiling=TEN_TO_THE_32))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.json["errors"]["budget_ceiling"] == [
        "the budget ceiling can be at most Rp1.000.000.000.000.000"]
    assert _log_size(api) == before
    assert api.get("/api/v1/programs/TNG-2025").status_code == 404
    # the same ceiling written as a JSON float is refused too (money is whole rupiah)
    answer = api.client.post("/api/v1/programs", data=str.encode(
        '{"budget_ceiling": 1e32}'), headers=api.auth("admin", **{
            "Content-Type": "application/json"}))
    assert answer.status_code == 422
    assert _log_size(api) == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"wage_band": MAX_WAGE_BAND + 1}, "wage_band", "the wage band can be at most"),
        ({"months": MAX_PROGRAMME_MONTHS + 1}, "months", "between 1 and 60"),
        ({"grace_months": MAX_GRACE_MONTHS + 1}, "grace_months", "between 0 and 24"),
        ({"planned_members": MAX_MEMBERS + 1}, "planned_members", "between 0 and 300.000.000"),
        ({"rates": [{"cover": "JKK", "valid_from": "2025-01-01", "amount": MAX_RATE + 1},
                    {"cover": "JKM", "valid_from": "2025-01-01", "amount": 6_800}]},
         "rates.0.amount", "a contribution rate can be at most Rp10.000.000"),
    ],
)
def test_programme_figures_past_their_bounds_are_422_naming_the_field(
    api: Api, change: dict[str, Any], field: str, message: str
) -> None:
    before = _log_size(api)
    answer = api.post("/api/v1/programs", "admin", programme(**change))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert any(message in text for text in answer.json["errors"][field])
    assert _log_size(api) == before


def test_the_largest_ceiling_is_accepted_and_then_projected(api: Api) -> None:
    answer = api.post("/api/v1/programs", "admin", programme(budget_ceiling=MAX_RUPIAH))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    projector = Projector(api.app.extensions["claims_ledger"])
    try:
        projector.catch_up()  # the worker's job on PostgreSQL
    finally:
        projector.close()
    budget = api.get("/api/v1/budget?program=TNG-2025")
    assert budget.status_code == 200, budget.get_data(as_text=True)
    assert budget.json["budgets"][0]["ceiling"] == MAX_RUPIAH


def test_a_budget_revision_rate_payment_and_payout_past_the_bound_are_422(api: Api) -> None:
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    before = _log_size(api)
    for path, role, body, field in [
        ("/api/v1/programs/TNG-2025/budget-revisions", "admin",
         {"ceiling": TEN_TO_THE_32, "dpa_reference": "DPA-P", "reason": "APBD-P"}, "ceiling"),
        ("/api/v1/programs/TNG-2025/rates", "admin",
         {"cover": "JKK", "valid_from": "2025-06-01", "amount": TEN_TO_THE_32}, "amount"),
        ("/api/v1/contributions", "finance",
         {"program": "TNG-2025", "sp2d": "SP2D/1", "paid_on": "2025-04-01",
          "months": ["2025-03"], "member_ids": ["0" * 8 + "-0000-0000-0000-" + "0" * 12],
          "amount": TEN_TO_THE_32}, "amount"),
        ("/api/v1/claims/" + "0" * 8 + "-0000-0000-0000-" + "0" * 12 + "/disbursements",
         "finance", {"reference": "TRF/1", "amount": TEN_TO_THE_32, "paid_on": "2025-06-01"},
         "amount"),
    ]:
        answer = api.post(path, role, body)
        assert answer.status_code == 422, (path, answer.get_data(as_text=True))
        assert any("can be at most Rp" in text for text in answer.json["errors"][field])
    assert _log_size(api) == before


def test_the_openapi_document_states_every_bound(api: Api) -> None:
    schemas = api.client.get("/api/v1/openapi.json").json["components"]["schemas"]
    programme_in = schemas["ProgrammeIn"]["properties"]
    assert programme_in["budget_ceiling"]["maximum"] == MAX_RUPIAH
    assert programme_in["budget_ceiling"]["minimum"] == 0
    assert programme_in["wage_band"]["maximum"] == MAX_WAGE_BAND
    assert programme_in["months"]["maximum"] == MAX_PROGRAMME_MONTHS
    assert programme_in["grace_months"]["maximum"] == MAX_GRACE_MONTHS
    assert programme_in["planned_members"]["maximum"] == MAX_MEMBERS
    assert programme_in["fiscal_year"]["maximum"] == LAST_FISCAL_YEAR
    assert schemas["RateIn"]["properties"]["amount"]["maximum"] == MAX_RATE
    assert schemas["BudgetRevisionIn"]["properties"]["ceiling"]["maximum"] == MAX_RUPIAH
    assert schemas["PaymentIn"]["properties"]["amount"]["maximum"] == MAX_RUPIAH
    assert schemas["DisburseIn"]["properties"]["amount"]["maximum"] == MAX_RUPIAH
    claim_in = schemas["ClaimIn"]["properties"]["incapacity_months"]
    assert claim_in["maximum"] == MAX_INCAPACITY_MONTHS
