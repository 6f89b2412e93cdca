"""One real primary and its synchronous streaming standby for every replication test (each test
makes a database of its own on them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pg_cluster import Cluster, replicated_clusters


@pytest.fixture(scope="session")
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    """The primary and its standby, started once, stopped and removed at the end."""
    with replicated_clusters() as pair:
        yield pair
