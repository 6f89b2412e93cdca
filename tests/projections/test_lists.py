"""The list read models: which records a list shows, at which version, and how a store projected
before they existed gains them."""

from __future__ import annotations

from datetime import date

from projection_digest import digest

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.enrolment import EndReason
from projections import lists
from projections.queries import Reader
from projections.runner import Projector
from scenario import APPROVER, CLERK, clean_year, heir

#: What the list read models added to the tables an older projector made.
VERSIONED = ("programmes", "members", "incidents", "claims")


def test_the_lists_name_every_record_in_creation_order_at_its_current_version(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = Projector(ledger)
    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        [programme] = lists.programmes(reader).items
        assert programme.version == ledger.programme("TNG-2025").version
        members = lists.members(reader, program="TNG-2025").items
        assert [m.id for m in members] == [str(m.id) for m in year.members]
        assert [m.version for m in members] == [ledger.enrolment(m.id).version
                                                for m in year.members]
        [claim] = lists.claims(reader, status="approved").items
        assert claim.version == ledger.claim(claim.id).version
        [incident] = lists.incidents(reader, kind="death").items
        assert incident.version == ledger.incident(incident.id).version > 1  # a claim opened
        assert lists.members(reader, status="ended").items == (members[0],)  # the death
    finally:
        projector.close()


def test_a_list_shows_each_record_as_of_the_projections_position_not_as_recorded_since(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = Projector(ledger)
    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        before = lists.members(reader, status="active").items
        ledger.end_coverage(year.members[1].id, date(2025, 12, 31), EndReason.MOVED,
                            "moved to Kabupaten Tangerang", actor=CLERK)
        assert lists.members(reader, status="active").items == before  # not projected yet
        projector.catch_up()
        after = lists.members(reader, status="active").items
        assert [m.id for m in after] == [str(year.members[2].id)]
        ended = lists.members(reader, status="ended").items
        assert ended[-1].id == str(year.members[1].id)
        assert ended[-1].version == ledger.enrolment(year.members[1].id).version
    finally:
        projector.close()


def test_paging_follows_the_creation_position_and_ends_when_a_page_is_short(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = Projector(ledger)
    try:
        projector.catch_up()
        reader = Reader(projector.connection, projector.live)
        first = lists.members(reader, limit=2)
        assert len(first.items) == 2 and first.next == first.items[-1].position
        rest = lists.members(reader, after=first.next or 0, limit=2)
        assert [m.id for m in (*first.items, *rest.items)] == [str(m.id) for m in year.members]
        assert rest.next is None
    finally:
        projector.close()


def test_a_store_projected_before_the_list_read_models_gains_them_with_the_rows_of_a_rebuild(
    ledger: Ledger,
) -> None:
    year = clean_year(ledger)
    projector = Projector(ledger)
    try:
        projector.catch_up()
        _as_an_older_projector_left_it(projector)
        # Recorded while no projector ran: the catch-up applies it too.
        ledger.approve_claim(ledger.file_claim(
            year.death(year.members[1], date(2025, 10, 2)), Benefit.JKM_DEATH,
            heir(nik_serial=78), date(2025, 10, 5), actor=CLERK).id, date(2025, 10, 6),
            actor=APPROVER)
    finally:
        projector.close()
    restarted = Projector(ledger)  # the next 'project' or follower start
    try:
        restarted.catch_up()
        assert set(restarted.positions().values()) == {restarted.head()}
        reader = Reader(restarted.connection, restarted.live)
        claims = lists.claims(reader).items
        assert [c.version for c in claims] == [ledger.claim(c.id).version for c in claims]
        caught_up = digest(restarted.connection, restarted.live)
        restarted.rebuild()
        assert digest(restarted.connection, restarted.live) == caught_up
    finally:
        restarted.close()


def _as_an_older_projector_left_it(projector: Projector) -> None:
    """The tables as a projector without the list read models made them."""
    live = projector.live
    with projector.connection.transaction() as cursor:
        for table in VERSIONED:
            cursor.execute(f"ALTER TABLE {live.table(table)} DROP COLUMN version")

