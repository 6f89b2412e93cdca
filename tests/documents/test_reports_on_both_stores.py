"""Documents of a small, clean year on SQLite and PostgreSQL (the ``ledger`` fixture), from the
command line and over HTTP: figures, cut-offs, reproducibility and refusals."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from cli_run import run_cli
from pdf_text import attachments, text_of
from rendered import audit_report, claim_dossier, handover_minutes

from ledger.application import Ledger
from ledger.enrolment import EndReason
from ledger.errors import InvalidInputError, NotFoundError
from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
from ledger.journal.verify_proof import check_inclusion
from scenario import Year, clean_year, projected
from storage.log_index import open_ledger


def test_the_audit_report_of_a_small_year_adds_up_and_renders_the_same_twice(
    ledger: Ledger,
) -> None:
    clean_year(ledger)
    projected(ledger)
    key = new_private_key()
    first = audit_report(ledger, "TNG-2025", signing_key=key)
    text = text_of(first.content)
    assert "Peserta terdaftar 3 peserta" in text
    assert "Peserta aktif pada posisi data 2 peserta" in text  # one died
    assert "SP2D/1" in text and "SP2D/2" in text
    assert "3 September 2025 · GOR Nambo Jaya" in text
    assert "Tidak ada temuan." in text
    again = audit_report(ledger, "TNG-2025", position=first.position, signing_key=key)
    assert again.content == first.content


def test_an_audit_report_as_of_an_earlier_position_is_drawn_from_its_own_tables(
    ledger: Ledger,
) -> None:
    year: Year = clean_year(ledger)
    seen = projected(ledger)
    ceremony = int(seen["handovers"][0]["position"])
    earlier = audit_report(ledger, "TNG-2025", position=ceremony - 1)
    assert earlier.position == ceremony - 1
    assert "GOR Nambo Jaya" not in text_of(earlier.content)
    ledger.end_coverage(year.members[1].id, date(2025, 12, 31), EndReason.MOVED,
                        "moved to Kabupaten Tangerang", actor="clerk.siti")
    projected(ledger)
    # The same earlier cut-off gives the same file after more was recorded.
    assert audit_report(ledger, "TNG-2025", position=ceremony - 1).content == earlier.content


def test_the_dossier_and_the_minutes_of_the_year_check_out(ledger: Ledger) -> None:
    clean_year(ledger)
    seen = projected(ledger)
    key = new_private_key()
    [claim] = seen["claims"]
    dossier = claim_dossier(ledger, claim["claim_id"], signing_key=key)
    proofs = json.loads(attachments(dossier.content)["proofs.json"])
    assert proofs and all(check_inclusion(p, public_key_text(private_key(key))).ok
                          for p in proofs)
    assert "Rp42.000.000" in text_of(dossier.content)
    minutes = handover_minutes(ledger, seen["handovers"][0]["handover_id"])
    text = text_of(minutes.content)
    assert "3 September 2025, bertempat di GOR Nambo Jaya" in text
    assert "Jumlah seluruhnya (1 penerima)" in text and "Rp42.000.000" in text
    assert "belum menerima pembayaran" not in text  # it was paid before the ceremony


def test_documents_refuse_what_does_not_exist_in_plain_words(ledger: Ledger) -> None:
    clean_year(ledger)
    projected(ledger)
    with pytest.raises(NotFoundError, match="programme NOPE-1"):
        audit_report(ledger, "NOPE-1")
    with pytest.raises(InvalidInputError, match="is not in the log"):
        audit_report(ledger, "TNG-2025", position=10**9)
    with pytest.raises(InvalidInputError, match="documents are in id or en"):
        audit_report(ledger, "TNG-2025", lang="fr")
    with pytest.raises(InvalidInputError, match="not a claim id"):
        claim_dossier(ledger, "12")
    with pytest.raises(NotFoundError):
        handover_minutes(ledger, "5f0c3a56-0000-4000-8000-000000000000")


# -- the command line ----------------------------------------------------------------------------


def test_report_commands_write_the_file_whole_or_not_at_all(tmp_path: Path) -> None:
    from storage.settings import settings_from_url
    from storage.store import init_store

    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    settings = settings_from_url(url)
    init_store(settings)
    ledger = open_ledger(settings)
    try:
        clean_year(ledger)
    finally:
        ledger.close()
    written = run_cli("report", "audit", "--program", "TNG-2025", "-o", "audit.pdf", url=url,
                   cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    content = (tmp_path / "audit.pdf").read_bytes()
    assert hashlib.sha256(content).hexdigest() in written.stdout
    assert "tidak ditandatangani" in text_of(content)  # no LEDGER_SIGNING_KEY here
    refused = run_cli("report", "audit", "--program", "NOPE-1", "-o", "nope.pdf", url=url,
                   cwd=tmp_path)
    assert refused.returncode == 2 and "NOPE-1" in refused.stderr
    assert "Traceback" not in refused.stderr
    both = run_cli("report", "audit", "--program", "TNG-2025", "--position", "3", "--as-of",
                "2025-05-01", "-o", "both.pdf", url=url, cwd=tmp_path)
    assert both.returncode == 2 and "not both" in both.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".part")) == [
        "audit.pdf"]
