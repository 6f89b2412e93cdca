"""The claim dossier: one claim's whole history, each event with its inclusion proof in the
journal, the rule (and its version) that computed the amount, the approval and the payouts.

The proofs are made against the journal at the dossier's cut-off (the projections' position),
signed there with the operator's key when one is set (the read side's checkpoint), and
attached as ``proofs.json`` in the form ``claims-ledger journal check`` reads, one proof per
event.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from documents.audit import Report
from documents.formatting import number_id
from documents.labels import LABELS, words
from documents.render import Attached, html, pdf
from ledger.errors import InvalidInputError
from ledger.identity import mask_nik
from projections.read_side import ReadSide
from projections.records import LoggedEvent

#: What each event's line says, of its data (personal data left out: the heading has it masked).
SHOWN = ("kind", "occurred_on", "work_related", "filed_on", "entitlement", "rule_version",
         "amount", "approved_on", "reference", "paid_on", "reason", "note", "rejected_on",
         "revoked_on", "reversed_on", "paid_so_far", "sole_approver_reason", "complete_on",
         "due_on", "days_late")


def claim_dossier(view: ReadSide, claim_id: str, lang: str = "id") -> Report:
    """Render the dossier of one claim from the read side (its events up to the cut-off)."""
    words(lang)
    try:
        key = UUID(str(claim_id))
    except ValueError:
        raise InvalidInputError(f"'{claim_id}' is not a claim id (a UUID such as "
                                "34a1a53d-0000-4000-8000-000000000000)", field="claim_id") from None
    claim = view.records.claim(key)
    incident = view.records.incident(claim.incident_id) if claim.incident_id else None
    labels = LABELS[lang]
    events = view.records.history("claim", key, up_to=view.position)
    positions = [e.position for e in events]
    proofs = view.proofs(positions)
    history = [_line(e, proofs[e.position]) for e in events]
    payouts = [h for h in history if h["type"].endswith(("Disbursed", "DisbursementReversed"))]
    attachments = (Attached("proofs.json", json.dumps(
        [proofs[p] for p in positions if proofs[p] is not None], indent=2,
        sort_keys=True).encode(), "Bukti inklusi setiap peristiwa (claims-ledger journal check)"),)
    context: dict[str, Any] = {
        "title": f"{labels['dossier_title']} {claim.id}",
        "description": f"{labels['dossier_title']} {claim.id}, {labels['cut_off']} {view.position}",
        "header_left": f"{labels['dossier_title']} {str(claim.id)[:8]} · {claim.programme_code}",
        "header_right": f"{labels['cut_off']}: {number_id(view.position)}",
        "footer_left": f"claims-ledger · {claim.id}",
        "claim": claim, "incident": incident, "view": view, "history": history,
        "payouts": payouts, "checkpoint": view.checkpoint,
        "claimant": {**claim.claimant, "nik": mask_nik(claim.claimant["nik"]),
                     "account_number": _account(claim.claimant["account_number"])},
        "approved": next((h for h in history if h["type"].endswith(".Approved")), None),
        "unproved": sum(1 for p in positions if proofs[p] is None),
        "scholarship": view.records.scholarship_standing(key),
    }
    page = html("dossier.html", lang, **context)
    return Report(pdf(page, created=view.recorded_at, attachments=attachments), view.position,
                  attachments, view.checkpoint.to_text() if view.checkpoint else None)


def _account(number: str) -> str:
    return "*" * max(0, len(number) - 4) + number[-4:]


def _line(event: LoggedEvent, proof: dict[str, Any] | None) -> dict[str, Any]:
    data = event.data
    return {
        "position": event.position, "recorded_at": event.recorded_at,
        "type": event.type, "actor": event.actor or "-",
        "facts": [(k, data[k]) for k in SHOWN if data.get(k) not in (None, "", [])],
        "proof": proof,
    }
