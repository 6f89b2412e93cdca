"""The handover minutes (*Berita Acara Serah Terima*) of one ceremony.

The minutes record the ceremony as it was recorded: its date, venue, officials and what was
handed to whom, and whether each claim had been paid at that moment (unpaid ones are marked *).
They are drawn from the ceremony's own event only, so they never change however the claims go on
afterwards, and the same ceremony always gives the same file.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from documents.audit import Report
from documents.formatting import number_id
from documents.labels import LABELS, SCHOOL_LEVEL, words
from documents.render import html, pdf
from ledger.errors import InvalidInputError
from ledger.regions import district_name, region
from projections.records import Records


def handover_minutes(records: Records, handover_id: str, lang: str = "id") -> Report:
    """Render the minutes of one ceremony from its own event in the log."""
    words(lang)
    try:
        key = UUID(str(handover_id))
    except ValueError:
        raise InvalidInputError(f"'{handover_id}' is not a ceremony id (a UUID such as "
                                "add40287-0916-4e3a-89ac-45104742b80b)",
                                field="handover_id") from None
    handover = records.handover(key)
    position = handover.position
    labels = LABELS[lang]
    # The death benefit first, then its scholarship years, per recipient.
    items = sorted(handover.items,
                   key=lambda i: (i.recipient, i.scholarship is not None, i.claim_id))
    place = district_name(handover.district) or handover.district
    city = _region_name(handover.region)
    context: dict[str, Any] = {
        "title": f"{labels['minutes_title']} {handover.held_on.isoformat()}",
        "description": f"{labels['minutes_title']}: {handover.venue}, {handover.held_on}",
        "header_left": f"{labels['minutes_title']} · {handover.venue}",
        "header_right": f"{labels['position']}: {number_id(position)}",
        "footer_left": f"claims-ledger · {handover.id}",
        "handover": handover, "items": items, "position": position,
        "district": place, "city": city,
        "total": sum(i.amount for i in items),
        "unpaid": [i for i in items if not i.paid],
        # A recipient of several lines (a death benefit and the children's scholarship) signs
        # once.
        "signers": list({(i.recipient, i.relationship): i for i in items}.values()),
        "level_word": SCHOOL_LEVEL[lang],
    }
    page = html("minutes.html", lang, **context)
    return Report(pdf(page, created=handover.recorded_at), position, (), None)


def _region_name(code: str) -> str:
    try:
        return region(code).name
    except InvalidInputError:
        return code
