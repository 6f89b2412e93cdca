"""The journal: verify passes on the untouched log and names the position of every tampering,
even by someone who bypassed the append-only trigger; proofs check without a database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, replace

import psycopg
import pytest

from ledger.application import Ledger
from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
from ledger.journal.verify_proof import check_inclusion
from projections.journal import Journal
from projections.runner import Projector
from scenario import covered_member
from storage.settings import StoreSettings
from storage.store import postgres_connect_args


@dataclass
class Signed:
    ledger: Ledger
    projector: Projector
    journal: Journal
    key: str
    public: str
    settings: StoreSettings

    def positions(self) -> list[int]:
        return [p for p, _ in self.journal.leaves()]


@pytest.fixture
def signed(ledger: Ledger, store_settings: StoreSettings) -> Iterator[Signed]:
    """A small ledger, journaled and checkpointed with a fresh key."""
    for seed in (1, 2, 3):
        covered_member(ledger, seed=seed)
    projector = Projector(ledger)
    projector.catch_up()
    journal = Journal(ledger, projector.connection, projector.live)
    key = new_private_key()
    journal.checkpoint(key)
    yield Signed(ledger, projector, journal, key, public_key_text(private_key(key)),
                 store_settings)
    projector.close()


def _as_superuser(settings: StoreSettings, table: str, statements: list[str]) -> None:
    """Tamper with the stored rows the way a database superuser could: trigger off first."""
    if settings.is_postgres:
        schema = settings.env["POSTGRES_SCHEMA"]
        qualified = f'"{schema}".{table}'
        with psycopg.connect(**postgres_connect_args(settings), autocommit=True) as connection:
            connection.execute(f"ALTER TABLE {qualified} DISABLE TRIGGER USER")
            for statement in statements:
                connection.execute(statement.format(t=qualified, id="notification_id"))
        return
    connection = sqlite3.connect(settings.env["SQLITE_DBNAME"])
    try:
        with connection:
            for verb in ("update", "delete"):
                connection.execute(f"DROP TRIGGER IF EXISTS ledger_append_only_{verb}")
            for statement in statements:
                connection.execute(statement.format(t=table, id="rowid"))
    finally:
        connection.close()


def test_verify_passes_on_the_untouched_log(signed: Signed) -> None:
    report = signed.journal.verify(signed.public)
    assert report.ok and report.events == signed.journal.head().size
    assert report.root == signed.journal.head().root and report.checkpoints == 1


TAMPERING: dict[str, tuple[Callable[[list[int]], list[str]], Callable[[list[int]], int], str]] = {
    "edit": (lambda p: [f"UPDATE {{t}} SET state = state || 'x' WHERE {{id}} = {p[10]}"],
             lambda p: p[10], "edited"),
    "delete": (lambda p: [f"DELETE FROM {{t}} WHERE {{id}} = {p[10]}"],
               lambda p: p[10], "missing"),
    "swap": (lambda p: [
        f"UPDATE {{t}} SET topic = 'x' || topic WHERE {{id}} = {p[10]}",
        f"UPDATE {{t}} SET topic = substr(topic, 2) WHERE {{id}} = {p[10]}",
        f"UPDATE {{t}} SET state = (SELECT state FROM {{t}} WHERE {{id}} = {p[11]})"
        f" WHERE {{id}} = {p[10]}"], lambda p: p[10], "edited"),
    "truncate": (lambda p: [f"DELETE FROM {{t}} WHERE {{id}} > {p[-4]}"],
                 lambda p: p[-3], "truncated"),
}


@pytest.mark.parametrize("pages", ["one page", "pages of four rows"])
@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_verify_names_the_position_of_each_tampering(
    signed: Signed, kind: str, pages: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if pages != "one page":  # every page boundary and checkpoint inside a page is met
        _small_pages(monkeypatch)
    assert signed.journal.verify(signed.public).ok
    statements, expected, reason = TAMPERING[kind]
    positions = signed.positions()
    _as_superuser(signed.settings, signed.ledger.events_table, statements(positions))
    report = signed.journal.verify(signed.public)
    assert not report.ok
    assert report.position == expected(positions), report
    assert reason in report.reason
    assert report.events == positions.index(expected(positions))  # leaves before it


def _small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows read four at a time and the journal's hashes three at a time: boundaries of both,
    out of step, inside a small log."""
    import projections.journal
    import storage.bulk

    monkeypatch.setattr(storage.bulk, "PAGE", 4)
    monkeypatch.setattr(projections.journal, "JOURNAL_CHUNK", 3)


#: What a hand might leave in a journal leaf's hash: another hash, one cut short or made longer
#: by a byte, one that is not hex, one with blanks; or no row at all (None).
JOURNAL_EDITS = {"another hash": "0" * 64, "cut short": "ab" * 31, "a byte longer": "ab" * 33,
                 "not hex": "zz" * 32, "blanks": "ab " * 21 + "a", "deleted": None}


@pytest.mark.parametrize("leaf", [0, 4, 6, -1])
@pytest.mark.parametrize("edit", sorted(JOURNAL_EDITS))
def test_verify_names_the_position_of_an_edited_journal_leaf(
    signed: Signed, leaf: int, edit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_pages(monkeypatch)
    positions = signed.positions()
    index = range(len(positions))[leaf]
    journal, text = signed.journal, JOURNAL_EDITS[edit]
    with journal.connection.transaction() as cursor:  # the projections' own tables: no trigger
        if text is None:
            cursor.execute(journal.ns.sql("DELETE FROM {journal_leaves} WHERE leaf_index = ?"),
                           (index,))
        else:
            cursor.execute(journal.ns.sql(
                "UPDATE {journal_leaves} SET hash = ? WHERE leaf_index = ?"), (text, index))
    report = signed.journal.verify(signed.public)
    if leaf == -1 and text is None:  # the last leaf gone: the journal merely ends one sooner,
        assert report.ok, report  # as when the projector is behind; log and checkpoint agree
        return
    assert not report.ok
    assert report.position == positions[index], report
    assert report.events == index  # the leaves before it
    expected = "edited" if edit == "another hash" else "journal's leaf for this event"
    assert expected in report.reason, report


def test_verify_names_an_inserted_event(signed: Signed) -> None:
    positions = signed.positions()
    column = "notification_id" if signed.settings.is_postgres else "rowid"
    _as_superuser(signed.settings, signed.ledger.events_table, [
        f"INSERT INTO {{t}} ({column}, originator_id, originator_version, topic, state)"
        f" SELECT 0, originator_id, originator_version + 1000, topic, state FROM {{t}}"
        f" WHERE {{id}} = {positions[5]}"])
    report = signed.journal.verify(signed.public)
    assert not report.ok and report.position == 0 and "inserted" in report.reason


def test_a_rewritten_journal_is_caught_by_the_signed_checkpoint(signed: Signed) -> None:
    positions = signed.positions()
    _as_superuser(signed.settings, signed.ledger.events_table,
                  [f"UPDATE {{t}} SET state = state || 'x' WHERE {{id}} = {positions[7]}"])
    # The tamperer also rebuilds the projections (and so the journal leaves) from the edited log.
    signed.projector.rebuild()
    report = signed.journal.verify(signed.public)
    assert not report.ok and "root of the checkpoint" in report.reason


def test_a_checkpoint_signed_by_another_key_is_refused(signed: Signed) -> None:
    other = public_key_text(private_key(new_private_key()))
    report = signed.journal.verify(other)
    assert not report.ok and "not signed by the trusted key" in report.reason


def test_an_inclusion_proof_checks_without_the_database_and_wrong_ones_are_refused(
    signed: Signed,
) -> None:
    position = signed.positions()[9]
    proof = signed.journal.prove(position)
    assert check_inclusion(proof, signed.public).ok
    forged_leaf = {**proof, "leaf_hash": "00" * 32}
    assert not check_inclusion(forged_leaf, signed.public).ok
    wrong_index = {**proof, "leaf_index": proof["leaf_index"] + 1}
    assert not check_inclusion(wrong_index, signed.public).ok
    other = public_key_text(private_key(new_private_key()))
    assert "not signed by the trusted key" in check_inclusion(proof, other).reason


def test_a_later_checkpoint_is_consistent_with_an_earlier_one(signed: Signed) -> None:
    from ledger.journal.merkle import verify_consistency

    first = signed.journal.checkpoints()[0]
    covered_member(signed.ledger, seed=9)
    signed.projector.catch_up()
    second = signed.journal.checkpoint(signed.key)
    answer = signed.journal.prove_consistency(first.size, second.size)
    assert verify_consistency(first.size, second.size, first.root, second.root,
                              [bytes.fromhex(h) for h in answer["proof"]])
    assert signed.journal.verify(signed.public).checkpoints == 2
    assert replace(first, size=first.size + 1).verifies_with(signed.public) is False


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small pages and chunks (:func:`_small_pages`): every boundary and every checkpoint
    inside a page is met."""
    _small_pages(monkeypatch)


def test_checkpoints_inside_and_between_pages_are_all_checked(
    signed: Signed, small_pages: None
) -> None:
    for seed in (4, 5):  # two more checkpoints, at sizes no page boundary need meet
        covered_member(signed.ledger, seed=seed)
        signed.projector.catch_up()
        signed.journal.checkpoint(signed.key)
    report = signed.journal.verify(signed.public)
    assert report.ok and report.checkpoints == 3 and report.root == signed.journal.head().root
    sizes = [c.size for c in signed.journal.checkpoints()]
    positions = signed.positions()
    _as_superuser(signed.settings, signed.ledger.events_table,
                  [f"UPDATE {{t}} SET state = state || 'x' WHERE {{id}} = {positions[7]}"])
    signed.projector.rebuild()  # the journal agrees with the edit: only the roots can tell
    report = signed.journal.verify(signed.public)
    assert not report.ok and f"root of the checkpoint of {sizes[0]} events" in report.reason
    assert report.events == sizes[0] and report.position == positions[sizes[0] - 1]


@pytest.mark.postgres
@pytest.mark.parametrize("store_settings", ["postgres"], indirect=True)
def test_reading_pages_stopped_early_ends_its_reader_and_a_failed_read_is_raised(
    signed: Signed, small_pages: None
) -> None:
    import threading

    from projections.journal import _connect
    from storage.bulk import stored_pages

    ledger = signed.ledger  # the reader thread is PostgreSQL's

    def readers() -> int:
        return sum(t.name == "stored-pages" for t in threading.enumerate())

    pages = stored_pages(None, ledger.qualified_events_table, True,
                         connect=lambda: _connect(signed.settings))
    assert len(next(pages)) == 4 and readers() == 1
    pages.close()
    assert readers() == 0
    missing = stored_pages(None, "public.claims_ledger_no_such_table", True,
                           connect=lambda: _connect(signed.settings))
    with closing(missing), pytest.raises(psycopg.errors.UndefinedTable):
        next(missing)
    assert readers() == 0
