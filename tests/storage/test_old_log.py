"""A log written by the previous release (before the edges moved out of ``ledger/``) restores,
replays every aggregate from its stored topics, projects, and verifies against the checkpoint
signed back then: event topics are a published schema."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate

from ledger.application import Ledger
from ledger.claim import Claim
from ledger.journal.checkpoint import Checkpoint
from projections.journal import Journal
from projections.runner import Projector
from storage.archive import restore_log

OLD_LOG = Path(__file__).resolve().parents[1] / "fixtures" / "old_log"
#: The aggregates the old log holds, by the class path stored in its topics.
KINDS = {"ledger.programme:Programme": 2, "ledger.person:Person": 4,
         "ledger.enrolment:Enrolment": 3, "ledger.contribution:Contribution": 2,
         "ledger.incident:Incident": 2, "ledger.claim:Claim": 3, "ledger.handover:Handover": 1,
         "ledger.identity_check:IdentityCheck": 1, "ledger.token:ApiToken": 2}


#: Issue 18 changed the events' schema: a member's events name their data subject
#: (``Enrolled.person_id``, ...) and seal the personal fields. The previous release's log has
#: neither; it is read through the one-way migration (issue 18, item 5, another engineer's),
#: not replayed as it is. Until that lands, these tests say so instead of passing.
OLD_SCHEMA = pytest.mark.xfail(
    reason="a log of the previous release (no subject ids, personal fields in clear) needs "
           "issue 18's one-way migration", strict=True)


def _restore(ledger: Ledger) -> None:
    with (OLD_LOG / "log.jsonl").open(encoding="utf-8") as lines:
        restore_log(ledger, lines)


def _aggregates(ledger: Ledger) -> dict[UUID, str]:
    """Each aggregate of the log, by id, with the topic of its class as the log stores it."""
    originators: dict[UUID, str] = {}
    for notification in ledger.recorder.select_notifications(start=1, limit=1000):
        originators.setdefault(notification.originator_id,
                               notification.topic.rsplit(".", 1)[0])
    return originators


@OLD_SCHEMA
def test_a_log_of_the_previous_release_replays_every_aggregate(ledger: Ledger) -> None:
    _restore(ledger)
    originators = _aggregates(ledger)
    assert Counter(originators.values()) == KINDS
    replayed = {key: ledger.repository.get(key) for key in originators}
    assert all(isinstance(aggregate, Aggregate) for aggregate in replayed.values())
    claims = [c for c in replayed.values() if isinstance(c, Claim)]
    assert sorted((str(c.status), sum(c.disbursements.values())) for c in claims) == [
        ("approved", 3_000_000), ("approved", 42_000_000), ("rejected", 0)]


@OLD_SCHEMA
def test_a_log_of_the_previous_release_verifies_against_its_old_checkpoint(
        ledger: Ledger) -> None:
    _restore(ledger)
    old = Checkpoint.from_text((OLD_LOG / "checkpoint.txt").read_text())
    public_key = (OLD_LOG / "public-key.txt").read_text().strip()
    projector = Projector(ledger)
    try:
        projector.catch_up()
        assert projector.position() == 43
        report = Journal(ledger, projector.connection, projector.live).verify(public_key, old)
    finally:
        projector.close()
    assert report.ok, report.reason
    assert report.events == 43 and report.root == old.root
    assert report.checkpoints == 2  # the one restored with the log, and the one kept outside
