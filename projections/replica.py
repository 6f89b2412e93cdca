"""Reading the projections on a streaming replica (``LEDGER_READ_DATABASE_URL``).

A hot standby holds the primary's projection tables byte for byte, as far as it has replayed
the primary's WAL; it refuses every write (and LISTEN). So only readers come here: the read
routes, history's proofs, the documents and the console. The projection workers, every
write, idempotency and the sessions stay on the primary.

Read-your-writes: a reader that needs position N (``min_position``, or its own write) waits up
to :data:`REPLICA_WAIT_SECONDS` for the replica's tracking rows to show N, then reads on the
primary instead, and the answer says which one served it (``X-Served-By``).
"""

from __future__ import annotations

import time

from projections.db import Connection, Namespace
from storage.settings import StoreSettings

#: How long a read that needs a position waits for the replica before it goes to the primary:
#: a replica a second behind is lagging (the operator sees it in ``status``), and the primary
#: answers at once.
REPLICA_WAIT_SECONDS = 1.0

SERVED_BY_REPLICA = "replica"
SERVED_BY_PRIMARY = "primary"


class Replica:
    """One connection to the projection tables on the replica named by ``settings.read``."""

    def __init__(self, settings: StoreSettings) -> None:
        if settings.read is None:
            raise ValueError("no replica configured (LEDGER_READ_DATABASE_URL)")
        self.connection = Connection(settings.read)
        # The replica's tables are the primary's: the names come from the primary's settings.
        self.live = Namespace(settings)

    def close(self) -> None:
        self.connection.close()

    def position(self) -> int:
        """The position every projection on the replica has applied (0: none replayed yet)."""
        rows = self.connection.query(self.live.sql("SELECT min(position) AS p FROM {tracking}"))
        found = rows[0]["p"] if rows else None
        return int(found) if found is not None else 0

    def wait_for(self, position: int, timeout: float = REPLICA_WAIT_SECONDS) -> bool:
        """Whether the replica has replayed ``position`` within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.position() < position:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True
