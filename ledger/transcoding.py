"""How domain values outside JSON's own types are stored in events."""

from __future__ import annotations

from datetime import date

from eventsourcing.persistence import JSONTranscoder, Transcoding


class DateAsISO(Transcoding):
    """``datetime.date`` as ``YYYY-MM-DD``: business dates (payment, accident, death) are dates."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    """Register every transcoding the ledger's events need."""
    transcoder.register(DateAsISO())
