"""The browser checks a journal proof itself (static/console/proof.js, Web Crypto): it agrees
with the ledger's own verifier on every leaf of trees of many sizes, and says plainly when a
proof, a root or a signature was tampered with."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

import pytest
from console_client import LiveConsole
from playwright.sync_api import Page

from ledger.journal.checkpoint import (
    Checkpoint,
    leaf_of,
    new_private_key,
    private_key,
    public_key_text,
)
from ledger.journal.merkle import inclusion_proof, root
from ledger.journal.verify_proof import check_inclusion

pytestmark = pytest.mark.browser

SIZES = (1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17)


def _tree(size: int, key: str) -> list[dict[str, Any]]:
    """Every leaf's proof, as 'journal prove' and the API give it, in a signed tree."""
    leaves = [leaf_of(n + 1, UUID(int=n), 1, "ledger.claim:Claim.Filed", b'{"n":%d}' % n)
              for n in range(size)]
    checkpoint = Checkpoint.sign(size, root(leaves), "2026-02-03T09:00:00+00:00",
                                 private_key(key))
    return [{"position": n + 1, "leaf_index": n, "leaf_hash": leaves[n].hex(),
             "tree_size": size, "root": checkpoint.root.hex(),
             "proof": [h.hex() for h in inclusion_proof(n, leaves)],
             "checkpoint": checkpoint.to_text()} for n in range(size)]


def _check_all(page: Page, proofs: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(
        """async ([proofs, key]) => {
            const out = [];
            for (const proof of proofs) out.push(await claimsLedgerProof.checkProof(proof, key));
            return out;
        }""", [proofs, key])
    return found


@pytest.fixture
def checker(page: Page, live_console: LiveConsole) -> Page:
    """A console page (a secure context: loopback) with the proof checker loaded."""
    page.goto(f"{live_console.url}/sign-in")
    page.add_script_tag(url=f"{live_console.url}/assets/console/proof.js")
    assert page.evaluate("window.isSecureContext") is True
    return page


def test_the_browser_accepts_every_proof_the_ledger_accepts(checker: Page) -> None:
    key = new_private_key()
    public = public_key_text(private_key(key))
    proofs = [proof for size in SIZES for proof in _tree(size, key)]
    assert all(check_inclusion(proof, public).ok for proof in proofs)
    verdicts = _check_all(checker, proofs, public)
    assert [v["ok"] for v in verdicts] == [True] * len(proofs)
    assert all(v["inclusion"] is True and v["signature"] is True for v in verdicts)
    assert verdicts[-1]["reason"] == ("event at position 17 is leaf 16 of the 17-event "
                                      "checkpoint signed at 2026-02-03T09:00:00+00:00")


def test_the_browser_refuses_a_tampered_proof_as_the_ledger_does(checker: Page) -> None:
    key = new_private_key()
    public = public_key_text(private_key(key))
    good = _tree(13, key)[6]
    tampered: dict[str, dict[str, Any]] = {}
    node = copy.deepcopy(good)
    node["proof"][1] = ("0" if node["proof"][1][0] != "0" else "1") + node["proof"][1][1:]
    tampered["a proof node"] = node
    leaf = copy.deepcopy(good)
    leaf["leaf_hash"] = "00" * 32
    tampered["the leaf"] = leaf
    index = copy.deepcopy(good)
    index["leaf_index"] = 7
    tampered["the leaf's index"] = index
    shorter = copy.deepcopy(good)
    shorter["proof"] = shorter["proof"][:-1]
    tampered["a missing node"] = shorter
    other_root = copy.deepcopy(good)
    other_root["root"] = "ab" * 32
    tampered["the root beside the checkpoint"] = other_root
    for what, proof in tampered.items():
        assert not check_inclusion(proof, public).ok, what
    verdicts = _check_all(checker, list(tampered.values()), public)
    for what, verdict in zip(tampered, verdicts, strict=True):
        assert verdict["checked"] is True, what
        assert verdict["ok"] is False, what
    assert verdicts[0]["reason"] == "the audit path does not lead to the checkpoint's root"
    assert verdicts[4]["reason"] == "the proof names another tree than its checkpoint"


def test_the_browser_checks_the_checkpoint_signature_against_the_trusted_key(
        checker: Page) -> None:
    key, stranger = new_private_key(), new_private_key()
    public = public_key_text(private_key(key))
    good = _tree(5, key)[2]
    forged = copy.deepcopy(good)
    # The same tree signed by someone else's key: the inclusion holds, the signature does not.
    signed_elsewhere = _tree(5, stranger)[2]
    altered = copy.deepcopy(good)
    altered["checkpoint"] = good["checkpoint"].replace("time 2026-02-03T09:00:00+00:00",
                                                       "time 2026-02-04T09:00:00+00:00")
    forged["checkpoint"] = altered["checkpoint"]
    verdicts = _check_all(checker, [signed_elsewhere, forged], public)
    assert verdicts[0]["inclusion"] is True and verdicts[0]["signature"] is False
    assert verdicts[0]["reason"] == "the checkpoint is not signed by the trusted key"
    assert verdicts[1]["inclusion"] is True and verdicts[1]["signature"] is False
    assert not check_inclusion(forged, public).ok
    untrusted = _check_all(checker, [good], "")[0]
    assert untrusted["ok"] is False and untrusted["inclusion"] is True
    assert "give the trusted public key" in untrusted["reason"]


def test_outside_a_secure_context_the_page_says_the_proof_was_not_checked(
        page: Page, live_console: LiveConsole) -> None:
    page.goto(f"{live_console.url}/sign-in")
    page.add_script_tag(url=f"{live_console.url}/assets/console/proof.js")
    # As on plain HTTP to another host: the browser offers no Web Crypto there.
    page.evaluate("Object.defineProperty(window, 'isSecureContext', {value: false})")
    verdict = page.evaluate("claimsLedgerProof.checkProof({}, '')")
    assert verdict["checked"] is False and verdict["ok"] is False
    assert "the proof was NOT checked" in verdict["reason"]
