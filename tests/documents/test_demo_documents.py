"""The demo's documents read as an inspector reads them: text extracted from the PDFs, the
attached files, page images, and a second rendering compared byte for byte."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pdf_text import (
    attachments,
    beyond_right_margin,
    lines_of,
    page_images,
    pages,
    squeezed,
    text_of,
)
from rendered import audit_report, claim_dossier, handover_minutes

from documents import finding_text
from documents.audit import Report
from documents.finding_text import detail, title
from ledger.application import Ledger
from ledger.journal.checkpoint import new_private_key, private_key, public_key_text
from ledger.journal.verify_proof import check_inclusion
from projections.findings import Finding, findings
from projections.queries import Reader
from projections.runner import Projector
from seed.demo import DemoResult, build_demo
from storage.log_index import open_ledger
from storage.settings import settings_from_url
from storage.store import init_store


@dataclass
class Demo:
    ledger: Ledger
    reader: Reader
    result: DemoResult
    key: str
    audit: Report
    minutes: dict[str, Report]
    dossier: Report
    findings: list[Finding]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo scenario, projected, and its documents rendered once for the module."""
    settings = settings_from_url(f"sqlite:///{tmp_path_factory.mktemp('docs')}/d.sqlite")
    init_store(settings)
    ledger = open_ledger(settings)
    result = build_demo(ledger)
    projector = Projector(ledger)
    projector.catch_up()
    key = new_private_key()
    reader = Reader(projector.connection, projector.live)
    yield Demo(
        ledger, reader, result, key,
        audit=audit_report(ledger, "TNG-2025", signing_key=key),
        minutes={str(ledger.handover(h).held_on): handover_minutes(ledger, h)
                 for h in result.handover_ids},
        dossier=claim_dossier(ledger, result.claim_ids[0], signing_key=key),
        findings=findings(reader),
    )
    projector.close()
    ledger.close()


def test_the_audit_report_shows_rp999_936_000_used_in_full_by_5952_members(demo: Demo) -> None:
    text = text_of(demo.audit.content)
    assert "Laporan Audit Program" in text
    assert "Pagu anggaran Rp999.936.000" in text
    assert "Peserta terdaftar 5.952 peserta" in text
    assert "Sisa pagu Rp0" in text
    assert "Maret 2025 5.952 Rp16.800 Rp99.993.600" in text  # the first month, due = paid


def test_the_audit_report_sets_the_city_grants_of_rp294_000_000_beside_the_programme(
    demo: Demo,
) -> None:
    text = text_of(demo.audit.content)
    assert "Santunan Kematian Tahap I 2025 BTT 0 Rp294.000.000 Rp294.000.000" in text


def test_the_jkm_paid_on_the_forged_heir_certificate_is_printed_as_overpaid(demo: Demo) -> None:
    """H's JKM of Rp42.000.000 was paid, then its approval revoked: money to recover, said so
    in the claims tables, never as "-Rp42.000.000" under the heading of what is still owed."""
    text = text_of(demo.audit.content)
    assert "Lebih bayar Rp42.000.000" in text
    assert "-Rp" not in text
    dossier = text_of(demo.dossier.content)
    assert "-Rp" not in dossier


def test_the_audit_report_lists_the_payment_orders_and_the_nambo_jaya_ceremony(
    demo: Demo,
) -> None:
    text = text_of(demo.audit.content)
    assert "SP2D/003/BPKAD/2025 25 Maret 2025" in text
    assert "3 Februari 2026 · GOR Nambo Jaya, Kecamatan Periuk" in text
    assert "Safari Pembangunan Kota Tangerang" in text


def test_the_minutes_of_both_seed_ceremonies_give_date_venue_recipients_and_amounts(
    demo: Demo,
) -> None:
    nambo = text_of(demo.minutes["2026-02-03"].content)
    assert "BERITA ACARA SERAH TERIMA" in nambo
    assert ("Pada hari ini, Selasa, 3 Februari 2026, bertempat di GOR Nambo Jaya, Kecamatan "
            "Periuk") in nambo
    assert "Jumlah seluruhnya (4 penerima) Rp164.000.000" in nambo
    assert "Agus Gunawan *" in nambo  # handed over before its payout was recorded
    assert "belum menerima pembayaran pada saat acara" in nambo
    assert re.search(r"3671\*{8}\d{4}", nambo)
    jakarta = text_of(demo.minutes["2026-02-10"].content)
    assert "10 Februari 2026, bertempat di Hotel Shangri-La, Jakarta Pusat" in jakarta
    assert "(2 penerima)" in jakarta
    assert "Yang menyerahkan" in jakarta and "Yang menerima" in jakarta


def test_every_finding_of_the_demo_is_in_the_audit_report_of_its_programme(demo: Demo) -> None:
    assert {f.flag for f in demo.findings} == set(range(1, 11))
    programmes = sorted({p for f in demo.findings for p in f.programmes})
    reports = {code: squeezed(text_of(audit_report(demo.ledger, code).content))
               for code in programmes}
    for finding in demo.findings:
        text = reports[finding.programmes[0]]
        assert squeezed(title(finding, "id")) in text, finding.rule
        assert squeezed(detail(finding, "id")) in text, finding.rule
        assert squeezed(", ".join(map(str, finding.positions))) in text, finding.rule


def test_two_renders_of_the_same_cut_off_are_byte_identical(demo: Demo) -> None:
    again = audit_report(demo.ledger, "TNG-2025", position=demo.audit.position,
                         signing_key=demo.key)
    assert again.content == demo.audit.content
    assert handover_minutes(demo.ledger, demo.result.handover_ids[0]).content == \
        demo.minutes["2026-02-03"].content


def test_the_attached_roster_csv_matches_the_roster_and_the_hash_on_the_cover(
    demo: Demo,
) -> None:
    files = attachments(demo.audit.content)
    [name] = [n for n in files if n.endswith(".csv")]
    content = files[name]
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    roster = demo.reader.roster("TNG-2025")
    assert len(rows) == len(roster) == 5_952
    assert [(r["nik"], r["enrolment_id"]) for r in rows] == \
        [(r["nik"], r["enrolment_id"]) for r in roster]
    digest = hashlib.sha256(content).hexdigest()
    assert digest in text_of(demo.audit.content).split("Halaman 2 dari")[0]  # on the cover
    assert f"checkpoint-{demo.audit.position}.txt" in files


def test_the_cover_checkpoint_is_signed_at_the_cut_off_and_names_the_journal_root(
    demo: Demo,
) -> None:
    from ledger.journal.checkpoint import Checkpoint

    assert demo.audit.checkpoint_text is not None
    checkpoint = Checkpoint.from_text(demo.audit.checkpoint_text)
    assert checkpoint.verifies_with(public_key_text(private_key(demo.key)))
    assert checkpoint.size == demo.audit.position  # SQLite positions have no gaps
    text = text_of(demo.audit.content)
    assert checkpoint.root.hex() in squeezed(text)
    assert checkpoint.key_fingerprint in text


def test_no_printed_page_shows_a_members_full_nik(demo: Demo) -> None:
    niks = {r["nik"] for r in demo.reader.roster("TNG-2025")}
    for document in (demo.audit, demo.dossier, *demo.minutes.values()):
        digits = set(re.findall(r"\d{16}", text_of(document.content)))
        assert not digits & niks


def test_the_claim_dossier_proves_every_event_against_the_signed_checkpoint(demo: Demo) -> None:
    claim = demo.ledger.claim(demo.result.claim_ids[0])
    text = text_of(demo.dossier.content)
    assert "Berkas Klaim" in text and str(claim.id) in text
    assert f"Versi aturan: {claim.rule_version}" in text
    assert "Riwayat klaim" in text
    proofs = json.loads(attachments(demo.dossier.content)["proofs.json"])
    assert len(proofs) >= 4  # incident reported, claim opened, filed, approved, ...
    public = public_key_text(private_key(demo.key))
    for proof in proofs:
        assert check_inclusion(proof, public).ok
        assert f"{proof['position']:,}".replace(",", ".") in text


def test_an_earlier_cut_off_reports_what_was_known_then_and_leaves_no_tables_behind(
    demo: Demo,
) -> None:
    ceremony = demo.reader.handovers()[0]["position"]
    before = audit_report(demo.ledger, "TNG-2025", position=int(ceremony) - 1)
    text = text_of(before.content)
    assert before.position == int(ceremony) - 1
    assert "GOR Nambo Jaya" not in text and "Tidak ada penyerahan simbolis." in text
    left = demo.reader.connection.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'at%'")
    assert left == []


def test_the_roster_annex_prints_every_member_with_the_nik_masked(demo: Demo) -> None:
    with_annex = audit_report(demo.ledger, "TNG-2025", position=demo.audit.position,
                              roster=True)
    roster = demo.reader.roster("TNG-2025")
    text = text_of(with_annex.content)
    assert pages(with_annex.content) >= pages(demo.audit.content) + 5_952 // 72
    assert "Lampiran: daftar peserta (5.952 peserta)" in text
    last = roster[-1]
    short = str(last["enrolment_id"])[:8]
    assert re.search(rf"5952 {re.escape(last['nik'][:4])}\*{{8}}{last['nik'][-4:]} {short} ", text)
    assert last["nik"] not in text
    # The demo's NIKs share their last four digits, so a masked NIK alone does not tell two
    # members apart: each line carries the enrolment id's first 8 characters, as the findings
    # name their members, and no two lines carry the same.
    shorts = re.findall(r"^\s*\d+ \d{4}\*{8}\d{4} ([0-9a-f]{8}) ",
                        "\n".join(lines_of(with_annex.content)), flags=re.MULTILINE)
    assert len(shorts) == 5_952 and len(set(shorts)) == 5_952
    assert beyond_right_margin(with_annex.content, SIDE_MARGIN_MM) == []
    # Districts and occupations by name, as in the summary; no column heading cut short.
    assert "Pekerja sosial keagamaan" in text and "pekerja_sosial_keag" not in text
    assert "Karang Tengah" in text
    headings = [line for line in lines_of(with_annex.content)
                if line.split()[:3] == ["No", "NIK", "ID"]]
    assert len(headings) >= 5_952 // 72 and not [h for h in headings if "~" in h]


def test_the_report_speaks_english_when_asked(demo: Demo) -> None:
    english = audit_report(demo.ledger, "TNG-2025", position=demo.audit.position, lang="en")
    text = text_of(english.content)
    assert "Overpaid Rp42.000.000" in text and "-Rp" not in text
    assert "Programme Audit Report" in text and "Budget ceiling Rp999.936.000" in text
    assert "March 2025" in text


def test_every_page_of_every_document_renders_as_an_image(demo: Demo, tmp_path: Path) -> None:
    for index, document in enumerate((demo.audit, demo.dossier, *demo.minutes.values())):
        folder = tmp_path / str(index)
        folder.mkdir()
        images = page_images(document.content, folder)
        assert len(images) == pages(document.content)
        assert all(image.stat().st_size > 1_000 for image in images)


# -- layout: what an inspector sees on the page ---------------------------------------------------

#: The print stylesheet's left and right page margin (documents/templates/print.css).
SIDE_MARGIN_MM = 15
BENEFIT_CODES = re.compile(
    r"jkm_death|jkk_death|jkk_total_disability|jkk_temporary_incapacity|city_death_grant")
INDONESIAN_MONTHS = ("Januari", "Februari", "Maret", "Mei", "Juni", "Juli", "Agustus",
                     "Oktober", "Desember")


@pytest.fixture(scope="module")
def english(demo: Demo) -> Report:
    return audit_report(demo.ledger, "TNG-2025", position=demo.audit.position, lang="en",
                        signing_key=demo.key)


def test_no_character_of_any_page_lies_right_of_the_right_margin(
    demo: Demo, english: Report,
) -> None:
    for name, document in (("audit id", demo.audit), ("audit en", english),
                           ("dossier", demo.dossier),
                           *((f"minutes {day}", m) for day, m in demo.minutes.items())):
        overflow = beyond_right_margin(document.content, SIDE_MARGIN_MM)
        assert overflow == [], f"{name}: {len(overflow)} characters, first {overflow[0]}"


def test_each_months_note_in_the_monthly_table_stays_on_one_line(
    demo: Demo, english: Report,
) -> None:
    budget = demo.reader.budget("TNG-2025")
    assert budget is not None
    flagged = sum(1 for m in budget["months"] if m["paid_beyond_roster"])
    assert flagged == 6  # July to December: paid for the dead and the moved
    for document, note in ((demo.audit, "melebihi daftar aktif"),
                           (english, "above the active roster")):
        assert sum(1 for line in lines_of(document.content) if note in line) == flagged, note


def test_sp2d_numbers_are_printed_whole_on_one_line(demo: Demo, english: Report) -> None:
    numbers = {c["sp2d"] for p in demo.reader.programmes()
               for c in demo.reader.contributions(p["programme"])}
    for document in (demo.audit, english):
        squeezed_text = squeezed(text_of(document.content))
        lines = "\n".join(lines_of(document.content))
        printed = [n for n in sorted(numbers) if n in squeezed_text]
        assert len(printed) >= 10
        for number in printed:
            assert lines.count(number) == squeezed_text.count(number), number


def test_finding_texts_name_each_benefit_by_its_label_not_its_code(
    demo: Demo, english: Report,
) -> None:
    for document, heading, label in ((demo.audit, "7. Temuan audit", "JKM (kematian)"),
                                     (english, "7. Audit findings", "JKM death")):
        text = text_of(document.content)
        assert not BENEFIT_CODES.search(text), BENEFIT_CODES.search(text)
        assert label in text.split(heading)[1]
    early = next(f for f in demo.findings if f.rule == "death-within-90-days")
    assert "klaim JKM (kematian) sebesar Rp10.000.000" in finding_text.detail(early, "id")
    assert "JKM death claim for Rp10.000.000" in finding_text.detail(early, "en")


def test_the_english_report_writes_dates_in_english(english: Report) -> None:
    text = text_of(english.content)
    assert not [m for m in INDONESIAN_MONTHS if re.search(rf"\b{m}\b", text)]
    findings = text.split("7. Audit findings")[1].split("Appendix")[0]
    assert not re.search(r"\b\d{4}-\d{2}(-\d{2})?\b", findings)  # no ISO dates or months
    assert "died on 2 June 2025" in findings


def test_the_minutes_print_each_officials_name_then_role(demo: Demo) -> None:
    ceremony = demo.ledger.handover(demo.result.handover_ids[0])
    dinsos = next(o for o in ceremony.officials if "Dinas Sosial" in o["role"])
    assert not dinsos["name"].startswith("Kepala")  # a person, not an office
    text = text_of(demo.minutes["2026-02-03"].content)
    present = text.split("Pejabat yang hadir")[1].split("Demikian")[0]
    listed = " ".join(f"{o['name']} {o['role']}" for o in ceremony.officials)
    assert present.split() == ["Nama", "Jabatan", *listed.split()]
    signed = text.split("Yang menyerahkan")[1].split("Yang menerima")[0]
    assert f"{dinsos['name']} {dinsos['role']}" in signed


def test_the_minutes_name_the_venue_as_recorded_and_the_day_of_the_week(demo: Demo) -> None:
    nambo = text_of(demo.minutes["2026-02-03"].content)
    assert ("Pada hari ini, Selasa, 3 Februari 2026, bertempat di GOR Nambo Jaya, Kecamatan "
            "Periuk, Kota Tangerang, dalam acara") in nambo
    jakarta = text_of(demo.minutes["2026-02-10"].content)
    # The venue is in Jakarta Pusat: the funder's city is not its address.
    assert "bertempat di Hotel Shangri-La, Jakarta Pusat, dalam acara" in jakarta


def test_the_claim_dossier_speaks_indonesian_about_the_incident_and_the_computation(
    demo: Demo,
) -> None:
    text = text_of(demo.dossier.content)
    claim = demo.ledger.claim(demo.result.claim_ids[0])
    assert claim.computation[0]["label"].startswith("death within the first")
    assert "meninggal dalam 3 bulan pertama kepesertaan Rp10.000.000" in text
    assert "Kejadian kematian · tanggal kejadian" in text
    for raw in ("occurred_on", "filed_on", "rule_version:", "work_related", "approved_on",
                "paid_on", "death within"):
        assert raw not in text, raw


def test_finding_texts_tell_members_apart_by_the_short_id_of_their_enrolment(
    demo: Demo,
) -> None:
    # Masked NIKs look alike (3671********0001); a red flag of many cases is a table of these
    # sentences alone, so the sentence carries the enrolment's short id, as the API's does.
    told = [f for f in demo.findings if "nik" in f.facts and f.members]
    assert len(told) >= 10
    for finding in told:
        for lang in ("id", "en"):
            text = finding_text.detail(finding, lang)
            ids = re.search(r"NIK \d{4}\*{8}\d{4} \(([0-9a-f]{8}(, [0-9a-f]{8})*)\)", text)
            assert ids, text
            assert ids.group(1).split(", ") == sorted({m[:8] for m in finding.members})
