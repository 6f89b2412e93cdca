"""The obligations read model on a store projected before it: the tables an older version built
(no late interest per claim, no level per scholarship child) gain the columns, the balances are
rebuilt once, and what is owed comes out the same. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from heirs_story import owed_story
from projection_digest import digest

from ledger.application import Ledger
from projections.obligations import ObligationsReader
from projections.runner import Projector


def test_a_store_projected_before_gains_late_interest_and_levels_by_one_rebuild(
    ledger: Ledger,
) -> None:
    owed_story(ledger)
    projector = Projector(ledger)
    try:
        before = ObligationsReader(projector.connection, projector.live).obligations(
            "TNG-2025", date(2025, 10, 1))
        assert before is not None
        assert (before["late_interest_total"], before["scholarship_total"]) == (
            4_200_000, 133_500_000)
        tables = digest(projector.connection, projector.live)
        with projector.connection.transaction() as cursor:  # as an older version built them
            cursor.execute(f"ALTER TABLE {projector.live.table('claims')} "
                           "DROP COLUMN late_interest")
            cursor.execute(f"ALTER TABLE {projector.live.table('scholarship_children')} "
                           "DROP COLUMN level")
    finally:
        projector.close()
    again = Projector(ledger)  # adds the columns and starts the balances again at position 0
    try:
        again.catch_up()
        assert ObligationsReader(again.connection, again.live).obligations(
            "TNG-2025", date(2025, 10, 1)) == before
        assert digest(again.connection, again.live) == tables  # every row applied once
    finally:
        again.close()
