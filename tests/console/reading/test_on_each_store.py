"""The reading pages on SQLite and on PostgreSQL (the ``console`` fixture runs on each): a small
clean year's programme, its worker found by a posted NIK, and the journal page's proof once a
checkpoint is signed."""

from __future__ import annotations

import json
import re

from console_client import Browserless

from ledger.identity import mask_nik
from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
from ledger.journal.verify_proof import check_inclusion
from projections.journal import Journal
from projections.runner import Projector
from scenario import RATE, TEAM, clean_year, projected


def test_the_reading_pages_answer_from_each_store(console: Browserless) -> None:
    made = clean_year(console.ledger)
    projected(console.ledger)
    console.sign_in("auditor")
    ceiling = f"Rp{TEAM * RATE * 10:,}".replace(",", ".")
    programme = console.get("/programmes/TNG-2025")
    assert programme.status_code == 200
    assert ceiling in programme.get_data(as_text=True)
    assert console.get("/findings").status_code == 200
    nik = made.members[0].nik
    posted = console.post_form("/workers", {"nik": nik}, from_page="/workers")
    assert posted.headers["Location"] == "/workers/record"
    record = console.get("/workers/record").get_data(as_text=True)
    assert mask_nik(nik) in record and nik not in record
    assert "Person.DeathRecorded" in record
    unsigned = console.get("/journal?position=1").get_data(as_text=True)
    assert "Belum ada checkpoint bertanda tangan" in unsigned  # nothing to check against yet
    key = new_private_key()
    projector = Projector(console.ledger)
    try:
        Journal(console.ledger, projector.connection, projector.live).checkpoint(key)
    finally:
        projector.close()
    signed = console.get("/journal?position=2").get_data(as_text=True)
    data = re.search(r'id="proof-data">(.*?)</script>', signed, flags=re.S)
    assert data is not None
    assert check_inclusion(json.loads(data.group(1)), public_key_text(private_key(key))).ok
