"""The journal page says which witnesses co-signed the checkpoint its proofs rest on (the demo's
in-process witness), and whether the quorum of LEDGER_POLICY holds, in both languages."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from console_client import Browserless

from ledger.journal.note import COSIGNATURE_V1, SignerKey


def text_of(html: str) -> str:
    """A page's words, as a reader sees them."""
    body = re.sub(r"<svg.*?</svg>|<script.*?</script>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def journal_page(demo: Browserless, lang: str = "id") -> str:
    demo.sign_in("auditor")
    if lang == "en":
        demo.post_form("/language", {"lang": "en", "next": "/journal"})
    return text_of(demo.get("/journal").get_data(as_text=True))


def test_the_journal_page_names_the_demo_witness_and_says_no_policy_checked_it(
        demo: Browserless, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEDGER_POLICY", raising=False)
    page = journal_page(demo)
    assert "Ditandatangani bersama oleh demo (20 Mei 2026 09:00 WIB)" in page
    assert "Tidak diperiksa: LEDGER_POLICY tidak diatur." in page
    assert "witness.demo.claims-ledger.local" in page  # the cosignature line itself


@pytest.mark.parametrize("lang", ["id", "en"])
def test_with_the_demo_s_policy_the_journal_page_says_the_quorum_holds(
        demo: Browserless, demo_file: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setenv("LEDGER_POLICY", str(demo_file.parent / "demo-policy.txt"))
    page = journal_page(demo, lang)
    if lang == "id":
        assert "Kuorum kebijakan saksi Terpenuhi." in page
    else:
        assert "Co-signed by demo (20 May 2026 09:00 WIB)" in page
        assert "Witness policy quorum Holds." in page


def test_a_policy_asking_for_a_witness_that_did_not_co_sign_is_said_not_to_hold(
        demo: Browserless, demo_file: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    demo_policy = (demo_file.parent / "demo-policy.txt").read_text()
    log_line = next(line for line in demo_policy.splitlines() if line.startswith("log "))
    bpk = SignerKey.generate("bpk.go.id/witness", COSIGNATURE_V1).verifier().to_text()
    policy = tmp_path / "bpk-policy.txt"
    policy.write_text(f"{log_line}\nwitness bpk {bpk}\nquorum bpk\n")
    monkeypatch.setenv("LEDGER_POLICY", str(policy))
    page = journal_page(demo)
    assert "TIDAK terpenuhi: jangan mempercayai jurnal ini sebelum kuorum terpenuhi." in page
    # The demo's own witness is not in this policy: its cosignature does not count.
    assert "Ditandatangani bersama oleh demo" not in page
    assert "Belum ada saksi yang menandatangani bersama checkpoint ini." in page
