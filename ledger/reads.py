"""The service's public reads of the log for the edges: its head, a page of it, a record by id.

The API's resources ask these instead of the recorder or the service's private loader, so that
an edge never goes past the service (and this module is where such reads are found)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import Notification

from ledger.application import Ledger
from ledger.contribution import Contribution
from ledger.errors import ContributionNotFoundError


def log_head(ledger: Ledger) -> int:
    """The position of the latest event in the log (0 when it is empty)."""
    return int(ledger.recorder.max_notification_id() or 0)


def events_after(ledger: Ledger, after: int, limit: int) -> Sequence[Notification]:
    """Up to ``limit`` recorded events after position ``after``, in log order."""
    return ledger.recorder.select_notifications(start=after + 1, limit=limit)


def contribution_by_id(ledger: Ledger, contribution_id: UUID | str) -> Contribution:
    """The payment order of this id, or :class:`ContributionNotFoundError` in plain words."""
    try:
        key = contribution_id if isinstance(contribution_id, UUID) \
            else UUID(str(contribution_id))
        found: object = ledger.repository.get(key)
    except (ValueError, AggregateNotFoundError):
        found = None
    if not isinstance(found, Contribution):
        raise ContributionNotFoundError(
            f"there is no contribution with id {contribution_id}", field="id")
    return found
