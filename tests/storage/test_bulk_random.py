"""Keys, nonces and ids drawn for a whole import batch at once: the sizes asked, never a value
twice from the operating system, a story's seeded source asked value by value in its order, and
every key wrapped so that the store's master key opens it again."""

from __future__ import annotations

import base64
import multiprocessing
import random
import threading
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.clock import random_bytes, random_ids
from storage.bulk_random import draws, new_ids, read_ahead, wrapped_keys


class Seeded:
    """A story's source: the same bytes for the same asks, in order."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def __call__(self, size: int) -> bytes:
        return self.random.randbytes(size)


def test_a_batch_of_keys_and_nonces_from_the_system_has_the_sizes_asked_and_no_value_twice(
        ) -> None:
    pairs = draws(random_bytes, (32, 12), 1000)
    assert len(pairs) == 1000
    assert all(len(key) == 32 and len(nonce) == 12 for key, nonce in pairs)
    assert len({value for pair in pairs for value in pair}) == 2000
    triples = draws(random_bytes, (16, 8, 4), 50)
    assert [tuple(len(v) for v in t) for t in triples] == [(16, 8, 4)] * 50


def test_a_seeded_source_is_asked_value_by_value_in_the_stories_order() -> None:
    expected_source = Seeded(7)
    expected = [(expected_source(32), expected_source(12)) for _ in range(5)]
    assert draws(Seeded(7), (32, 12), 5) == expected


def test_each_new_key_is_wrapped_under_the_master_key_with_its_subject_bound() -> None:
    wrapping_key = bytes(range(32))
    subjects = new_ids(random_ids, 20)
    assert len(set(subjects)) == 20 and all(s.version == 4 for s in subjects)
    rows, keys = wrapped_keys(AESGCM(wrapping_key), random_bytes, subjects)
    assert [UUID(text) for text, _ in rows] == subjects
    for text, wrapped in rows:
        blob = base64.b64decode(wrapped)
        subject = UUID(text)
        assert AESGCM(wrapping_key).decrypt(blob[:12], blob[12:], subject.bytes) == keys[
            subject]
    assert len(set(keys.values())) == 20


def test_threads_reading_ahead_never_get_the_same_bytes() -> None:
    drawn: list[list[bytes]] = []

    def draw() -> None:
        drawn.append([read_ahead(16) for _ in range(2000)])

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    values = [value for values in drawn for value in values]
    assert len(values) == 8000 and len(set(values)) == 8000


def test_a_forked_process_does_not_draw_what_its_parent_read_ahead() -> None:
    read_ahead(16)  # the block is read; the rest of it is the parent's next draws
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        childs = pool.apply(read_ahead, (64,))
    assert read_ahead(64) != childs
