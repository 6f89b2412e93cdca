"""What every resource does the same way: write answers, If-Match, paging answers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import request
from flask_smorest import abort

from api.state import ledger
from api.subjects import note_aggregate
from projections.lists import Page


def written(aggregate: Any, body: dict[str, Any], status: int = 200,
            location: str | None = None) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The new state with its version (and ETag) and the log position the write reached;
    the aggregate's subject, if it is about a person, goes to the request log line."""
    note_aggregate(aggregate)
    position = ledger().last_position()
    body = {**body, "version": aggregate.version, "position": position}
    headers = {"ETag": f'"{aggregate.version}"'}
    if position is not None:
        headers["X-Ledger-Position"] = str(position)
    if location:
        headers["Location"] = location
    return body, status, headers


def read(aggregate: Any, body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """One record as read now, with its version as ETag (send it back as If-Match); its
    subject, if it is about a person, goes to the request log line."""
    note_aggregate(aggregate)
    return {**body, "version": aggregate.version, "position": None}, 200, {
        "ETag": f'"{aggregate.version}"'}


def if_match() -> int | None:
    """The version the client read (If-Match), or None when it sent none."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        abort(400, message=f"If-Match must be the record's version, e.g. \"3\"; got {header!r}")
    return int(value)


def listed(found: Page) -> list[Any]:
    """A list page's records, each read at the version the list read model names (the state
    as of the projections' position, whatever was recorded since)."""
    repository = ledger().repository
    records: list[Any] = [repository.get(UUID(item.id), version=item.version)
                          for item in found.items]
    for record in records:  # whose data the page shows, to the request log line
        note_aggregate(record)
    return records


def page(items: list[dict[str, Any]], next_position: int | None) -> dict[str, Any]:
    return {"items": items, "next": next_position}
