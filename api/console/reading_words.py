"""The words of the reading pages (programmes, a worker's record, findings, journal,
documents), in Bahasa Indonesia and English: every key in both (a test holds them to it)."""

from __future__ import annotations

_ID = {
    "bad_position": "Posisi log harus berupa bilangan bulat mulai dari 1.",
    "bad_date": "Tanggal harus ditulis TTTT-BB-HH, misalnya 2025-06-30.",
    "programmes_none": "Belum ada program yang tercatat.",
    "nothing_yet": "Belum ada data yang dapat ditampilkan: ledger belum mencatat apa pun, atau "
                   "proyeksi belum memuat peristiwa (admin menjalankan 'claims-ledger project' "
                   "atau layanan pengikut proyeksi).",
    "members": "Peserta",
    "claims_paid": "Klaim dibayar",
    "open_findings": "Temuan terbuka",
    "open": "Buka",
    "programme_unknown": "Tidak ada program dengan kode itu di ledger.",
    "budget_chart": "Kewajiban dan pembayaran iuran per bulan (juta rupiah)",
    "decile": "Kepesertaan per desil",
    "by_district": "Peserta per kecamatan",
    "by_occupation": "Peserta per pekerjaan",
    "cases": "Kasus",
    "at_stake": "Rupiah terdampak",
    "rule_cases": "Kasus: {title}",
    "no_cases": "Tidak ada kasus untuk tanda ini.",
    "see_worker": "Rekam jejak peserta {short}",
    "see_programme": "Program {code}",
    "see_claim": "Berkas klaim {short} (PDF)",
    "see_proof": "Bukti posisi {position}",
    "findings_total": "{n} temuan pada posisi data {position}.",
    "worker_search": "Cari pekerja",
    "worker_nik": "NIK (16 angka)",
    "worker_nik_help": "NIK dikirim dengan formulir, tidak pernah di alamat halaman, dan "
                       "ditampilkan tersamar.",
    "worker_or_member": "atau nomor peserta (8 karakter pertama id pendaftaran)",
    "worker_find": "Tampilkan rekam jejak",
    "worker_bad_nik": "NIK harus 16 angka. Periksa lagi angka yang diketik.",
    "worker_missing": "Ketik NIK pekerja atau nomor pesertanya.",
    "worker_unknown": "Ledger belum pernah mencatat NIK ini.",
    "worker_found": "Rekam jejak {nik}",
    "worker_events": "{n} peristiwa tentang pekerja ini.",
    "effective": "Tanggal berlaku",
    "recorded_at": "Dicatat (WIB)",
    "event_type": "Peristiwa",
    "position": "Posisi log",
    "proof": "Bukti",
    "as_recorded": "Seperti tercatat pada",
    "as_recorded_help": "tanggal (TTTT-BB-HH) atau posisi log",
    "covered_on": "Tanggungan pada tanggal",
    "travel": "Tampilkan",
    "travel_explain": "\"Seperti tercatat pada\" menampilkan apa yang sudah diketahui ledger "
                      "pada saat itu (peristiwa yang dicatat kemudian disembunyikan, walaupun "
                      "berlaku lebih awal). \"Tanggungan pada tanggal\" menjawab apakah pekerja "
                      "tertanggung pada hari itu, menurut catatan yang dipilih.",
    "recorded_cut": "Hanya peristiwa yang tercatat sampai posisi log {position} ({when}).",
    "covered_yes": "Pada {day}, pendaftaran {short} tertanggung: bulan itu iurannya tercatat "
                   "dibayar ({known}).",
    "covered_no": "Pada {day}, pendaftaran {short} tidak tertanggung menurut catatan {known}.",
    "known_now": "catatan saat ini",
    "known_at": "catatan sampai posisi {position}",
    "journal_head": "Kepala jurnal",
    "journal_size": "Jumlah peristiwa dalam jurnal",
    "journal_root": "Akar Merkle (SHA-256)",
    "journal_checkpoint": "Checkpoint bertanda tangan terakhir",
    "journal_no_checkpoint": "Belum ada checkpoint bertanda tangan. Admin menjalankan "
                             "'claims-ledger journal checkpoint'; sebelum itu bukti tidak dapat "
                             "diperiksa terhadap tanda tangan.",
    "journal_position": "Posisi log yang diperiksa",
    "journal_show": "Tampilkan bukti",
    "proof_of": "Bukti inklusi posisi {position}",
    "proof_key": "Kunci publik yang Anda percayai",
    "proof_key_help": "Terisi dengan kunci checkpoint ini. Bandingkan dengan kunci yang Anda "
                      "terima dari operator lewat jalur lain, agar tidak hanya mempercayai "
                      "server ini.",
    "proof_leaf": "Daun (urutan / ukuran pohon)",
    "proof_leaf_hash": "Hash daun",
    "proof_path": "Jalur audit (RFC 6962)",
    "proof_check": "Periksa di peramban ini",
    "proof_tamper": "Periksa salinan yang diubah",
    "proof_waiting": "Belum diperiksa. Pemeriksaan berjalan di peramban Anda (SHA-256 dan "
                     "Ed25519 dengan Web Crypto), bukan di server.",
    "proof_ok": "Terperiksa di peramban ini: peristiwa pada posisi {position} ada dalam "
                "checkpoint yang ditandatangani kunci tersebut.",
    "proof_bad": "GAGAL: bukti ini tidak cocok dengan checkpoint bertanda tangan. Jangan "
                 "percayai data ini.",
    "proof_cannot": "Tidak dapat diperiksa di peramban ini.",
    "proof_not_in": "Posisi ini belum termasuk checkpoint bertanda tangan terakhir.",
    "proof_needs_js": "Pemeriksaan di peramban memerlukan JavaScript.",
    "documents_intro": "Pilih dokumen dan posisi data; PDF dibuat dari data yang sama dengan "
                       "API dan dapat dibuat ulang pada posisi yang sama.",
    "doc_audit": "Laporan audit program",
    "doc_dossier": "Berkas klaim",
    "doc_minutes": "Berita acara serah terima",
    "doc_programme": "Program",
    "doc_cut_off": "Posisi log (kosong: terbaru)",
    "doc_as_of": "atau akhir hari (TTTT-BB-HH)",
    "doc_claim": "Klaim",
    "doc_handover": "Penyerahan simbolis",
    "doc_download": "Unduh PDF",
    "doc_rendering": "Menyusun PDF, harap tunggu…",
    "doc_lang": "Bahasa dokumen",
    "claim_short": "klaim {short} ({benefit}, {status})",
}

_EN = {
    "bad_position": "A log position is a whole number from 1.",
    "bad_date": "Write a date as YYYY-MM-DD, for example 2025-06-30.",
    "programmes_none": "No programme is recorded yet.",
    "nothing_yet": "There is nothing to show yet: the ledger has recorded nothing, or the "
                   "projections hold no event yet (an admin runs 'claims-ledger project' or the "
                   "projection follower service).",
    "members": "Members",
    "claims_paid": "Claims paid",
    "open_findings": "Open findings",
    "open": "Open",
    "programme_unknown": "There is no programme with that code in the ledger.",
    "budget_chart": "Contributions due and paid by month (millions of rupiah)",
    "decile": "Enrolment by decile",
    "by_district": "Members by district",
    "by_occupation": "Members by occupation",
    "cases": "Cases",
    "at_stake": "Rupiah at stake",
    "rule_cases": "Cases: {title}",
    "no_cases": "No case for this flag.",
    "see_worker": "Record of member {short}",
    "see_programme": "Programme {code}",
    "see_claim": "Dossier of claim {short} (PDF)",
    "see_proof": "Proof of position {position}",
    "findings_total": "{n} findings at cut-off position {position}.",
    "worker_search": "Find a worker",
    "worker_nik": "NIK (16 digits)",
    "worker_nik_help": "The NIK is sent with the form, never in the page's address, and is "
                       "shown masked.",
    "worker_or_member": "or the member number (first 8 characters of the enrolment id)",
    "worker_find": "Show the record",
    "worker_bad_nik": "A NIK has 16 digits. Check the number typed.",
    "worker_missing": "Type the worker's NIK or member number.",
    "worker_unknown": "The ledger has never recorded this NIK.",
    "worker_found": "Record of {nik}",
    "worker_events": "{n} events about this worker.",
    "effective": "Effective date",
    "recorded_at": "Recorded (WIB)",
    "event_type": "Event",
    "position": "Log position",
    "proof": "Proof",
    "as_recorded": "As recorded at",
    "as_recorded_help": "a date (YYYY-MM-DD) or a log position",
    "covered_on": "Covered on",
    "travel": "Show",
    "travel_explain": "\"As recorded at\" shows what the ledger knew at that moment (events "
                      "recorded later are hidden, even when they took effect earlier). "
                      "\"Covered on\" answers whether the worker was covered on that day, "
                      "according to the records chosen.",
    "recorded_cut": "Only the events recorded up to log position {position} ({when}).",
    "covered_yes": "On {day}, enrolment {short} was covered: that month's contribution is "
                   "recorded as paid ({known}).",
    "covered_no": "On {day}, enrolment {short} was not covered according to {known}.",
    "known_now": "the records as they stand",
    "known_at": "the records up to position {position}",
    "journal_head": "Journal head",
    "journal_size": "Events in the journal",
    "journal_root": "Merkle root (SHA-256)",
    "journal_checkpoint": "Latest signed checkpoint",
    "journal_no_checkpoint": "No signed checkpoint yet. An admin runs 'claims-ledger journal "
                             "checkpoint'; until then a proof cannot be checked against a "
                             "signature.",
    "journal_position": "Log position to check",
    "journal_show": "Show the proof",
    "proof_of": "Inclusion proof of position {position}",
    "proof_key": "The public key you trust",
    "proof_key_help": "Filled in with this checkpoint's key. Compare it with the key the "
                      "operator gave you another way, so as not to trust this server alone.",
    "proof_leaf": "Leaf (index / tree size)",
    "proof_leaf_hash": "Leaf hash",
    "proof_path": "Audit path (RFC 6962)",
    "proof_check": "Check in this browser",
    "proof_tamper": "Check a tampered copy",
    "proof_waiting": "Not checked yet. The check runs in your browser (SHA-256 and Ed25519 "
                     "with Web Crypto), not on the server.",
    "proof_ok": "Checked in this browser: the event at position {position} is in the "
                "checkpoint signed by that key.",
    "proof_bad": "FAILED: this proof does not match the signed checkpoint. Do not trust this "
                 "data.",
    "proof_cannot": "Cannot be checked in this browser.",
    "proof_not_in": "This position is not in the latest signed checkpoint yet.",
    "proof_needs_js": "Checking in the browser needs JavaScript.",
    "documents_intro": "Choose a document and a cut-off; the PDF is made from the same data as "
                       "the API and can be made again at the same position.",
    "doc_audit": "Programme audit report",
    "doc_dossier": "Claim dossier",
    "doc_minutes": "Handover minutes",
    "doc_programme": "Programme",
    "doc_cut_off": "Log position (empty: latest)",
    "doc_as_of": "or end of day (YYYY-MM-DD)",
    "doc_claim": "Claim",
    "doc_handover": "Ceremony",
    "doc_download": "Download the PDF",
    "doc_rendering": "Making the PDF, please wait…",
    "doc_lang": "Document language",
    "claim_short": "claim {short} ({benefit}, {status})",
}

READING_WORDS: dict[str, dict[str, str]] = {"id": _ID, "en": _EN}
