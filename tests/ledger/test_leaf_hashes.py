"""Many leaves hashed at once are byte for byte the leaves ``leaf_of`` gives one by one, for
every form a stored row can take (ids with or without dashes, in any case, text state)."""

from __future__ import annotations

from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st

from ledger.journal.checkpoint import canonical_id, hashed_inputs, leaf_input, leaf_of

ROW = st.tuples(st.integers(min_value=0, max_value=2**62), st.uuids(),
                st.integers(min_value=1, max_value=2**31), st.text(max_size=40),
                st.binary(max_size=600))


@given(st.lists(ROW, max_size=20))
def test_leaves_hashed_together_equal_each_leaf_hashed_alone(rows: list[tuple[
        int, UUID, int, str, bytes]]) -> None:
    together = hashed_inputs([(p, leaf_input((p, canonical_id(str(o)), v, t.encode(), s)))
                              for p, o, v, t, s in rows])
    assert together == [leaf_of(p, o, v, t, s) for p, o, v, t, s in rows]


def test_an_id_is_canonical_however_the_store_hands_it_over() -> None:
    some = uuid4()
    dashed = str(some).encode()
    assert canonical_id(some) == dashed
    assert canonical_id(str(some).upper()) == dashed
    assert canonical_id(some.hex) == dashed  # SQLite keeps bare hex


def test_a_text_state_gives_the_leaf_of_its_utf8_bytes() -> None:
    row = (7, canonical_id(str(UUID(int=5))), 2, b"ledger.x:Y.Z", "caf\u00e9".encode())
    assert hashed_inputs([(7, leaf_input(row))]) == [
        leaf_of(7, UUID(int=5), 2, "ledger.x:Y.Z", "caf\u00e9")]
