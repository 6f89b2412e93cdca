"""The words of the documents, in Bahasa Indonesia (the default) and English."""

from __future__ import annotations

import re
from typing import Any

from ledger.errors import InvalidInputError
from ledger.money import rupiah

LANGUAGES = ("id", "en")

_ID = {
    "audit_title": "Laporan Audit Program",
    "erased_after": "Data pribadi {count} orang dihapus setelah batas data ini, pada {days}; "
                    "kolom pribadinya terbaca [dihapus], semua angka tetap.",
    "time_basis": "Waktu yang dipakai",
    "known_on": "sebagaimana diketahui ledger pada",
    "known_on_note": "waktu pencatatan: hanya peristiwa yang sudah dicatat sampai akhir hari itu "
                     "(WIB)",
    "covered_on": "berlaku per",
    "covered_on_note": "waktu berlaku: iuran yang dibayar, klaim yang diputus dan kepesertaan "
                       "yang dimulai sampai hari itu, sebagaimana diketahui ledger sekarang",
    "dossier_title": "Berkas Klaim",
    "minutes_title": "Berita Acara Serah Terima",
    "page": "Halaman", "of": "dari", "cut_off": "Posisi data",
    "funder": "Pemberi dana", "programme": "Program", "period": "Periode",
    "funding_source": "Sumber dana", "dpa": "Dokumen Pelaksanaan Anggaran (DPA)",
    "cut_off_position": "Posisi log terakhir yang dimuat", "cut_off_time": "Dicatat pada",
    "checkpoint": "Checkpoint jurnal bertanda tangan", "journal_size": "Jumlah peristiwa",
    "root": "Akar Merkle (SHA-256)", "key": "Sidik kunci penanda tangan",
    "signature": "Tanda tangan", "signed": "ditandatangani Ed25519, terverifikasi",
    "unsigned": "tidak ditandatangani (LEDGER_SIGNING_KEY tidak diatur)",
    "roster_file": "Lampiran daftar peserta (CSV di dalam PDF)",
    "sha256": "SHA-256", "members_word": "peserta",
    "summary": "Ringkasan", "members_enrolled": "Peserta terdaftar",
    "members_active": "Peserta aktif pada posisi data",
    "ceiling": "Pagu anggaran", "committed": "Realisasi (iuran dan santunan)",
    "remaining": "Sisa pagu", "claims_count": "Klaim (tidak termasuk ditolak)",
    "paid_out": "Manfaat dibayarkan", "outstanding": "Belum dibayar",
    "payout_due": "Jatuh tempo pembayaran", "file_complete": "berkas lengkap",
    "late_interest": "Bunga keterlambatan untuk ahli waris",
    "late_interest_line": "{days} hari x {percent}% dari {paid} (dibayar {paid_on})",
    "findings_count": "Temuan", "revisions": "Revisi anggaran",
    "budget": "Anggaran dan realisasi per bulan", "month": "Bulan",
    "active_members": "Peserta aktif", "rate": "Tarif", "due": "Kewajiban iuran",
    "paid": "Dibayar", "paid_members": "Peserta dibayar", "flags": "Catatan",
    "beyond_roster": "melebihi daftar aktif", "short_of_roster": "kurang dari daftar aktif",
    "over_ceiling": "melebihi pagu", "chart_due": "Kewajiban", "chart_paid": "Dibayar",
    "enrolment": "Kepesertaan per kecamatan dan pekerjaan", "district": "Kecamatan",
    "occupation": "Pekerjaan", "count": "Jumlah", "total": "Jumlah",
    "contributions": "Pembayaran iuran per SP2D", "sp2d": "Nomor SP2D",
    "paid_on": "Tanggal bayar", "months": "Bulan iuran", "amount": "Nilai",
    "reversed_on": "Dibatalkan",
    "claims": "Klaim dan pembayaran manfaat per jenis", "benefit": "Jenis manfaat",
    "entitlement": "Hak", "approved": "Disetujui", "disbursed": "Dibayar",
    "ceremonies": "Penyerahan simbolis", "venue": "Tempat", "date": "Tanggal",
    "recipient": "Penerima", "status": "Status", "paid_at_ceremony": "Sudah dibayar saat acara",
    "yes": "ya", "no": "belum", "paid_later": "dibayar kemudian", "still_unpaid": "belum dibayar",
    "findings": "Temuan audit", "no_findings": "Tidak ada temuan.",
    "severity": "Tingkat", "evidence": "Bukti (posisi log)", "flag": "Tanda",
    "members_concerned": "Peserta terkait", "claims_concerned": "Klaim terkait",
    "verify_title": "Lampiran: cara memverifikasi laporan ini",
    "roster_annex": "Lampiran: daftar peserta", "nik": "NIK", "name": "Nama",
    "enrolled_on": "Terdaftar", "months_paid": "Bln dibayar", "months_paid_short": "Bln",
    "annex_note": "ID: 8 karakter awal id kepesertaan, seperti temuan menyebut peserta. "
                  "D: desil. Bln: jumlah bulan iuran yang dibayar. NIK disamarkan; NIK lengkap "
                  "ada dalam lampiran CSV.",
    "no_data": "Tidak ada data.",
    "history": "Riwayat klaim", "position": "Posisi", "recorded": "Dicatat (WIB)",
    "event": "Peristiwa", "actor": "Petugas", "proof": "Bukti inklusi",
    "rule_version": "Versi aturan", "computation": "Perhitungan",
    "claimant": "Pemohon / ahli waris", "relationship": "Hubungan", "account": "Rekening",
    "approvals": "Persetujuan", "payouts": "Pembayaran", "reference": "Referensi",
    "subject": "Peserta", "filed_on": "Diajukan", "filed_by": "Diajukan oleh",
    "approved_by": "Disetujui oleh", "approved_on": "Tanggal persetujuan",
    "incident": "Kejadian", "occurred_on": "Tanggal kejadian", "place": "Tempat kejadian",
    "officials": "Pejabat yang hadir", "office": "Jabatan", "occasion": "Acara",
    "region": "Wilayah",
    "signatures": "Tanda tangan", "handed_over_by": "Yang menyerahkan",
    "received_by": "Yang menerima", "witness": "Saksi", "head_proof": "kepala jurnal",
    "minutes_opening": "Pada hari ini, {date}, bertempat di {venue}, dalam acara {occasion}, "
                       "telah dilakukan penyerahan secara simbolis manfaat jaminan sosial "
                       "ketenagakerjaan dan/atau santunan kepada penerima berikut:",
    "minutes_unpaid_note": "Penerima bertanda * belum menerima pembayaran pada saat acara; "
                           "penyerahan bersifat simbolis sampai pembayaran dicatat.",
    "minutes_closing": "Demikian berita acara ini dibuat dengan sebenarnya untuk "
                       "dipergunakan sebagaimana mestinya.",
    "grand_total": "Jumlah seluruhnya",
    "recorded_in_ledger": "Dicatat dalam claims-ledger pada posisi log {position}.",
    "months_word": "bulan", "file": "Berkas", "rows": "Isi",
    "reproducible_note": "Laporan ini dapat dibuat ulang: basis data dan posisi log yang sama "
                         "menghasilkan berkas yang identik byte demi byte. Cara memverifikasinya "
                         "ada di lampiran terakhir.",
    "contributions_paid": "Iuran dibayar (bersih setelah pembatalan)",
    "city_payouts": "Santunan dibayar dari APBD", "reason": "Alasan",
    "funder_programmes": "Program lain dari pemberi dana yang sama",
    "committed_short": "Realisasi", "decile": "Desil", "total_net": "Jumlah (tanpa SP2D batal)",
    "payer": "Pembayar", "claims_list": "Daftar klaim", "claim": "Klaim",
    "claims_left_out": "{n} klaim lain yang sudah lunas tidak dicantumkan satu per satu.",
    "minutes_command": "berita acara:", "status_now": "Status pada posisi data",
    "paid_in_full": "lunas", "no_ceremonies": "Tidak ada penyerahan simbolis.",
    "rule": "Aturan", "recipients_word": "penerima",
    "heir_certificate": "Surat keterangan ahli waris", "part": "Komponen",
    "same_officer": "petugas yang sama dengan pengaju", "sole_reason": "Alasan disetujui sendiri",
    "not_approved": "Belum disetujui.", "revoked": "Persetujuan dicabut",
    "rejected": "Ditolak", "no_payouts": "Belum ada pembayaran.",
    "history_note": "Setiap peristiwa dengan bukti inklusinya di jurnal Merkle (daun, simpul "
                    "pembukti, akar); semua bukti juga terlampir sebagai proofs.json untuk "
                    "claims-ledger journal check.",
    "proofs_signed": "Bukti dibuat terhadap checkpoint {size} peristiwa yang ditandatangani "
                     "kunci {key}.",
    "proofs_unsigned": "LEDGER_SIGNING_KEY tidak diatur: bukti dibuat terhadap checkpoint "
                       "tersimpan terakhir atau kepala jurnal yang belum ditandatangani.",
    "not_journaled": "belum masuk jurnal", "cases_word": "kasus", "finding_detail": "Uraian",
    "witnesses": "Saksi", "cosigned_by": "Ditandatangani bersama oleh",
    "cosigned_later": "pada checkpoint {size} peristiwa yang memuat checkpoint ini",
    "no_cosignature": "belum ada saksi yang menandatangani bersama checkpoint ini",
    "quorum": "Kuorum kebijakan saksi", "quorum_holds": "terpenuhi",
    "quorum_fails": "TIDAK terpenuhi: jangan mempercayai jurnal ini sebelum kuorum terpenuhi",
    "quorum_unchecked": "tidak diperiksa (LEDGER_POLICY tidak diatur)",
}

_EN = {
    "audit_title": "Programme Audit Report",
    "erased_after": "{count} people's personal fields were erased after this cut-off, on {days}; "
                    "their fields read [dihapus], every figure is unchanged.",
    "time_basis": "Time used",
    "known_on": "as the ledger knew it on",
    "known_on_note": "recorded time: only the events recorded by the end of that day (WIB)",
    "covered_on": "covered on",
    "covered_on_note": "effective time: contributions paid, claims decided and enrolments "
                       "started by that day, as the ledger knows it now",
    "dossier_title": "Claim Dossier",
    "minutes_title": "Handover Minutes (Berita Acara Serah Terima)",
    "page": "Page", "of": "of", "cut_off": "Cut-off",
    "funder": "Funder", "programme": "Programme", "period": "Period",
    "funding_source": "Funding source", "dpa": "Budget execution document (DPA)",
    "cut_off_position": "Last log position included", "cut_off_time": "Recorded at",
    "checkpoint": "Signed journal checkpoint", "journal_size": "Events",
    "root": "Merkle root (SHA-256)", "key": "Signing key fingerprint",
    "signature": "Signature", "signed": "Ed25519-signed, verified",
    "unsigned": "not signed (LEDGER_SIGNING_KEY is not set)",
    "roster_file": "Member roster attachment (CSV inside this PDF)",
    "sha256": "SHA-256", "members_word": "members",
    "summary": "Summary", "members_enrolled": "Members enrolled",
    "members_active": "Members active at the cut-off",
    "ceiling": "Budget ceiling", "committed": "Realised (contributions and grants)",
    "remaining": "Remaining", "claims_count": "Claims (rejections left out)",
    "paid_out": "Benefits paid", "outstanding": "Outstanding",
    "payout_due": "Payout due", "file_complete": "file complete",
    "late_interest": "Late-payment interest owed to the heirs",
    "late_interest_line": "{days} days x {percent}% of {paid} (paid {paid_on})",
    "findings_count": "Findings", "revisions": "Budget revisions",
    "budget": "Budget and realisation by month", "month": "Month",
    "active_members": "Active members", "rate": "Rate", "due": "Due",
    "paid": "Paid", "paid_members": "Members paid", "flags": "Notes",
    "beyond_roster": "above the active roster", "short_of_roster": "below the active roster",
    "over_ceiling": "above the ceiling", "chart_due": "Due", "chart_paid": "Paid",
    "enrolment": "Enrolment by district and occupation", "district": "District",
    "occupation": "Occupation", "count": "Count", "total": "Total",
    "contributions": "Contributions by payment order (SP2D)", "sp2d": "SP2D number",
    "paid_on": "Paid on", "months": "Months", "amount": "Amount",
    "reversed_on": "Reversed",
    "claims": "Claims and payouts by benefit", "benefit": "Benefit",
    "entitlement": "Entitlement", "approved": "Approved", "disbursed": "Paid",
    "ceremonies": "Handover ceremonies", "venue": "Venue", "date": "Date",
    "recipient": "Recipient", "status": "Status", "paid_at_ceremony": "Paid at the ceremony",
    "yes": "yes", "no": "no", "paid_later": "paid later", "still_unpaid": "still unpaid",
    "findings": "Audit findings", "no_findings": "No findings.",
    "severity": "Severity", "evidence": "Evidence (log positions)", "flag": "Flag",
    "members_concerned": "Members concerned", "claims_concerned": "Claims concerned",
    "verify_title": "Appendix: how to verify this report",
    "roster_annex": "Annex: member roster", "nik": "NIK", "name": "Name",
    "enrolled_on": "Enrolled", "months_paid": "Mo. paid", "months_paid_short": "Mo.",
    "annex_note": "ID: the first 8 characters of the enrolment id, as the findings name "
                  "members. D: decile. Mo.: months of contributions paid. NIKs are masked; the "
                  "full NIKs are in the attached CSV.",
    "no_data": "No data.",
    "history": "Claim history", "position": "Position", "recorded": "Recorded (WIB)",
    "event": "Event", "actor": "Actor", "proof": "Inclusion proof",
    "rule_version": "Rule version", "computation": "Computation",
    "claimant": "Claimant / heir", "relationship": "Relationship", "account": "Account",
    "approvals": "Approval", "payouts": "Payouts", "reference": "Reference",
    "subject": "Member", "filed_on": "Filed on", "filed_by": "Filed by",
    "approved_by": "Approved by", "approved_on": "Approved on",
    "incident": "Incident", "occurred_on": "Occurred on", "place": "Place",
    "officials": "Officials present", "office": "Office", "occasion": "Occasion",
    "region": "Region",
    "signatures": "Signatures", "handed_over_by": "Handed over by",
    "received_by": "Received by", "witness": "Witness", "head_proof": "journal head",
    "minutes_opening": "On {date}, at {venue}, during {occasion}, the following benefits were "
                       "handed over symbolically to their recipients:",
    "minutes_unpaid_note": "Recipients marked * had not been paid at the ceremony; the handover "
                           "is symbolic until the payout is recorded.",
    "minutes_closing": "These minutes are made truthfully, to be used as needed.",
    "grand_total": "Grand total",
    "recorded_in_ledger": "Recorded in claims-ledger at log position {position}.",
    "months_word": "months", "file": "File", "rows": "Contents",
    "reproducible_note": "This report is reproducible: the same database and log position give "
                         "a byte-identical file. How to verify it is in the last appendix.",
    "contributions_paid": "Contributions paid (net of reversals)",
    "city_payouts": "Grants paid from the city budget", "reason": "Reason",
    "funder_programmes": "The funder's other programmes",
    "committed_short": "Realised", "decile": "Decile",
    "total_net": "Total (reversed SP2D left out)",
    "payer": "Payer", "claims_list": "Claims", "claim": "Claim",
    "claims_left_out": "{n} other claims, paid in full, are not listed one by one.",
    "minutes_command": "minutes:", "status_now": "Status at the cut-off",
    "paid_in_full": "paid in full", "no_ceremonies": "No handover ceremonies.",
    "rule": "Rule", "recipients_word": "recipients",
    "heir_certificate": "Heir certificate", "part": "Part",
    "same_officer": "the officer who filed it", "sole_reason": "Reason for approving alone",
    "not_approved": "Not approved.", "revoked": "Approval revoked",
    "rejected": "Rejected", "no_payouts": "No payouts yet.",
    "history_note": "Every event with its inclusion proof in the Merkle journal (leaf, proof "
                    "nodes, root); all proofs are also attached as proofs.json for "
                    "claims-ledger journal check.",
    "proofs_signed": "Proofs are made against the checkpoint of {size} events signed by key "
                     "{key}.",
    "proofs_unsigned": "LEDGER_SIGNING_KEY is not set: proofs are made against the latest kept "
                       "checkpoint or the journal's unsigned head.",
    "not_journaled": "not journaled yet", "cases_word": "case(s)", "finding_detail": "Detail",
    "witnesses": "Witnesses", "cosigned_by": "Co-signed by",
    "cosigned_later": "on the checkpoint of {size} events, which holds this one",
    "no_cosignature": "no witness has co-signed this checkpoint yet",
    "quorum": "Witness policy quorum", "quorum_holds": "holds",
    "quorum_fails": "does NOT hold: do not trust this journal before the quorum holds",
    "quorum_unchecked": "not checked (LEDGER_POLICY is not set)",
}

_ID.update({
    "owed": "Kewajiban ke depan", "owed_on": "dihitung dari",
    "owed_paid_claims": "Sudah dibayar atas klaim (semua manfaat)",
    "owed_still": "Masih terutang", "owed_scholarship_years": "Beasiswa tahun ajaran mendatang",
    "owed_scholarship_note": "perkiraan: setiap anak naik satu jenjang kelas per tahun; tiap "
                             "tahun tetap diklaim dengan bukti terdaftar di sekolah",
    "owed_unpaid": "Klaim disetujui yang belum lunas", "owed_interest": "Bunga keterlambatan "
                   "untuk ahli waris (1% per hari)", "school_year": "Tahun ajaran",
    "children_word": "Anak", "scholarship_lines": "Beasiswa anak ahli waris",
    "child": "Anak", "level": "Jenjang",
    "left_of_ceiling": "Sisa hak", "death_claim": "Klaim kematian", "no_owed": "Tidak ada.",
    "scholarship_refused_jkm": "Beasiswa anak: tidak diberikan. Kematian yang bukan karena "
        "kecelakaan kerja (JKM) memberi beasiswa bila kepesertaan paling singkat {years} "
        "tahun; kepesertaan mulai {began}, sehingga {years} tahun baru genap pada {complete}, "
        "sesudah kematian pada {died} (PP 82/2019, Permenaker 5/2021).",
    "scholarship_granted": "Beasiswa anak: diberikan untuk {children}.",
    "owed_stmb": "STMB bulan berikutnya (kecelakaan kerja yang belum berakhir)",
    "stmb_case_line": "Kecelakaan {accident}: {claimed} bulan diklaim; bulan ke-{month} mulai "
                      "{starts} ({percent}% upah)",
})
_EN.update({
    "owed": "Obligations ahead", "owed_on": "from",
    "owed_paid_claims": "Paid on claims (every benefit)",
    "owed_still": "Still owed", "owed_scholarship_years": "Scholarship school years ahead",
    "owed_scholarship_note": "an estimate: each child goes up a grade a year; each year is "
                             "still claimed with proof of enrolment",
    "owed_unpaid": "Approved claims not paid in full",
    "owed_interest": "Late interest owed to heirs (1% a day)", "school_year": "School year",
    "children_word": "Children", "scholarship_lines": "Scholarships of the heirs' children",
    "child": "Child", "level": "Level",
    "left_of_ceiling": "Left", "death_claim": "Death claim", "no_owed": "None.",
    "scholarship_refused_jkm": "Children's scholarship: none. A death not caused by work "
        "(JKM) gives a scholarship after at least {years} years of membership; membership "
        "began on {began}, so {years} years were complete only on {complete}, after the death "
        "on {died} (PP 82/2019, Permenaker 5/2021).",
    "scholarship_granted": "Children's scholarship: granted for {children}.",
    "owed_stmb": "Next STMB month (work accidents not yet ended)",
    "stmb_case_line": "Accident of {accident}: {claimed} months claimed; month {month} from "
                      "{starts} ({percent}% of wage)",
})

LABELS: dict[str, dict[str, str]] = {"id": _ID, "en": _EN}

SEVERITY = {
    "id": {"high": "tinggi", "medium": "sedang", "review": "perlu ditinjau"},
    "en": {"high": "high", "medium": "medium", "review": "review"},
}

STATUS = {
    "id": {"filed": "diajukan", "approved": "disetujui", "rejected": "ditolak",
           "revoked": "dicabut", "active": "aktif", "deceased": "meninggal",
           "ended": "berakhir", "lapsed": "berhenti"},
    "en": {},
}

BENEFIT = {
    "id": {"jkm_death": "JKM (kematian)", "jkk_death": "JKK (meninggal karena kerja)",
           "jkk_total_disability": "JKK (cacat total tetap)",
           "jkk_temporary_incapacity": "JKK (STMB)",
           "city_death_grant": "Santunan kematian kota",
           "scholarship_year": "Beasiswa (satu tahun ajaran)",
           "jkk_stmb_month": "JKK (STMB satu bulan)",
           "jkk_partial_disability": "JKK (cacat sebagian anatomis/fungsi)",
           "jkk_medical_care": "JKK (biaya perawatan medis)",
           "jkk_transport": "JKK (biaya pengangkutan)",
           "jkk_home_care": "JKK (perawatan di rumah)"},
    "en": {"jkm_death": "JKM death", "jkk_death": "JKK work death",
           "jkk_total_disability": "JKK total disability",
           "jkk_temporary_incapacity": "JKK temporary incapacity (STMB)",
           "city_death_grant": "City death grant",
           "scholarship_year": "Scholarship (one school year)",
           "jkk_stmb_month": "JKK temporary incapacity (one STMB month)",
           "jkk_partial_disability": "JKK partial permanent disability",
           "jkk_medical_care": "JKK medical care",
           "jkk_transport": "JKK transport",
           "jkk_home_care": "JKK home care"},
}

#: School levels of a scholarship, as a page prints them.
SCHOOL_LEVEL = {
    "id": {"tk_sd": "TK-SD", "smp": "SMP", "sma": "SMA",
           "university": "perguruan tinggi / pelatihan kerja"},
    "en": {"tk_sd": "TK-SD", "smp": "SMP", "sma": "SMA",
           "university": "university or vocational training"},
}


RELATIONSHIP = {
    "id": {"self": "peserta sendiri", "spouse": "suami/istri", "child": "anak",
           "parent": "orang tua", "grandparent": "kakek/nenek", "grandchild": "cucu",
           "sibling": "saudara kandung", "parent_in_law": "mertua",
           "will_beneficiary": "penerima wasiat"},
    "en": {},
}


INCIDENT_KIND = {
    "id": {"accident": "kecelakaan kerja", "occupational_disease": "penyakit akibat kerja",
           "death": "kematian"},
    "en": {"accident": "work accident", "occupational_disease": "occupational disease",
           "death": "death"},
}

#: The facts of an event as the claim dossier names them (the event's own field names are the
#: ledger's, not a reader's).
FACT = {
    "id": {"kind": "jenis", "occurred_on": "tanggal kejadian", "work_related": "karena kerja",
           "filed_on": "diajukan", "entitlement": "hak", "rule_version": "versi aturan",
           "amount": "nilai", "approved_on": "disetujui", "reference": "referensi",
           "paid_on": "dibayar", "reason": "alasan", "note": "catatan",
           "rejected_on": "ditolak", "revoked_on": "dicabut", "reversed_on": "dibatalkan",
           "paid_so_far": "telah dibayar", "sole_approver_reason": "alasan disetujui sendiri",
           "complete_on": "berkas lengkap", "due_on": "jatuh tempo", "days_late": "hari terlambat"},
    "en": {"kind": "kind", "occurred_on": "occurred on", "work_related": "work related",
           "filed_on": "filed on", "entitlement": "entitlement", "rule_version": "rule version",
           "amount": "amount", "approved_on": "approved on", "reference": "reference",
           "paid_on": "paid on", "reason": "reason", "note": "note", "rejected_on": "rejected on",
           "revoked_on": "revoked on", "reversed_on": "reversed on",
           "paid_so_far": "paid so far", "sole_approver_reason": "reason for approving alone",
           "complete_on": "file complete", "due_on": "due on", "days_late": "days late"},
}

#: The lines of a benefit computation, recorded in English by the rule set
#: (``ledger/benefits.py``), as an Indonesian dossier prints them. A line not listed here is
#: printed as recorded.
_COMPUTATION_ID: tuple[tuple[re.Pattern[str], str, tuple[int, ...]], ...] = tuple(
    (re.compile(pattern), template, money) for pattern, template, money in (
        (r"death within the first (\d+) months of membership",
         "meninggal dalam {0} bulan pertama kepesertaan", ()),
        (r"lump sum max\((\d+) x wage, (\d+)\)", "santunan sekaligus maks({0} x upah, {1})",
         (1,)),
        (r"lump sum", "santunan sekaligus", ()),
        (r"periodic benefit (\d+) x (\d+)", "santunan berkala {0} x {1}", (1,)),
        (r"periodic benefit", "santunan berkala", ()),
        (r"funeral", "biaya pemakaman", ()),
        (r"(\d+) x wage", "{0} x upah", ()),
        (r"(\d+) month\(s\) at (\d+)% of wage", "{0} bulan x {1}% upah", ()),
        (r"city death grant", "santunan kematian kota", ()),
    ))


def computation_label(label: str, lang: str) -> str:
    """A computation line in the document's language, amounts in it written as rupiah (the
    groups listed as money)."""
    if lang != "id":
        return label
    for pattern, template, money in _COMPUTATION_ID:
        found = pattern.fullmatch(label)
        if found:
            return template.format(*(rupiah(int(part)) if index in money else part
                                     for index, part in enumerate(found.groups())))
    return label


def words(lang: str) -> dict[str, Any]:
    """Everything a template needs to speak one language."""
    if lang not in LANGUAGES:
        raise InvalidInputError(f"documents are in {' or '.join(LANGUAGES)}; got '{lang}'",
                                field="lang")
    return {"t": LABELS[lang], "severity_word": SEVERITY[lang], "status_word": STATUS[lang],
            "benefit_word": BENEFIT[lang], "relationship_word": RELATIONSHIP[lang],
            "incident_word": INCIDENT_KIND[lang], "fact_word": FACT[lang]}
