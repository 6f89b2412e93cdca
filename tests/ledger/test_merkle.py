"""RFC 6962 Merkle trees: roots, inclusion and consistency proofs, and refusals of bad proofs."""

from __future__ import annotations

import hashlib

import pytest

from ledger.journal.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    parents,
    root,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [leaf_hash(f"event {i}".encode()) for i in range(40)]


def _reference(leaves: list[bytes]) -> bytes:
    """RFC 6962 MTH written as the RFC's recursion, to check the iterative code against."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(_reference(leaves[:k]), _reference(leaves[k:]))


def test_leaf_and_node_hashes_have_distinct_prefixes() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()


def test_the_root_follows_the_rfc_recursion_for_every_size() -> None:
    assert root([]) == EMPTY_ROOT
    for n in range(1, 41):
        assert root(LEAVES[:n]) == _reference(LEAVES[:n])


def test_a_frontier_grown_leaf_by_leaf_gives_the_same_roots() -> None:
    frontier = Frontier()
    for n, leaf in enumerate(LEAVES, start=1):
        frontier.append(leaf)
        assert frontier.root() == _reference(LEAVES[:n])
    again = Frontier(frontier.size, frontier.hashes)
    assert again.root() == frontier.root()


def test_a_frontier_extended_by_many_leaves_equals_one_grown_leaf_by_leaf() -> None:
    for before in range(0, 20):
        for added in range(0, 21):
            one = Frontier()
            for leaf in LEAVES[: before + added]:
                one.append(leaf)
            many = Frontier()
            for leaf in LEAVES[:before]:
                many.append(leaf)
            many.extend(LEAVES[before : before + added])
            assert (many.size, many.hashes) == (one.size, one.hashes), (before, added)
            assert many.root() == _reference(LEAVES[: before + added])


def test_a_frontier_extended_in_uneven_pieces_has_the_rfc_root() -> None:
    frontier, start = Frontier(), 0
    for piece in (3, 1, 8, 5, 0, 16, 7):
        frontier.extend(LEAVES[start : start + piece])
        start += piece
        assert frontier.root() == _reference(LEAVES[:start])


def test_a_level_of_parents_hashes_each_pair_and_refuses_an_odd_one() -> None:
    assert parents(LEAVES[:4]) == [node_hash(LEAVES[0], LEAVES[1]),
                                   node_hash(LEAVES[2], LEAVES[3])]
    assert parents([]) == []
    with pytest.raises(ValueError):
        parents(LEAVES[:3])


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 9, 31, 40])
def test_every_leaf_has_an_inclusion_proof_that_verifies(size: int) -> None:
    tree = LEAVES[:size]
    top = root(tree)
    for index in range(size):
        proof = inclusion_proof(index, tree)
        assert verify_inclusion(index, size, tree[index], proof, top)


def test_wrong_inclusion_proofs_are_refused() -> None:
    tree = LEAVES[:13]
    top = root(tree)
    proof = inclusion_proof(5, tree)
    assert not verify_inclusion(6, 13, tree[5], proof, top)  # wrong index
    assert not verify_inclusion(5, 13, tree[6], proof, top)  # wrong leaf
    assert not verify_inclusion(5, 8, tree[5], proof, top)  # wrong size (other shape)
    assert not verify_inclusion(5, 13, tree[5], proof[:-1], top)  # truncated
    assert not verify_inclusion(5, 13, tree[5], [*proof, proof[0]], top)  # padded
    assert not verify_inclusion(5, 13, tree[5], proof, root(LEAVES[:14]))  # other root


@pytest.mark.parametrize("second", [2, 3, 8, 13, 40])
def test_every_prefix_has_a_consistency_proof_that_verifies(second: int) -> None:
    for first in range(1, second + 1):
        proof = consistency_proof(first, LEAVES[:second])
        assert verify_consistency(first, second, root(LEAVES[:first]), root(LEAVES[:second]),
                                  proof), (first, second)


def test_a_rewritten_history_fails_consistency() -> None:
    forged = [*LEAVES[:5], leaf_hash(b"forged"), *LEAVES[6:20]]
    proof = consistency_proof(10, forged)
    assert not verify_consistency(10, 20, root(LEAVES[:10]), root(forged), proof)
    assert not verify_consistency(10, 20, root(LEAVES[:10]), root(LEAVES[:20]), proof[:-1])
