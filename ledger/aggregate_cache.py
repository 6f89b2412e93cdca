"""The aggregate cache that forgets what an erasure made unreadable, in every process.

The library's repository keeps decoded aggregates in a per-process cache (fast-forwarded with
newer events on each read). An aggregate decoded before a person's data key was destroyed
still holds their personal fields in clear, and no newer event of its own would change that.
So before each read the repository lets the store notice erasures made by other processes
(:meth:`ledger.ports.PersonalData.notice_erasures`: at most one small query per interval), and
the ledger clears the whole cache whenever a key this process held is found destroyed
(:func:`clear`, called through :meth:`ledger.ports.PersonalData.on_forgotten`). Erasures are
rare: the cache fills again from the log, the erased fields reading "[dihapus]".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import Cache, LRUCache, Repository


class NoticingRepository(Repository[UUID]):
    """The library's repository, asking ``notice`` to run before each read of an aggregate."""

    def __init__(self, *args: Any, notice: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notice = notice

    def get(self, aggregate_id: UUID, **kwargs: Any) -> Any:
        self.notice()
        kwargs.setdefault("projector_func", project)
        return super().get(aggregate_id, **kwargs)


def project(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """The library's projector (each event's ``mutate`` in turn) without its assertion that
    each event is an instance of a runtime-checkable protocol: such an ``isinstance`` walks the
    protocol's members every time, 3% of an incident's CPU, and every event the ledger reads
    is one of its aggregates' own events, whose ``mutate`` the call below needs anyway."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


def clear(cache: Cache[UUID, Any] | None) -> None:
    """Empty an aggregate cache (the library's own ``LRUCache.clear`` only resets its order,
    leaving the entries readable)."""
    if cache is None:
        return
    if isinstance(cache, LRUCache):
        with cache.lock:
            cache.cache.clear()
            cache.clear()
            cache.full = False
        return
    cache.cache.clear()
