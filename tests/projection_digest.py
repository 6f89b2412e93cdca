"""A content digest of every projection table, to compare two ways of building them."""

from __future__ import annotations

import hashlib

from projections.db import Connection, Namespace
from projections.schema import _logical_names


def digest(connection: Connection, namespace: Namespace) -> dict[str, str]:
    """Per table, the SHA-256 of its rows in a canonical order (tracking times left out)."""
    found: dict[str, str] = {}
    for name in _logical_names():
        rows = connection.query(f"SELECT * FROM {namespace.table(name)}")
        lines = sorted(
            "|".join(f"{k}={row[k]}" for k in sorted(row) if k != "updated_at") for row in rows)
        found[name] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return found
