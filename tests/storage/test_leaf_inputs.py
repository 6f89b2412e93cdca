"""What ``verify`` hashes: the bytes PostgreSQL lays out for each stored row are, byte for byte,
the leaf's bytes as the ledger lays them out itself, whatever a topic or a state holds."""

from __future__ import annotations

from uuid import UUID

from ledger.application import Ledger
from ledger.journal.checkpoint import hashed_inputs, leaf_of
from projections.journal import _connect
from storage.bulk import leaf_input_pages
from storage.settings import StoreSettings

#: Rows a hand, a later release or a tamperer might leave: backslashes and escapes in a topic,
#: letters outside ASCII, NULs and nothing at all in a state, the largest versions.
ODD_ROWS = [
    (UUID(int=1), 1, "ledger.x:Y.Z", b"{}"),
    (UUID(int=2), 2, "back\\slash \\x00 and \\\\ 'quoted' \"too\"", b"\x00\x00\x01\\x00"),
    (UUID("ABCDEF12-3456-7890-ABCD-EF1234567890"), 2**31 - 1, "Pak Ucok \u00fc\u20ac\U0001f600",
     b""),
    (UUID(int=4), 1, "", bytes(range(256)) * 3),
]


def test_each_odd_row_is_laid_out_as_the_ledger_lays_out_its_leaf(
    ledger: Ledger, store_settings: StoreSettings
) -> None:
    table = ledger.qualified_events_table
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    mark = "%s" if store_settings.is_postgres else "?"
    with datastore.transaction(commit=True) as cursor:
        for originator, version, topic, state in ODD_ROWS:
            cursor.execute(f"INSERT INTO {table} (originator_id, originator_version, topic, "
                           f"state) VALUES ({mark}, {mark}, {mark}, {mark})",
                           (originator if store_settings.is_postgres else originator.hex,
                            version, topic, state))
    pages = list(leaf_input_pages(datastore, table, store_settings.is_postgres,
                                  connect=lambda: _connect(store_settings)))
    rows = [row for page in pages for row in page]
    assert len(rows) == len(ODD_ROWS)
    positions = [position for position, _ in rows]
    assert positions == sorted(positions)
    assert hashed_inputs(rows) == [
        leaf_of(position, originator, version, topic, state)
        for position, (originator, version, topic, state) in zip(positions, ODD_ROWS,
                                                                 strict=True)]
