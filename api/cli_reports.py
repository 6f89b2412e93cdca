"""``claims-ledger report ...``: the documents (PDF) the ledger writes for auditors and finance."""

from __future__ import annotations

import click


@click.group()
def report() -> None:
    """Write a document (PDF) from the ledger: audit report, claim dossier, minutes, ..."""
