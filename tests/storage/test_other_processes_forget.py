"""An erasure made by one service instance reaches another running on the same store without a
restart, on SQLite and PostgreSQL: once the other's key cache looks again (every
``RECHECK_SECONDS``, on any read of an aggregate) and finds a key it held destroyed, it clears
its aggregate cache and the read side's kept answers, and reads "[dihapus]" where it had the
name in clear."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID

import pytest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.incident import IncidentKind
from projections import kept
from scenario import APPROVER, CLERK, FINANCE, covered_member, heir, tangerang_terms
from storage import key_cache
from storage.log_index import open_ledger
from storage.settings import StoreSettings

BASIS = "UU 27/2022 pasal 8; permohonan no. PDP/2026/014"


@pytest.fixture
def other(ledger: Ledger, store_settings: StoreSettings) -> Iterator[Ledger]:
    """A second service instance on the same store, with a key cache of its own, as another
    process (an API worker) has."""
    name = (store_settings.describe(), store_settings.env.get("POSTGRES_SCHEMA", ""))
    key_cache._CACHES.pop(name, None)
    worker = open_ledger(store_settings)
    assert worker.personal.cache is not ledger.personal.cache  # type: ignore[attr-defined]
    yield worker
    worker.close()
    key_cache._CACHES.pop(name, None)


def test_another_instance_forgets_what_it_decoded_once_it_sees_the_erasure(
    ledger: Ledger, other: Ledger, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ledger.open_programme(tangerang_terms(retention_years=1), actor="admin")
    member = covered_member(ledger)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk",
                                      "died", work_related=False, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKM_DEATH, heir(), date(2025, 9, 10), CLERK)
    ledger.approve_claim(claim.id, date(2025, 9, 11), APPROVER)
    ledger.disburse(claim.id, "TRF-1", 42_000_000, date(2025, 9, 12), FINANCE)
    # The other instance reads (and caches) the member and the claim, names in clear.
    assert other.enrolment(member.id).name == member.name
    assert other.claim(claim.id).claimant["name"] == heir().name

    ledger.erase_person(member.nik, BASIS, "asked in writing", actor="admin.ayu")
    ledger.erase_person(heir().nik, BASIS, "asked in writing", actor="admin.ayu")
    assert ledger.enrolment(member.id).name == "[dihapus]"  # the erasing instance at once
    # Within the interval the other has not looked yet (at most RECHECK_SECONDS) ...
    assert other.enrolment(member.id).name == member.name
    kept._keep(("an answer computed before the erasure was seen",), lambda: member.name)
    assert len(kept._KEPT) > 0

    # ... once it looks (the interval passed), the next read forgets, no restart needed.
    monkeypatch.setattr(key_cache, "RECHECK_SECONDS", 0.0)
    assert other.enrolment(member.id).name == "[dihapus]"
    assert other.claim(claim.id).claimant["name"] == "[dihapus]"
    assert other.claim(claim.id).claimant["account_number"] == "[dihapus]"
    assert other.claim(claim.id).entitlement == 42_000_000  # figures are kept
    assert len(kept._KEPT) == 0  # the kept answers went with it
    cache = other.personal.cache  # type: ignore[attr-defined]
    person = UUID(str(member.person_id))
    assert cache.get_many([person]) == {person: None}
    assert cache.forgotten == 1


def test_an_instance_that_never_held_the_key_has_nothing_to_forget(
    ledger: Ledger, other: Ledger, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ledger.open_programme(tangerang_terms(retention_years=1), actor="admin")
    member = covered_member(ledger)
    ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 9, 2), "Periuk", "died",
                           work_related=False, actor=CLERK)
    programme = other.programme("TNG-2025")  # no personal field read: no key held
    ledger.erase_person(member.nik, BASIS, "asked in writing", actor="admin.ayu")
    monkeypatch.setattr(key_cache, "RECHECK_SECONDS", 0.0)
    assert other.programme("TNG-2025").id == programme.id
    assert other.enrolment(member.id).name == "[dihapus]"
    assert other.personal.cache.forgotten == 0  # type: ignore[attr-defined]
