"""The list read models: which programmes, members, incidents and claims a list shows, and at
which version each was when the projections reached their position.

The list routes page and filter here (indexed columns of the projection tables, ``position``
the cursor) instead of walking the log's creation events and loading every aggregate to test
its state. Each row names its record's ``version`` at the projections' position, so the page's
records are read at exactly that version: the same answer as the projections, whatever was
recorded since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.queries import Reader


@dataclass(frozen=True)
class Listed:
    """One record of a list: its id, its version at the projections' position, and the log
    position that created it (the paging cursor)."""

    id: str
    version: int
    position: int


@dataclass(frozen=True)
class Page:
    """Up to ``limit`` records after a cursor, and the cursor of the next page: the position of
    the last record when the page is full, None when it is short (nothing more to fetch)."""

    items: tuple[Listed, ...]
    next: int | None


def _page(reader: Reader, table: str, key: str, where: list[tuple[str, Any]], after: int,
          limit: int) -> Page:
    clauses = ["position > ?", *(clause for clause, _ in where)]
    params = [after, *(value for clause, value in where if "?" in clause)]
    rows = reader.connection.query(reader.ns.sql(
        f"SELECT {key} AS id, version, position FROM {{{table}}} WHERE "
        + " AND ".join(clauses) + " ORDER BY position LIMIT ?"), (*params, limit))
    items = tuple(Listed(str(r["id"]), int(r["version"]), int(r["position"])) for r in rows)
    return Page(items, items[-1].position if len(items) == limit else None)


def _day_range(column: str, start: date | None, end: date | None) -> list[tuple[str, Any]]:
    where: list[tuple[str, Any]] = []
    if start is not None:
        where.append((f"{column} >= ?", start.isoformat()))
    if end is not None:
        where.append((f"{column} <= ?", end.isoformat()))
    return where


def _equal(**values: Any) -> list[tuple[str, Any]]:
    return [(f"{column} = ?", value) for column, value in values.items() if value]


def programmes(reader: Reader, *, after: int = 0, limit: int = 50) -> Page:
    """Programmes in the order they were opened."""
    return _page(reader, "programmes", "programme_id", [], after, limit)


def members(reader: Reader, *, program: str | None = None, person: str | None = None,
            region: str | None = None, district: str | None = None,
            status: str | None = None, enrolled_from: date | None = None,
            enrolled_to: date | None = None, after: int = 0, limit: int = 50) -> Page:
    """Enrolments in enrolment order; ``status`` is ``active`` (coverage not ended) or
    ``ended``; ``person``: one person's (a NIK is turned into it by the keyed index)."""
    where = _equal(programme=program, person_id=person, region=region, district=district)
    if status == "active":
        where.append(("ended_on IS NULL", None))
    elif status == "ended":
        where.append(("ended_on IS NOT NULL", None))
    where += _day_range("enrolled_on", enrolled_from, enrolled_to)
    return _page(reader, "members", "enrolment_id", where, after, limit)


def incidents(reader: Reader, *, program: str | None = None, kind: str | None = None,
              occurred_from: date | None = None, occurred_to: date | None = None,
              after: int = 0, limit: int = 50) -> Page:
    """Incidents in the order they were reported."""
    where = _equal(programme=program, kind=kind)
    where += _day_range("occurred_on", occurred_from, occurred_to)
    return _page(reader, "incidents", "incident_id", where, after, limit)


def claims(reader: Reader, *, program: str | None = None, status: str | None = None,
           benefit: str | None = None, filed_from: date | None = None,
           filed_to: date | None = None, district: str | None = None,
           funder_region: str | None = None, after: int = 0, limit: int = 50) -> Page:
    """Claims in the order they were filed; ``district``: the claim's own (a city grant's) or
    else its member's; ``funder_region``: claims of the programmes that funder opened."""
    where = _equal(programme=program, status=status, benefit=benefit)
    where += _day_range("filed_on", filed_from, filed_to)
    if district:
        where.append(("COALESCE(district, (SELECT m.district FROM {members} m"
                      " WHERE m.enrolment_id = {claims}.enrolment_id)) = ?", district))
    if funder_region:
        where.append(("programme IN (SELECT f.programme FROM {programmes} f"
                      " WHERE f.funder_region = ?)", funder_region))
    return _page(reader, "claims", "claim_id", where, after, limit)


__all__ = ["Listed", "Page", "claims", "incidents", "members", "programmes"]
