"""The statements of the keyed NIK index and the data keys (:mod:`storage.personal`) that take
a whole import batch on PostgreSQL, and how their lists are sent.

A list goes as one comma-separated text the server splits (``string_to_array``): one parameter
psycopg sends as it is, not an array it dumps item by item in Python (for 1,000s of hex HMACs,
ids and base64 keys a batch, that dumping cost more than the server's work).
"""

from __future__ import annotations

from collections.abc import Iterable


def joined(values: Iterable[str]) -> str:
    """Values as one comma-separated text, which PostgreSQL splits (``string_to_array``): one
    parameter psycopg sends as it is, not an array it builds item by item. Only for the index's
    and keys' own values (hex, ids, base64, ISO times), which hold no comma."""
    items = list(values)
    text = ",".join(items)
    if text.count(",") != max(len(items) - 1, 0) or "" in items:
        raise ValueError("a value to join is empty or holds a comma")
    return text


#: An import batch's new subjects claimed and their keys stored in one statement: the index
#: rows that do not conflict, then the key rows of exactly those subjects; the NIKs claimed.
#: The key rows are inserted plainly, without ``ON CONFLICT``: a subject is a fresh random id,
#: so a key row already there for it means the id source repeated itself, and the statement
#: fails whole (no index row then points at another person's key). That also spares the
#: server a speculative insertion per key and a join to report the claimed NIKs (about a
#: quarter of the statement's time for 1,000 NIKs).
CLAIM = (
    "WITH offered AS (SELECT * FROM unnest(string_to_array(%s, ','), "
    "string_to_array(%s, ','), string_to_array(%s, ',')) AS o(nik_hmac, subject_id, wrapped)), "
    "claimed AS (INSERT INTO {index} (nik_hmac, subject_id) SELECT nik_hmac, subject_id "
    "FROM offered ON CONFLICT DO NOTHING RETURNING nik_hmac, subject_id), "
    "keyed AS (INSERT INTO {keys} (subject_id, wrapped) SELECT o.subject_id, o.wrapped "
    "FROM offered o JOIN claimed c ON c.subject_id = o.subject_id) "
    "SELECT nik_hmac FROM claimed")
