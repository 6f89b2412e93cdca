"""RFC 6962 Merkle trees, proofs and their verification, in pure Python (stdlib only).

Leaf hash ``SHA-256(0x00 || data)``, node hash ``SHA-256(0x01 || left || right)``: the distinct
prefixes keep a leaf from ever passing for a node. The tree over ``n`` leaves splits at the
largest power of two below ``n`` (RFC 6962 section 2.1); proofs follow the same recursion and
are verified with the algorithms of RFC 9162 section 2.1.3-2.1.4. Nothing here touches a
database: an auditor can check a proof with this module, a checkpoint and a public key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
_NODE = b"\x01%b%b"


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def parents(hashes: Sequence[bytes]) -> list[bytes]:
    """The node hash of each pair of ``hashes`` (an even number of them): one level of a tree
    computed at once, with no call of ``node_hash`` per node."""
    pairs = iter(hashes)
    sha256 = hashlib.sha256
    return [sha256(_NODE % pair).digest() for pair in zip(pairs, pairs, strict=True)]


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of leaf hashes, computed left to right with a stack of subtrees."""
    if not leaves:
        return EMPTY_ROOT
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()


class Frontier:
    """The right edge of a growing tree: one hash per perfect subtree, so appending a leaf and
    computing the root both cost O(log n) and the whole state fits in a row."""

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        self.size = size
        self.hashes = list(hashes)  # perfect subtrees, largest (leftmost) first

    def append(self, leaf: bytes) -> None:
        self.hashes.append(leaf)
        self.size += 1
        carry = self.size
        while carry % 2 == 0:  # merge equal-sized subtrees, as binary addition carries
            right = self.hashes.pop()
            left = self.hashes.pop()
            self.hashes.append(node_hash(left, right))
            carry //= 2

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Append many leaves: the same right edge as appending them one by one, computed a
        level at a time (each level's pairs hashed in C) instead of a carry loop per leaf."""
        if not leaves:
            return
        edge = dict(zip(_levels(self.size), self.hashes, strict=True))  # height -> hash
        hashes, height = list(leaves), 0
        while hashes:
            if height in edge:  # the edge's subtree of this height is the left neighbour
                hashes.insert(0, edge.pop(height))
            if len(hashes) % 2:
                edge[height] = hashes.pop()  # unpaired: the new edge's subtree of this height
            hashes = parents(hashes)
            height += 1
        self.size += len(leaves)
        self.hashes = [edge[h] for h in sorted(edge, reverse=True)]

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        current = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            current = node_hash(left, current)
        return current


def _levels(size: int) -> list[int]:
    """The heights of the perfect subtrees on the right edge of a tree of ``size`` leaves,
    largest first (the set bits of ``size``)."""
    return [h for h in range(size.bit_length() - 1, -1, -1) if size >> h & 1]


def _mth(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    if end - start == 1:
        return leaves[start]
    return root(leaves[start:end])


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``leaves`` (RFC 6962 PATH)."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    path: list[bytes] = []
    start, end, m = 0, len(leaves), index
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            path.append(_mth(leaves, start + k, end))
            end = start + k
        else:
            path.append(_mth(leaves, start, start + k))
            start, m = start + k, m - k
    return list(reversed(path))


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """Proof that the tree of the first ``first`` leaves is a prefix of this one (RFC 6962)."""
    n = len(leaves)
    if not 0 < first <= n:
        raise ValueError(f"no consistency proof from {first} leaves to {n}")
    proof: list[bytes] = []
    start, end, m, whole = 0, n, first, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(_mth(leaves, start + k, end))
            end = start + k
        else:
            proof.append(_mth(leaves, start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(_mth(leaves, start, end))
    return list(reversed(proof))


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes],
                     expected_root: bytes) -> bool:
    """RFC 9162 2.1.3.2: does ``proof`` put ``leaf`` at ``index`` of the tree with that root?"""
    if not 0 <= index < size:
        return False
    fn, sn, current = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            current = node_hash(sibling, current)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            current = node_hash(current, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and current == expected_root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: is the tree of size ``first`` a prefix of the one of size ``second``?"""
    if first == second:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the old root is the first subtree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old = new = path[0]
    for sibling in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            old = node_hash(sibling, old)
            new = node_hash(sibling, new)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            new = node_hash(new, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and old == first_root and new == second_root


class Tree:
    """A whole tree kept in memory, for many proofs at once: every perfect subtree is hashed
    once (levels of a binary tree), so each inclusion proof costs O(log n) instead of the
    O(n) of :func:`inclusion_proof`, which rehashes the subtrees it needs every time."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.size = len(leaves)
        self._levels: list[list[bytes]] = [list(leaves)]
        while len(self._levels[-1]) > 1:
            below = self._levels[-1]
            self._levels.append([node_hash(below[i], below[i + 1])
                                 for i in range(0, len(below) - 1, 2)])
        self._edge: dict[tuple[int, int], bytes] = {}  # the right edge's imperfect subtrees

    def _hash(self, start: int, end: int) -> bytes:
        width = end - start
        if width & (width - 1) == 0:  # a perfect subtree, aligned as RFC 6962 splits them
            return self._levels[width.bit_length() - 1][start // width]
        found = self._edge.get((start, end))
        if found is None:
            k = _split(width)
            found = node_hash(self._hash(start, start + k), self._hash(start + k, end))
            self._edge[(start, end)] = found
        return found

    def root(self) -> bytes:
        return self._hash(0, self.size) if self.size else EMPTY_ROOT

    def inclusion_proof(self, index: int) -> list[bytes]:
        """The same audit path as :func:`inclusion_proof` of leaf ``index``."""
        if not 0 <= index < self.size:
            raise ValueError(f"leaf {index} is not in a tree of {self.size} leaves")
        path: list[bytes] = []
        start, end, m = 0, self.size, index
        while end - start > 1:
            k = _split(end - start)
            if m < k:
                path.append(self._hash(start + k, end))
                end = start + k
            else:
                path.append(self._hash(start, start + k))
                start, m = start + k, m - k
        return list(reversed(path))
