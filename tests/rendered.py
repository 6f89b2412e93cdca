"""The documents rendered as the command line renders them: the read side opened at a cut-off
(a position, an as-of day, or the live projections), the document drawn from it, the read side
closed. The tests' shorthand for "open, render, close"."""

from __future__ import annotations

from datetime import date

from documents import audit, dossier, minutes
from documents.audit import Report
from ledger.application import Ledger
from projections.opening import open_read_side
from projections.records import Records


def audit_report(ledger: Ledger, program: str, *, position: int | None = None,
                 as_of: date | None = None, roster: bool = False, lang: str = "id",
                 signing_key: str | None = None) -> Report:
    """The audit report of ``program`` at the cut-off (default: the projections' position)."""
    with open_read_side(ledger, position, as_of=as_of, signing_key=signing_key) as view:
        return audit.audit_report(view, program, roster=roster, lang=lang)


def claim_dossier(ledger: Ledger, claim_id: str, lang: str = "id",
                  signing_key: str | None = None) -> Report:
    """The dossier of one claim at the live projections' position."""
    with open_read_side(ledger, signing_key=signing_key) as view:
        return dossier.claim_dossier(view, claim_id, lang)


def handover_minutes(ledger: Ledger, handover_id: str, lang: str = "id") -> Report:
    """The minutes of one ceremony, from its own event."""
    return minutes.handover_minutes(Records(ledger), handover_id, lang)
