"""The journal: its head, its latest signed checkpoint with the witnesses that co-signed it
(and whether the quorum of ``LEDGER_POLICY`` holds), and for a log position the inclusion
proof, checked in the inspector's own browser (``static/console/proof.js``: SHA-256 and Ed25519
with Web Crypto, RFC 6962's rules) against the signed checkpoint and a public key the inspector
trusts, so they need not trust the server that served the page. The page says plainly whether
the check passed, and offers a tampered copy of the proof to show a failure looks like one."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from api.console.access import SECTION_BY_KEY, section_page
from api.console.blueprint import bp
from api.console.reading import page, position_arg, reading_words
from api.state import ledger, projector, read_connection
from ledger.errors import NotFoundError
from projections.cosigning import configured_policy, journal_cosigning
from projections.journal import Journal

SECTION = SECTION_BY_KEY["journal"]


@bp.route(SECTION.path)
@section_page(SECTION)
def journal() -> Response:
    """The head and latest checkpoint; ``?position=`` adds that event's proof to check."""
    position = position_arg()
    worker = projector()
    if not ledger().settings.is_postgres:
        worker.catch_up()
    kept = Journal(ledger(), read_connection(), worker.live)
    head = kept.head()
    checkpoints = kept.checkpoints()
    latest = checkpoints[-1] if checkpoints else None
    proof: dict[str, Any] | None = None
    problem: str | None = None
    if position is not None:
        if latest is None:
            problem = reading_words()["journal_no_checkpoint"]
        else:
            try:
                proof = kept.prove(position, latest)
            except NotFoundError:
                problem = reading_words()["proof_not_in"]
    # The witnesses that co-signed the checkpoint the page's proofs rest on (the head without
    # a signed checkpoint), and whether LEDGER_POLICY's quorum holds.
    rests_on = (latest.size, latest.root) if latest else (head.size, head.root)
    cosigning = journal_cosigning(ledger(), worker.connection, worker.live, *rests_on,
                                  configured_policy())
    return page(SECTION, "console/journal.html", head_size=head.size, cosigning=cosigning,
                head_root=head.root.hex(), checkpoint=latest,
                checkpoint_text=latest.to_text() if latest else None, position=position,
                proof=proof, problem=problem)
