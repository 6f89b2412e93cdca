"""JSON bodies for the API tests, built from the same figures as the ledger tests."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from scenario import factory, heir


def programme(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "TNG-2025", "name": "Perlindungan Pekerja Rentan 2025",
        "funder_name": "Pemerintah Kota Tangerang", "funder_region": "36.71",
        "funding_source": "APBD", "fiscal_year": 2025, "covers": ["JKK", "JKM"],
        "budget_ceiling": 999_936_000, "dpa_reference": "DPA-DINSOS-2025",
        "first_month": "2025-03", "months": 10,
        "rates": [{"cover": "JKK", "valid_from": "2025-01-01", "amount": 10_000},
                  {"cover": "JKM", "valid_from": "2025-01-01", "amount": 6_800}],
        "branches": ["Cimone"], "deciles": [1, 4],
        "occupations": ["ojek", "juru_parkir", "pedagang_kaki_lima", "buruh_harian_lepas",
                        "pemulung"],
        "planned_members": 5952, "opened_on": "2025-03-24",
    }
    body.update(overrides)
    return body


def grant_programme() -> dict[str, Any]:
    return programme(code="TNG-SANTUNAN-2025", name="Santunan Kematian 2025",
                     funding_source="BTT", covers=["CITY_GRANT"], budget_ceiling=294_000_000,
                     dpa_reference="BTT-2025", first_month="2025-01", months=12, rates=[],
                     deciles=[1, 5], planned_members=98)


def enrolment(seed: int = 7, **overrides: Any) -> dict[str, Any]:
    worker = asdict(factory(seed).worker(date(2025, 3, 24)))
    body = {key: (value.isoformat() if isinstance(value, date) else value)
            for key, value in worker.items()}
    body["program"] = "TNG-2025"
    body.update(overrides)
    return body


def claimant(relationship: str = "spouse") -> dict[str, Any]:
    return {key: value for key, value in asdict(heir(relationship)).items()}
