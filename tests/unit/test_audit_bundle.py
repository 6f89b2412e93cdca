"""The audit feed's pure parts: many proofs from one tree kept in memory, periods of recorded
time in WIB, and a stored state read plainly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.errors import InvalidInputError
from ledger.journal.bundle import Period, data_of, encode_line, state_bytes, state_text
from ledger.journal.merkle import Tree, inclusion_proof, leaf_hash, root, verify_inclusion


def test_a_tree_kept_in_memory_gives_every_proof_the_one_at_a_time_function_gives() -> None:
    for size in range(1, 70):
        leaves = [leaf_hash(f"event {i}".encode()) for i in range(size)]
        tree = Tree(leaves)
        assert tree.root() == root(leaves)
        for index in range(size):
            proof = tree.inclusion_proof(index)
            assert proof == inclusion_proof(index, leaves)
            assert verify_inclusion(index, size, leaves[index], proof, tree.root())


def test_a_period_is_a_month_or_a_year_of_recorded_time_in_wib() -> None:
    march = Period.parse("2025-03")
    # 31 March 2025 23:30 WIB is still March; 1 April 00:00 WIB (31 March 17:00 UTC) is not.
    assert march.holds(datetime(2025, 3, 31, 16, 30, tzinfo=UTC))
    assert not march.holds(datetime(2025, 3, 31, 17, 0, tzinfo=UTC))
    assert march.start.isoformat() == "2025-03-01T00:00:00+07:00"
    assert Period.parse("2025-12").end.isoformat() == "2026-01-01T00:00:00+07:00"
    assert Period.parse("2025").months()[0] == "2025-01"
    assert len(Period.parse("2025").months()) == 12


@pytest.mark.parametrize("text", ["2025-13", "25-03", "2025/03", "March 2025", "", "2025-3"])
def test_a_period_that_is_not_a_month_or_a_year_is_refused_in_words(text: str) -> None:
    with pytest.raises(InvalidInputError, match=r"a period is a month \(2025-03\) or a year"):
        Period.parse(text)


def test_a_stored_state_is_carried_exactly_and_read_without_the_event_library() -> None:
    stored = (b'{"timestamp":{"_type_":"datetime_iso","_data_":"2025-04-10T02:00:00+00:00"},'
              b'"originator_topic":"ledger.contribution:Contribution","amount":302400,'
              b'"paid_on":{"_type_":"date_iso","_data_":"2025-03-25"},"actor":"finance.rina"}')
    text, encoding = state_text(stored)
    assert (encoding, state_bytes(text, encoding)) == ("utf-8", stored)
    assert data_of(text, encoding) == {"amount": 302400, "paid_on": "2025-03-25",
                                       "actor": "finance.rina"}
    sealed = bytes(range(256))  # encrypted at rest: not UTF-8
    text, encoding = state_text(sealed)
    assert (encoding, state_bytes(text, encoding), data_of(text, encoding)) == (
        "base64", sealed, None)
    assert encode_line({"b": "Rp", "a": 1}) == b'{"a":1,"b":"Rp"}\n'


def _ledger_aggregates() -> list[type]:
    """Every aggregate of the ledger's modules but the API tokens (in no bundle)."""
    import importlib
    import pkgutil

    from eventsourcing.domain import Aggregate

    import ledger
    from ledger.token import ApiToken

    for module in pkgutil.walk_packages(ledger.__path__, "ledger."):
        importlib.import_module(module.name)

    def below(kind: type) -> list[type]:
        return [found for sub in kind.__subclasses__() for found in (sub, *below(sub))]

    return sorted({kind for kind in below(Aggregate) if kind.__module__.startswith("ledger.")
                   and kind is not ApiToken}, key=lambda kind: kind.__qualname__)


def test_every_field_of_every_event_of_the_ledger_is_in_the_feeds_data_dictionary() -> None:
    from eventsourcing.domain import Aggregate

    from ledger.journal.event_fields import EVENT_FIELDS

    envelope = {"originator_id", "originator_version", "timestamp", "originator_topic",
                "originator_id_type"}
    missing, seen = set(), 0
    for aggregate in _ledger_aggregates():
        for event in vars(aggregate).values():
            if isinstance(event, type) and issubclass(event, Aggregate.Event):
                names = {n for k in event.__mro__ for n in getattr(k, "__annotations__", {})}
                seen += len(names - envelope)
                missing |= {f"{aggregate.__name__}.{event.__name__}.{n}"
                            for n in names - envelope if n not in EVENT_FIELDS}
    assert seen > 150
    assert missing == set()


def test_every_record_the_ledger_creates_is_owned_by_a_programme_in_the_feed() -> None:
    from eventsourcing.domain import CanInitAggregate
    from eventsourcing.utils import get_topic

    from ledger.person import Person
    from projections.audit_feed import _creation_topics

    topics = set(_creation_topics())
    created = {get_topic(event) for kind in _ledger_aggregates() if kind is not Person
               for name, event in vars(kind).items()
               if name != "Created" and isinstance(event, type)
               and issubclass(event, CanInitAggregate)}
    assert len(created) >= 9
    assert created - topics == set()  # a person is owned through the enrolments
