"""Personal fields sealed per data subject, on SQLite and PostgreSQL: the events table holds no
byte of a worker's or an heir's NIK, name, KK or account; the fields come back as they went in;
the journal's leaf commits to the ciphertext; a destroyed key reads "[dihapus]"; and the
one-coverage rule holds for 20 enrolments racing on one new NIK."""

from __future__ import annotations

import hashlib
import threading
from datetime import date
from uuid import UUID

import pytest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.errors import AlreadyCoveredError, ConflictError
from ledger.incident import IncidentKind
from ledger.journal.checkpoint import LEAF_DOMAIN, leaf_of
from ledger.personal_fields import ERASED
from storage.log_index import open_ledger
from storage.personal import SqlPersonalData
from storage.settings import StoreSettings
from tests.scenario import CLERK, covered_member, heir, tangerang_terms, worker


def _stored_bytes(ledger: Ledger) -> bytes:
    table = ledger.qualified_events_table
    with ledger.recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        cursor.execute(f"SELECT topic, state FROM {table}")
        return b"\n".join(bytes(row["state"]) for row in cursor.fetchall())


def _death_with_heir(ledger: Ledger) -> tuple[str, str]:
    member = covered_member(ledger)
    ledger.record_kpj(member.id, "25012345678", actor=CLERK)
    incident = ledger.report_incident(member.id, IncidentKind.DEATH, date(2025, 7, 2), "Periuk",
                                      "sakit", False, actor=CLERK)
    claim = ledger.file_claim(incident.id, Benefit.JKM_DEATH, heir(), date(2025, 8, 25),
                              actor=CLERK)
    return str(member.id), str(claim.id)


def test_no_byte_of_a_workers_or_heirs_personal_numbers_or_names_is_stored_in_the_events(
        ledger: Ledger) -> None:
    member_id, _ = _death_with_heir(ledger)
    member = ledger.enrolment(member_id)
    claimant = heir()
    stored = _stored_bytes(ledger)
    for personal in (member.nik, member.name, member.kk, "25012345678", claimant.nik,
                     claimant.name, claimant.account_number, claimant.heir_certificate):
        assert personal.encode() not in stored, personal
    # What a rule or a figure needs stays in clear.
    assert b"TNG-2025" in stored and b"jkm_death" in stored and member_id.encode() in stored


def test_sealed_fields_come_back_as_they_went_in(ledger: Ledger) -> None:
    member_id, claim_id = _death_with_heir(ledger)
    expected = worker()
    member = ledger.enrolment(member_id)
    assert (member.nik, member.name, member.kk) == (expected.nik.strip(), expected.name.strip(),
                                                    expected.kk.strip())
    assert member.kpj == "25012345678"
    claim = ledger.claim(claim_id)
    assert claim.subject_nik == member.nik
    assert {k: claim.claimant[k] for k in ("nik", "name", "account_number", "bank")} == {
        "nik": heir().nik, "name": heir().name, "account_number": "0012345678",
        "bank": "Bank BJB"}
    assert claim.claimant["subject_id"] == str(ledger.personal.subject_of(heir().nik))
    assert member.person_id == str(ledger.personal.subject_of(member.nik))
    # A fresh ledger (no cache of this process's aggregates) reads them alike.
    other = open_ledger(ledger.settings)  # type: ignore[arg-type]
    try:
        assert other.enrolment(member_id).name == member.name
        assert other.claim(claim_id).claimant["account_name"] == heir().account_name
    finally:
        other.close()


def test_the_leaf_of_a_sealed_event_is_the_hash_of_its_stored_ciphertext(
        ledger: Ledger) -> None:
    member_id, _ = _death_with_heir(ledger)
    notifications = ledger.recorder.select_notifications(start=1, limit=100)
    enrolled = next(n for n in notifications if n.topic.endswith("Enrolment.Enrolled"))
    assert b'"_sealed"' in enrolled.state and b'"nik":"' not in enrolled.state
    decoded = ledger.mapper.to_domain_event(enrolled)
    assert decoded.nik == ledger.enrolment(member_id).nik  # type: ignore[attr-defined]
    head = (f"{enrolled.id}\x00{enrolled.originator_id}\x00{enrolled.originator_version}\x00"
            f"{enrolled.topic}\x00").encode()
    assert leaf_of(enrolled.id, enrolled.originator_id, enrolled.originator_version,
                   enrolled.topic, enrolled.state) == hashlib.sha256(
        LEAF_DOMAIN + head + enrolled.state).digest()


def test_a_destroyed_key_reads_dihapus_and_a_birth_date_none(ledger: Ledger) -> None:
    member_id, claim_id = _death_with_heir(ledger)
    member = ledger.enrolment(member_id)
    personal = ledger.personal
    assert isinstance(personal, SqlPersonalData)
    personal.erase(UUID(heir_subject := str(personal.subject_of(heir().nik))), heir().nik)
    other = open_ledger(ledger.settings)  # type: ignore[arg-type]
    try:
        claim = other.claim(claim_id)
        assert claim.claimant["name"] == ERASED and claim.claimant["nik"] == ERASED
        assert claim.claimant["account_number"] == ERASED
        assert claim.claimant["subject_id"] == heir_subject
        assert claim.claimant["bank"] == "Bank BJB"  # not personal: kept
        assert claim.subject_nik == member.nik  # the member's own key is intact
        assert claim.entitlement == ledger.claim(claim_id).entitlement
    finally:
        other.close()


def test_twenty_racing_enrolments_of_one_new_nik_let_exactly_one_through(
        store_settings: StoreSettings) -> None:
    setup = open_ledger(store_settings)
    setup.open_programme(tangerang_terms(), actor="admin")
    setup.close()
    ledgers = [open_ledger(store_settings) for _ in range(4)]
    outcomes: list[str] = []
    start = threading.Barrier(20)
    request = worker(seed=31)

    def enrol(ledger: Ledger) -> None:
        start.wait()
        try:
            ledger.enrol("TNG-2025", request, actor=CLERK)
            outcomes.append("enrolled")
        except AlreadyCoveredError:
            outcomes.append("already covered")
        except ConflictError:
            outcomes.append("conflict")

    try:
        racers = [threading.Thread(target=enrol, args=(ledgers[i % 4],)) for i in range(20)]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join()
        assert outcomes.count("enrolled") == 1, outcomes
        assert len(outcomes) == 20
        person = ledgers[0].person(request.nik)
        assert person is not None and len(person.enrolment_ids) == 1
    finally:
        for ledger in ledgers:
            ledger.close()


@pytest.mark.parametrize("nik", ["3671011507900001"])
def test_the_person_id_is_not_derived_from_the_nik(tmp_path_factory: pytest.TempPathFactory,
                                                   nik: str) -> None:
    from storage.settings import settings_from_url
    from storage.store import init_store

    ids = []
    for name in ("a", "b"):
        settings = settings_from_url(f"sqlite:///{tmp_path_factory.mktemp(name) / 'l.sqlite'}")
        init_store(settings)
        ledger = open_ledger(settings)
        try:
            ids.append(ledger.personal.subject_for(nik))
        finally:
            ledger.close()
    assert ids[0] != ids[1]


def test_a_claimants_account_and_a_members_family_keep_a_keyed_pseudonym_through_an_erasure(
        ledger: Ledger) -> None:
    member_id, claim_id = _death_with_heir(ledger)
    personal = ledger.personal
    assert isinstance(personal, SqlPersonalData)
    claim, member = ledger.claim(claim_id), ledger.enrolment(member_id)
    account_key = claim.claimant["account_key"]
    assert account_key == personal.keyed(f"{heir().bank} {heir().account_number}")[:32]
    assert heir().account_number not in account_key
    [enrolled] = ledger.recorder.select_notifications(
        start=1, limit=100, topics=["ledger.enrolment:Enrolment.Enrolled"])
    assert vars(ledger.mapper.to_domain_event(enrolled))["kk_key"] == personal.keyed(
        member.kk)[:32]
    personal.erase(personal.subject_of(heir().nik) or UUID(int=0), heir().nik)
    other = open_ledger(ledger.settings)  # type: ignore[arg-type]
    try:
        erased = other.claim(claim_id)
        assert erased.claimant["account_number"] == ERASED
        assert erased.claimant["account_key"] == account_key  # the finding's figure survives
    finally:
        other.close()


def test_a_mapper_that_unsealed_an_event_reads_it_erased_once_the_key_is_destroyed(
        ledger: Ledger) -> None:
    _, claim_id = _death_with_heir(ledger)
    personal = ledger.personal
    assert isinstance(personal, SqlPersonalData)
    filed = ledger.recorder.select_events(UUID(claim_id))[0]
    before = ledger.mapper.to_domain_event(filed)
    assert before.claimant["nik"] == heir().nik  # type: ignore[attr-defined]
    personal.erase(UUID(str(personal.subject_of(heir().nik))), heir().nik)
    after = ledger.mapper.to_domain_event(filed)  # the same mapper, its ciphers held
    assert after.claimant["nik"] == ERASED  # type: ignore[attr-defined]
    assert after.claimant["name"] == ERASED  # type: ignore[attr-defined]
