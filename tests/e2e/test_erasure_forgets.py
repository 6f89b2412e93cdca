"""A worker and their heir erased, end to end, on SQLite and PostgreSQL: no byte of the worker's
NIK and name, the heir's NIK and name or the account anywhere in the database (every table
dumped), in the export, in the logs or in the PDFs made after; ``verify`` with a checkpoint
signed before the erasure passes, every inclusion proof checks, a PDF made before still matches
its recorded hash, and the programme's figures are the same after ``project --rebuild``."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cli_run import run_cli
from pdf_text import attachments, text_of
from rendered import audit_report, claim_dossier, handover_minutes

from ledger.application import Ledger
from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
from ledger.journal.verify_proof import check_inclusion
from projections.opening import open_read_side
from scenario import clean_year, heir, projected
from storage import key_cache
from storage.log_index import open_ledger
from storage.settings import StoreSettings

BASIS = "UU 27/2022 pasal 8; permohonan no. PDP/2026/014"


def _dump(settings: StoreSettings) -> str:
    """Every row of every table of the store (the ledger's schema and its read models' beside
    it, and on PostgreSQL any rebuilt or swapped schema of them), as text (SQLite: iterdump)."""
    if not settings.is_postgres:
        with sqlite3.connect(settings.env["SQLITE_DBNAME"]) as connection:
            return "\n".join(connection.iterdump())
    schema = settings.env["POSTGRES_SCHEMA"]
    url = settings.url.split("?", 1)[0]
    lines: list[str] = []
    with psycopg.connect(url) as connection:
        tables = connection.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema LIKE %s", (f"{schema}%",)).fetchall()
        assert len(tables) > 20
        for owner, table in tables:
            for row in connection.execute(f'SELECT * FROM "{owner}"."{table}"'):
                lines.append(f"{owner}.{table}: {row!r}")
    return "\n".join(lines)


def _figures(ledger: Ledger) -> dict[str, Any]:
    """The programme's figures: budget, balances, findings per rule."""
    with open_read_side(ledger) as view:
        budget = view.budget("TNG-2025")
        return {"budget": repr(budget), "claims": [(c.claim_id, c.approved, c.disbursed)
                                                    for c in view.claims("TNG-2025")],
                "findings": sorted(f.rule for f in view.findings(program="TNG-2025")),
                "members": len(view.roster("TNG-2025"))}


def test_an_erased_worker_and_heir_leave_no_byte_behind_and_every_proof_holds(
    store_settings: StoreSettings, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    ledger = open_ledger(store_settings)
    year = clean_year(ledger, retention_years=1)  # one death in 2025, paid to the heir
    member, paid_heir = year.members[0], heir()
    secrets = {"the worker's NIK": member.nik, "the worker's name": member.name,
               "the worker's KK": member.kk, "the heir's NIK": paid_heir.nik,
               "the heir's name": paid_heir.name, "the account": paid_heir.account_number}
    [claim] = projected(ledger)["claims"]
    handover_id = projected(ledger)["handovers"][0]["handover_id"]
    key = new_private_key()
    public = public_key_text(private_key(key))
    before = audit_report(ledger, "TNG-2025", signing_key=key, roster=True)
    recorded_hash = hashlib.sha256(before.content).hexdigest()
    assert member.name in text_of(before.content) or member.nik[-4:] in text_of(before.content)
    old_dossier = claim_dossier(ledger, claim["claim_id"], signing_key=key)
    (tmp_path / "checkpoint.txt").write_text(before.checkpoint_text or "")
    figures = _figures(ledger)
    admin = ledger.issue_token("admin.ayu", "admin", actor="test")[0]
    ledger.close()

    outputs: list[str] = []
    for nik in (member.nik, paid_heir.nik):
        done = run_cli("erase", "--nik", nik, "--basis", BASIS, "--reason", "asked in writing",
                       "--token", admin, url=store_settings.url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "erased" in done.stdout and "data key yes" in done.stdout
        outputs.append(done.stdout + done.stderr)
    rebuilt = run_cli("project", "--rebuild", url=store_settings.url, cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    exported = run_cli("export", "-o", str(tmp_path / "log.jsonl"), url=store_settings.url,
                       cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    verified = run_cli("verify", "--checkpoint", str(tmp_path / "checkpoint.txt"),
                       "--public-key", public, url=store_settings.url, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    outputs += [rebuilt.stdout + rebuilt.stderr, exported.stdout + exported.stderr,
                verified.stdout + verified.stderr]

    # As a new process would: no aggregate, and no data key, this process read before the
    # erasures (another process's erasure reaches a running one within RECHECK_SECONDS).
    key_cache._CACHES.clear()
    ledger = open_ledger(store_settings)
    try:
        assert _figures(ledger) == figures  # budget, balances, findings: unchanged
        again = audit_report(ledger, "TNG-2025", position=before.position, signing_key=key,
                             roster=True)
        now = audit_report(ledger, "TNG-2025", signing_key=key, roster=True)
        dossier = claim_dossier(ledger, claim["claim_id"], signing_key=key)
        minutes = handover_minutes(ledger, handover_id)
        pdf_texts = {name: text_of(report.content) for name, report in (
            ("the audit report cut before", again), ("the audit report now", now),
            ("the dossier", dossier), ("the minutes", minutes))}
        pdf_texts["the roster attached"] = "\n".join(
            data.decode("utf-8", "replace") for data in attachments(now.content).values())
        assert "2 people's personal fields were erased" not in pdf_texts["the audit report now"]
        assert ("Data pribadi 2 orang dihapus setelah batas data ini"
                in pdf_texts["the audit report cut before"])
        assert "[dihapus]" in pdf_texts["the dossier"]
        assert "Rp42.000.000" in pdf_texts["the dossier"]  # every figure kept
        proofs = json.loads(attachments(dossier.content)["proofs.json"])
        old_proofs = json.loads(attachments(old_dossier.content)["proofs.json"])
        assert proofs and all(check_inclusion(p, public).ok for p in proofs + old_proofs)
        places = {"the database": _dump(store_settings),
                  "the export": (tmp_path / "log.jsonl").read_text(encoding="utf-8"),
                  "the logs": caplog.text + "\n".join(outputs), **pdf_texts}
    finally:
        ledger.close()
    assert hashlib.sha256(before.content).hexdigest() == recorded_hash
    found = [f"{what} in {where}" for where, text in places.items()
             for what, secret in secrets.items() if secret in text]
    assert found == []
