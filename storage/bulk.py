"""Reading many aggregates' first events in one query, decoded by the library's own mapper.

A contribution names thousands of members; loading each enrolment through the repository would
be one query per member. The creation event (version 1) carries what the check needs (the
programme), so one query per chunk of ids reads them all, and the application's mapper decodes
them exactly as the repository would (transcodings, compression, encryption included).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from queue import Queue
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification, StoredEvent

from ledger.journal.checkpoint import LEAF_DOMAIN, LeafInput, LeafRow, canonical_id, leaf_input

CHUNK = 900  # below SQLite's default limit of 999 bound parameters
#: Rows per page of :func:`stored_pages`: big enough that a query's round trip is small beside
#: the rows, small enough that the next page is read while this one is worked on.
PAGE = 20_000

T = TypeVar("T")


def _chunks(ids: list[UUID], size: int) -> Iterator[list[UUID]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def first_events(datastore: Any, table: str, mapper: Mapper[UUID], postgres: bool,
                 ids: Iterable[UUID]) -> dict[UUID, Any]:
    """The creation event of each id that exists (ids that do not exist are simply absent)."""
    wanted = list(dict.fromkeys(ids))
    found: dict[UUID, Any] = {}
    with datastore.transaction(commit=False) as cursor:
        for chunk in _chunks(wanted, CHUNK):
            if postgres:
                cursor.execute(
                    f"SELECT originator_id, originator_version, topic, state FROM {table} "
                    "WHERE originator_id = ANY(%s) AND originator_version = 1",
                    (chunk,),
                )
            else:
                marks = ",".join("?" * len(chunk))
                cursor.execute(
                    f"SELECT originator_id, originator_version, topic, state FROM {table} "
                    f"WHERE originator_id IN ({marks}) AND originator_version = 1",
                    [i.hex for i in chunk],  # how the SQLite recorder writes UUIDs
                )
            for row in cursor.fetchall():
                stored = StoredEvent(
                    originator_id=UUID(str(row["originator_id"])),
                    originator_version=int(row["originator_version"]),
                    topic=str(row["topic"]),
                    state=bytes(row["state"]),
                )
                event = mapper.to_domain_event(stored)
                found[UUID(str(event.originator_id))] = event
    return found


def event_positions(datastore: Any, table: str, postgres: bool,
                    aggregate_id: UUID) -> list[tuple[int, int, str]]:
    """(version, log position, topic) of every event of one aggregate, in version order."""
    with datastore.transaction(commit=False) as cursor:
        if postgres:
            cursor.execute(
                f"SELECT originator_version, notification_id, topic FROM {table} "
                "WHERE originator_id = %s ORDER BY originator_version", (aggregate_id,))
            rows = cursor.fetchall()
            return [(int(r["originator_version"]), int(r["notification_id"]), str(r["topic"]))
                    for r in rows]
        cursor.execute(
            f"SELECT originator_version, rowid AS position, topic FROM {table} "
            "WHERE originator_id = ? ORDER BY originator_version", [aggregate_id.hex])
        return [(int(r["originator_version"]), int(r["position"]), str(r["topic"]))
                for r in cursor.fetchall()]


def positions_of(datastore: Any, table: str, postgres: bool,
                 ids: Iterable[UUID]) -> list[tuple[UUID, int, int]]:
    """(aggregate id, version, log position) of every event of these aggregates, in log order:
    one query per chunk of ids (a history of many records reads their positions at once)."""
    wanted = list(dict.fromkeys(ids))
    found: list[tuple[UUID, int, int]] = []
    with datastore.transaction(commit=False) as cursor:
        for chunk in _chunks(wanted, CHUNK):
            if postgres:
                cursor.execute(
                    f"SELECT originator_id, originator_version, notification_id AS position "
                    f"FROM {table} WHERE originator_id = ANY(%s)", (chunk,))
            else:
                marks = ",".join("?" * len(chunk))
                cursor.execute(
                    f"SELECT originator_id, originator_version, rowid AS position FROM {table} "
                    f"WHERE originator_id IN ({marks})", [i.hex for i in chunk])
            found += [(UUID(str(row["originator_id"])), int(row["originator_version"]),
                       int(row["position"])) for row in cursor.fetchall()]
    return sorted(found, key=lambda row: row[2])


def mentioning(datastore: Any, table: str, postgres: bool, topics: tuple[str, ...],
               texts: tuple[bytes, ...]) -> list[Notification]:
    """The events of ``topics`` whose stored bytes hold any of ``texts``, in log order: the
    database searches the bytes in one pass, so events that do not hold them never leave it."""
    if not texts or not topics:
        return []
    with datastore.transaction(commit=False) as cursor:
        if postgres:
            held = " OR ".join(["position(%s::bytea in state) > 0"] * len(texts))
            cursor.execute(
                f"SELECT notification_id AS id, originator_id, originator_version, topic, state"
                f" FROM {table} WHERE topic = ANY(%s) AND ({held}) ORDER BY notification_id",
                (list(topics), *texts))
        else:
            kinds = ",".join("?" * len(topics))
            held = " OR ".join(["instr(state, ?) > 0"] * len(texts))
            cursor.execute(
                f"SELECT rowid AS id, originator_id, originator_version, topic, state"
                f" FROM {table} WHERE topic IN ({kinds}) AND ({held}) ORDER BY rowid",
                [*topics, *texts])
        return [Notification(id=int(row["id"]), originator_id=UUID(str(row["originator_id"])),
                             originator_version=int(row["originator_version"]),
                             topic=str(row["topic"]), state=bytes(row["state"]))
                for row in cursor.fetchall()]


def stored_pages(datastore: Any, table: str, postgres: bool,
                 connect: Callable[[], Any] | None = None
                 ) -> Generator[list[LeafRow], None, None]:
    """Every stored event as stored, in log order, a page of rows at a time, each row as the
    journal's leaf hash takes it (:data:`~ledger.journal.checkpoint.LeafRow`): what verify
    needs, and what its bench reads as the baseline.

    On PostgreSQL the rows arrive in binary, text columns as their bytes (no decoding), and a
    thread reads the next page while the caller works on this one (waiting on the database
    releases the GIL); closing the iterator early ends the thread and its connection.
    """
    if postgres:
        assert connect is not None, "PostgreSQL pages are read on a connection of their own"
        yield from _read_ahead(_postgres_pages(connect, table))
        return
    with datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT rowid, originator_id, originator_version, topic, state "
                       f"FROM {table} ORDER BY rowid")
        rows = cursor.fetchall()
    for start in range(0, len(rows), PAGE):
        # A row edited by hand may hold text where a BLOB was: hash what is there.
        yield [(int(r[0]), canonical_id(str(r[1])), int(r[2]), str(r[3]).encode(),
                r[4].encode() if isinstance(r[4], str) else bytes(r[4]))
               for r in rows[start : start + PAGE]]


def leaf_input_pages(datastore: Any, table: str, postgres: bool,
                     connect: Callable[[], Any] | None = None
                     ) -> Generator[list[LeafInput], None, None]:
    """Every stored event as the bytes its journal leaf hashes, with its position, in log
    order, a page at a time (:data:`~ledger.journal.checkpoint.LeafInput`): what ``verify``
    hashes.

    On PostgreSQL the server lays each row's bytes out itself (position, aggregate id, version,
    topic and state, as :func:`~ledger.journal.checkpoint.leaf_input` does) and sends one
    value a row: no five objects per row to build here and no formatting, which together cost
    verify more than hashing the bytes. A thread reads the next page while the caller works on
    this one; closing the iterator early ends the thread and its connection.
    """
    if postgres:
        assert connect is not None, "PostgreSQL pages are read on a connection of their own"
        yield from _read_ahead(_postgres_pages(connect, table, laid_out=True))
        return
    for page in stored_pages(datastore, table, postgres):
        yield [(row[0], leaf_input(row)) for row in page]


#: The leaf's bytes as PostgreSQL lays them out: the same bytes as ``leaf_input(row)`` of
#: :func:`stored_pages`'s row. Text goes in as its UTF-8 bytes (``convert_to``; a cast to bytea
#: would read backslashes as escapes); the prefix and the NULs are bound as bytes.
_LAID_OUT = ("%(domain)b || convert_to(notification_id::text, 'UTF8') || %(nul)b"
             " || convert_to(originator_id::text, 'UTF8') || %(nul)b"
             " || convert_to(originator_version::text, 'UTF8') || %(nul)b"
             " || convert_to(topic, 'UTF8') || %(nul)b || state")


def _postgres_pages(connect: Callable[[], Any], table: str,
                    laid_out: bool = False) -> Iterator[list[Any]]:
    from psycopg.types.string import ByteaBinaryLoader

    columns = _LAID_OUT if laid_out else "originator_id::text, originator_version, topic, state"
    layout = {"domain": LEAF_DOMAIN, "nul": b"\x00"} if laid_out else {}
    with connect() as connection:
        connection.autocommit = True  # no transaction left open while the caller works
        if connection.info.encoding != "utf-8":
            connection.execute("SET client_encoding TO 'UTF8'")  # a topic's bytes in UTF-8
        cursor = connection.cursor(binary=True)
        cursor.adapters.register_loader("text", ByteaBinaryLoader)  # text as its bytes
        position = -1
        while True:  # pages by position: steadier than one long server-side cursor
            rows = cursor.execute(
                f"SELECT notification_id, {columns} FROM {table} "
                f"WHERE notification_id > %(position)s ORDER BY notification_id LIMIT {PAGE}",
                {**layout, "position": position}).fetchall()
            if not rows:
                return
            yield rows
            position = rows[-1][0]


def _read_ahead(pages: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``pages`` read by a thread of their own, at most ``depth`` ahead of the caller."""
    queue: Queue[tuple[bool, Any]] = Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for page in pages:
                queue.put((True, page))
                if stop.is_set():
                    break
            queue.put((False, None))
        except BaseException as error:  # handed to the caller, raised there
            queue.put((False, error))
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=read, name="stored-pages", daemon=True)
    reader.start()
    try:
        while True:
            more, item = queue.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting to hand over a page
            while not queue.empty():
                queue.get_nowait()
            reader.join(0.05)


#: A stored row as the check for a save's own rows needs it: (log position, topic, state).
StoredRow = tuple[int, str, bytes]


def stored_at(datastore: Any, table: str, postgres: bool,
              keys: Iterable[tuple[UUID, int]]) -> dict[tuple[UUID, int], StoredRow]:
    """The rows stored at these (aggregate id, version) pairs, with their log positions (pairs
    with no row are simply absent). One query per chunk of pairs, in one read transaction."""
    wanted = list(dict.fromkeys(keys))
    found: dict[tuple[UUID, int], StoredRow] = {}
    with datastore.transaction(commit=False) as cursor:
        for start in range(0, len(wanted), CHUNK // 2):
            chunk = wanted[start : start + CHUNK // 2]
            if postgres:
                cursor.execute(
                    f"SELECT e.originator_id, e.originator_version, e.notification_id AS "
                    f"position, e.topic, e.state FROM {table} e JOIN unnest(%s::uuid[], "
                    "%s::bigint[]) AS k(id, version) ON e.originator_id = k.id AND "
                    "e.originator_version = k.version",
                    ([str(k) for k, _ in chunk], [v for _, v in chunk]))
            else:
                pairs = ",".join("(?, ?)" for _ in chunk)
                cursor.execute(
                    f"SELECT originator_id, originator_version, rowid AS position, topic, state "
                    f"FROM {table} WHERE (originator_id, originator_version) IN "
                    f"(VALUES {pairs})",
                    [part for key, version in chunk for part in (key.hex, version)])
            for row in cursor.fetchall():
                state = row["state"]
                found[(UUID(str(row["originator_id"])), int(row["originator_version"]))] = (
                    int(row["position"]), str(row["topic"]),
                    state.encode() if isinstance(state, str) else bytes(state))
    return found
