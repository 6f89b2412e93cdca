"""The audit feed's bundles on both stores: the same bytes for one cut-off (also once more
events are recorded), every event's proof checks against the co-signed checkpoint, a policy's
quorum decides, a resumed export is exactly the tail, a tampered line is named by its position,
a programme's months share no event and make up its year, the figures are the views', and a
journal rebuilt over an edited event gets no bundle signed, and a store encrypted at rest gives
its states as base64 and its data read with the key."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from audit_feed_story import FIRST_PAYMENT, JKM_DEATH, TEAM, Story, record_story

from ledger.application import Ledger
from ledger.journal.bundle import Period
from ledger.journal.bundle_check import check_bundle
from ledger.journal.checkpoint import new_private_key
from ledger.journal.policy import parse_policy
from ledger.journal.tlog import log_signer
from projections.audit_feed import AuditBundle, choose_cut
from projections.journal import Journal
from projections.runner import Projector
from projections.witnessing import JournalForkError, Witnessing
from storage.log_index import open_ledger
from storage.settings import ConfiguredWitness, StoreSettings
from storage.store import postgres_connect_args
from witness.app import make_server
from witness.core import Witness, WitnessConfig, witness_key

ORIGIN = "jamsos.tangerangkota.go.id/ledger"


@pytest.fixture
def signing_key() -> str:
    return new_private_key()


@pytest.fixture
def story(ledger: Ledger) -> Story:
    return record_story(ledger)


def export(ledger: Ledger, signing_key: str | None, program: str, period: str,
           cut_off: int | None = None, from_position: int | None = None) -> list[bytes]:
    projector = Projector(ledger)
    try:
        projector.catch_up()
        witnessing = Witnessing(Journal(ledger, projector.connection, projector.live), ORIGIN)
        cut = choose_cut(ledger, witnessing, cut_off, signing_key)
        return list(AuditBundle(ledger, cut, program, Period.parse(period), ORIGIN)
                    .lines(from_position))
    finally:
        projector.close()


def events(lines: list[bytes]) -> list[dict[str, object]]:
    return [found for found in map(json.loads, lines) if found["type"] == "event"]


@pytest.fixture
def bpk(tmp_path: Path, signing_key: str) -> Iterator[ConfiguredWitness]:
    """BPK's witness on loopback, with its own key and state file."""
    key = witness_key("bpk.go.id/witness")
    log = log_signer(signing_key, ORIGIN).verifier()
    server = make_server(Witness(WitnessConfig(key, {ORIGIN: [log]}, tmp_path / "bpk.json")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield ConfiguredWitness("bpk", f"http://127.0.0.1:{server.port}", key.verifier().to_text())
    server.shutdown()
    server.server_close()


def co_sign(ledger: Ledger, signing_key: str, witness: ConfiguredWitness) -> int:
    """The journal's head signed and co-signed by ``witness``; its size."""
    projector = Projector(ledger)
    try:
        projector.catch_up()
        service = Witnessing(Journal(ledger, projector.connection, projector.live), ORIGIN)
        checkpoint = service.checkpoint(signing_key)
        [outcome] = service.ask([witness], checkpoint)
        assert outcome.ok, outcome.message
        return checkpoint.body.size
    finally:
        projector.close()


def test_two_exports_at_one_cut_off_give_the_same_bytes_also_after_more_events(
    story: Story, signing_key: str,
) -> None:
    first = export(story.ledger, signing_key, "TNG-2025", "2025")
    cut_off = json.loads(first[0])["cut_off"]
    assert first == export(story.ledger, signing_key, "TNG-2025", "2025", cut_off)
    story.pay_the_living()
    again = export(story.ledger, signing_key, "TNG-2025", "2025", cut_off)
    assert again == first
    later = export(story.ledger, signing_key, "TNG-2025", "2025",
                   int(story.ledger.recorder.max_notification_id() or 0))
    assert len(events(later)) > len(events(first))
    assert check_bundle(first).ok and check_bundle(later).ok


def test_every_event_of_the_bundle_is_proved_in_the_co_signed_checkpoint_and_the_quorum_holds(
    story: Story, signing_key: str, bpk: ConfiguredWitness,
) -> None:
    size = co_sign(story.ledger, signing_key, bpk)
    story.pay_the_living()  # recorded after the co-signed checkpoint: not in the bundle
    lines = export(story.ledger, signing_key, "TNG-2025", "2025")  # the default cut-off
    header, checkpoint = json.loads(lines[0]), json.loads(lines[8])
    assert header["tree_size"] == checkpoint["tree_size"] == size
    assert checkpoint["signed_by"] == [ORIGIN, "bpk.go.id/witness"]
    log = log_signer(signing_key, ORIGIN).verifier().to_text()
    met = parse_policy(f"log {log}\nwitness bpk {bpk.key}\nquorum bpk\n")
    report = check_bundle(lines, met)
    assert report.ok, report.problems
    assert report.events == len(events(lines)) > 0
    assert all(e["position"] <= header["cut_off"] for e in events(lines))
    assert "co-signed by bpk; the quorum 'bpk' holds" in report.checkpoint

    dprd = witness_key("dprd.go.id/witness").verifier().to_text()
    both = parse_policy(f"log {log}\nwitness bpk {bpk.key}\nwitness dprd {dprd}\n"
                        "group both all bpk dprd\nquorum both\n")
    refused = check_bundle(lines, both)
    assert not refused.ok
    assert refused.problems == [
        "line 9, the checkpoint does not meet the policy: jamsos.tangerangkota.go.id/ledger at "
        f"size {size}: co-signed by bpk; the quorum 'both' does not hold"]


def test_a_bundle_resumed_from_a_position_is_exactly_the_tail_of_the_whole_bundle(
    story: Story, signing_key: str,
) -> None:
    whole = export(story.ledger, signing_key, "TNG-2025", "2025")
    cut_off = json.loads(whole[0])["cut_off"]
    payment = next(e for e in events(whole) if str(e["topic"]).endswith("Contribution.Paid"))
    position = int(str(payment["position"]))
    tail = export(story.ledger, signing_key, "TNG-2025", "2025", cut_off, position)
    assert json.loads(tail[0])["position"] == position
    assert b"".join(tail) == b"".join(whole)[-len(b"".join(tail)):]
    assert whole[-len(tail):] == tail
    # A position between the programme's events resumes at the next one.
    assert export(story.ledger, signing_key, "TNG-2025", "2025", cut_off, position - 1)[0] \
        in whole


def test_a_tampered_line_fails_the_check_naming_its_line_and_position(
    story: Story, signing_key: str,
) -> None:
    lines = export(story.ledger, signing_key, "TNG-2025", "2025")
    index, payment = next((i, json.loads(line)) for i, line in enumerate(lines)
                          if b"Contribution.Paid" in line)
    position = payment["position"]
    assert payment["data"]["amount"] == FIRST_PAYMENT

    edited_data = dict(payment, data={**payment["data"], "amount": FIRST_PAYMENT * 10})
    report = check_bundle([*lines[:index], _line(edited_data), *lines[index + 1:]])
    assert not report.ok
    assert report.problems[0] == (f"line {index + 1}, the event at position {position}: its "
                                  "data differ from its stored state")

    state = str(payment["state"]).replace(f'"amount":{FIRST_PAYMENT}',
                                          f'"amount":{FIRST_PAYMENT * 10}')
    edited_state = dict(payment, state=state, data={**payment["data"],
                                                    "amount": FIRST_PAYMENT * 10})
    report = check_bundle([*lines[:index], _line(edited_state), *lines[index + 1:]])
    assert report.problems[0] == (
        f"line {index + 1}, the event at position {position}: its state does not give its leaf "
        "hash (the event differs from the one the ledger journaled)")

    report = check_bundle([*lines[:index], *lines[index + 1:]])
    assert report.problems == [
        f"line {len(lines) - 1}, the trailer: it counts {len(lines) - 1} lines and "
        f"{len(events(lines))} events, the bundle has {len(lines) - 2} and "
        f"{len(events(lines)) - 1} (lines were added or removed)",
        f"line {len(lines) - 1}, the trailer: the SHA-256 of the lines before it differs (a "
        "line was changed, added or removed)"]
    assert check_bundle(lines[:-1]).problems == [
        "the bundle ends without its trailer line: it was cut short"]


def _line(value: dict[str, object]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode() + b"\n"


def test_a_programmes_months_share_no_event_and_together_are_its_year(
    story: Story, signing_key: str,
) -> None:
    year = events(export(story.ledger, signing_key, "TNG-2025", "2025"))
    cut_off = json.loads(export(story.ledger, signing_key, "TNG-2025", "2025")[0])["cut_off"]
    months = [events(export(story.ledger, signing_key, "TNG-2025", m, cut_off))
              for m in Period.parse("2025").months()]
    assert [e for month in months for e in month] == year
    january, march = months[0], months[2]
    assert [e["topic"] for e in january] == ["ledger.programme:Programme.Opened"]
    assert january[0]["data"]["code"] == "TNG-2025"  # not the death-grant programme's opening
    # March: each member's person registered, coverage started, enrolled.
    assert sorted({str(e["topic"]).rsplit(".", 1)[-1] for e in march}) == [
        "CoverageStarted", "Enrolled", "Registered"]
    assert sum(str(e["topic"]).endswith("Enrolment.Enrolled") for e in march) == TEAM
    for month in months:
        assert all(str(e["recorded_at"]).startswith("2025-") for e in month)


def test_the_figures_are_the_programmes_read_models_at_the_cut_off(
    story: Story, signing_key: str,
) -> None:
    lines = [json.loads(line) for line in export(story.ledger, signing_key, "TNG-2025", "2025")]
    figures = {line["figure"]: line for line in lines if line["type"] == "figures"}
    assert figures["budget"]["paid"] == FIRST_PAYMENT
    assert figures["budget"]["ceiling"] == TEAM * 16_800 * 10
    assert figures["coverage"]["members"] == TEAM
    assert figures["coverage"]["by_status"] == {"active": TEAM - 1, "deceased": 1}
    assert figures["coverage"]["identity"] == {"matched": TEAM}
    assert figures["claims"]["benefits"]["jkm_death"]["disbursed"] == JKM_DEATH
    assert figures["claims"]["totals"]["outstanding"] == 0
    dictionary = {line["line_type"]: line["fields"] for line in lines
                  if line["type"] == "dictionary"}
    for line in lines:
        described = dictionary[line["type"]]
        assert set(line) <= set(described), line["type"]
        if line["type"] == "event":
            assert set(line["data"]) <= set(dictionary["event.data"]), line["topic"]


def test_a_journal_rebuilt_over_an_edited_event_gets_no_bundle_signed(
    story: Story, signing_key: str, bpk: ConfiguredWitness, store_settings: StoreSettings,
) -> None:
    size = co_sign(story.ledger, signing_key, bpk)
    _edit_event(store_settings, story.ledger.events_table, position=5)  # an enrolment
    projector = Projector(story.ledger)
    projector.rebuild()
    projector.close()
    with pytest.raises(JournalForkError, match=f"the co-signed checkpoint of {size} events has "
                       "another root than the journal now"):
        export(story.ledger, signing_key, "TNG-2025", "2025")
    with pytest.raises(JournalForkError, match=f"no longer matches the checkpoint of {size} "
                       "events signed before"):
        export(story.ledger, signing_key, "TNG-2025", "2025", cut_off=size - 1)


def _edit_event(settings: StoreSettings, table: str, position: int) -> None:
    """A database superuser's edit of one stored event (the append-only guard off first);
    a space after its JSON keeps it readable while its bytes differ."""
    if settings.is_postgres:
        qualified = f'"{settings.env["POSTGRES_SCHEMA"]}".{table}'
        with psycopg.connect(**postgres_connect_args(settings), autocommit=True) as connection:
            connection.execute(f"ALTER TABLE {qualified} DISABLE TRIGGER USER")
            connection.execute(f"UPDATE {qualified} SET state = state || ' '::bytea "
                               f"WHERE notification_id = {position}")
        return
    connection = sqlite3.connect(settings.env["SQLITE_DBNAME"])
    with connection:
        connection.execute("DROP TRIGGER IF EXISTS ledger_append_only_update")
        connection.execute(f"UPDATE {table} SET state = CAST(CAST(state AS TEXT) || ' ' AS BLOB)"
                           f" WHERE rowid = {position}")
    connection.close()


def test_a_sealed_events_state_is_given_as_stored_and_the_proofs_hold_over_its_ciphertext(
    store_settings: StoreSettings, signing_key: str,
) -> None:
    ledger = open_ledger(store_settings)
    try:
        nik = record_story(ledger).members[0].nik
        lines = export(ledger, signing_key, "TNG-2025", "2025")
    finally:
        ledger.close()
    found = events(lines)
    enrolled = [e for e in found if str(e["topic"]).endswith("Enrolment.Enrolled")]
    assert enrolled and all(e["state_encoding"] != "base64" for e in enrolled)
    assert all('"_sealed"' in str(e["state"]) and nik not in str(e["state"]) for e in enrolled)
    payment = next(e for e in found if str(e["topic"]).endswith("Contribution.Paid"))
    assert payment["data"]["amount"] == FIRST_PAYMENT  # type: ignore[index]
    assert str(payment["recorded_at"]).startswith("2025-04-10T")
    report = check_bundle(lines)  # leaves and proofs from the stored bytes, as journaled
    assert report.ok, report.problems
