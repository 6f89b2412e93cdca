"""The console's words, in Bahasa Indonesia (the default) and English.

The words the console shares with the PDFs (programme, ceiling, claims, findings, ...) come from
:mod:`documents.labels`, so a page and a report name a thing alike; only what belongs to a screen
(navigation, signing in, sessions, errors) is written here. Every key exists in both languages
(a test holds them to it).
"""

from __future__ import annotations

from typing import Any

from documents.labels import LABELS, LANGUAGES, words

DEFAULT_LANGUAGE = "id"

_ID = {
    "app": "claims-ledger",
    "app_tagline": "Konsol pemeriksa dan keuangan",
    "skip": "Langsung ke isi halaman",
    "nav": "Navigasi utama",
    "nav_home": "Beranda",
    "nav_programmes": "Program",
    "nav_workers": "Pekerja",
    "nav_claims": "Klaim",
    "nav_approvals": "Antrean persetujuan",
    "nav_reconciliation": "Rekonsiliasi",
    "nav_findings": "Temuan",
    "nav_journal": "Jurnal",
    "nav_documents": "Dokumen",
    "about_programmes": "Program tiap pemberi dana: pagu, realisasi, peserta, klaim dibayar, "
                        "temuan terbuka; anggaran bulanan dengan nomor SP2D.",
    "about_workers": "Rekam jejak seorang pekerja berdasarkan NIK: setiap peristiwa dengan "
                     "posisi log dan bukti inklusinya, pada posisi data atau tanggal pilihan.",
    "about_claims": "Klaim menurut status, manfaat dan program; versi aturan dan perhitungan "
                    "tiap klaim.",
    "about_approvals": "Setujui atau tolak klaim dengan alasan, sebagai pemeriksa kedua "
                       "(empat mata).",
    "about_reconciliation": "Hasil rekonsiliasi laporan BPJS dan bank: baris cocok dan selisih, "
                            "umur selisih yang terbuka.",
    "about_findings": "Sepuluh tanda bahaya audit dengan jumlah kasus dan rupiah terdampak, "
                      "tiap kasus dengan buktinya.",
    "about_journal": "Kepala jurnal Merkle dan checkpoint bertanda tangan; bukti inklusi tiap "
                     "peristiwa diperiksa di peramban.",
    "about_documents": "Laporan audit, berkas klaim dan berita acara pada posisi data pilihan, "
                       "untuk diunduh.",
    "finance_can_resolve": "Sebagai petugas keuangan, Anda juga dapat mengunggah laporan dan "
                           "menyelesaikan selisih.",
    "coming": "Halaman ini sedang disiapkan. Data yang sama sudah tersedia melalui API dan "
              "baris perintah.",
    "sign_in": "Masuk",
    "sign_in_title": "Masuk ke konsol",
    "sign_in_intro": "Masuk dengan token API Anda (dibuat oleh admin dengan "
                     "'claims-ledger token create'). Peran token menentukan halaman yang "
                     "dapat Anda buka.",
    "token": "Token API",
    "token_help": "Token dimulai dengan clt_. Token tidak disimpan di peramban ini; konsol "
                  "hanya mengingat sesi Anda.",
    "token_missing": "Ketik token API Anda untuk masuk.",
    "token_unknown": "Token ini tidak dikenal oleh ledger (salah ketik, terpotong, atau dari "
                     "ledger lain). Minta token kepada admin.",
    "token_feed_only": "Token ini ('{name}') milik umpan data audit: hanya membaca umpan "
                       "(/api/v1/audit-feed), tidak membuka konsol. Minta token auditor kepada "
                       "admin.",
    "token_expired_at": "Token ini ('{name}') kedaluwarsa pada {when}. Minta token baru kepada "
                        "admin.",
    "token_revoked_at": "Token ini ('{name}') dicabut pada {when}. Minta token baru kepada "
                        "admin.",
    "sign_out": "Keluar",
    "ended_signed-out": "Anda sudah keluar. Sesi dihapus dari server.",
    "ended_idle": "Sesi Anda berakhir karena tidak ada aktivitas selama {idle} menit. "
                  "Silakan masuk lagi.",
    "ended_absolute": "Sesi Anda berakhir karena sudah berlangsung {hours} jam. Silakan masuk "
                      "lagi.",
    "ended_expired": "Token Anda sudah kedaluwarsa, sehingga sesi diakhiri. Minta token baru "
                     "kepada admin.",
    "ended_revoked": "Token Anda sudah dicabut, sehingga sesi diakhiri. Minta token baru kepada "
                     "admin.",
    "ended_gone": "Sesi Anda sudah tidak ada (keluar di jendela lain, atau berakhir). Silakan "
                  "masuk lagi.",
    "ended_required": "Silakan masuk untuk membuka halaman itu.",
    "welcome": "Selamat datang, {name}.",
    "you_are": "Anda masuk sebagai {role_name} (peran {role}).",
    "you_can": "Yang dapat Anda buka di sini",
    "you_cannot": "Tidak untuk peran Anda",
    "only_for": "hanya untuk {roles}",
    "session_until": "Sesi berakhir setelah {idle} menit tanpa aktivitas, dan paling lambat "
                     "{when}.",
    "token_until": "Token Anda berlaku sampai {when}.",
    "language": "Bahasa",
    "language_switch": "English",
    "language_switch_lang": "en",
    "masked_mode": "Mode samaran",
    "masked_on": "Mode samaran aktif: nama dan NIK tersamar disembunyikan, untuk berbagi layar.",
    "masked_turn_on": "Samarkan untuk berbagi layar",
    "masked_turn_off": "Tampilkan nama",
    "masked_word": "(disamarkan)",
    "signed_in_as": "Masuk sebagai",
    "filters": "Saring",
    "filter_period": "Periode",
    "filter_period_help": "Tahun (2025) atau bulan (2025-03)",
    "filter_funder": "Pemberi dana",
    "filter_programme": "Program",
    "filter_district": "Kecamatan",
    "filters_unapplied": "Saringan {names} tidak berlaku di halaman ini: isinya tidak dibagi "
                         "menurut itu, jadi yang tampil tidak disaring dengannya.",
    "filter_all": "Semua",
    "filter_apply": "Terapkan",
    "filter_clear": "Hapus saringan",
    "bad_period": "Periode harus berupa tahun (misalnya 2025) atau bulan (misalnya 2025-03).",
    "bad_funder": "Pemberi dana tidak dikenal; pilih dari daftar.",
    "bad_programme": "Program tidak dikenal; pilih dari daftar.",
    "bad_district": "Kecamatan tidak dikenal; pilih dari daftar.",
    "error": "Galat",
    "error_400": "Permintaan tidak dapat dibaca",
    "error_403": "Peran Anda tidak boleh membuka halaman ini",
    "error_404": "Halaman tidak ditemukan",
    "error_500": "Terjadi kesalahan di ledger",
    "error_503": "Basis data ledger tidak tersedia",
    "forbidden": "Peran Anda ({role_name}) tidak boleh membuka {page}: halaman ini hanya untuk "
                 "{roles}, sama seperti di API.",
    "not_found": "Tidak ada halaman di alamat ini. Gunakan navigasi di atas.",
    "csrf": "Formulir ini tidak dapat diterima: formulir sudah kedaluwarsa atau tidak dikirim "
            "dari halaman konsol. Muat ulang halaman, lalu coba lagi.",
    "unexpected": "Terjadi kesalahan yang tidak terduga; tidak ada yang dicatat dari permintaan "
                  "ini. Coba lagi, atau laporkan waktu kejadian kepada admin.",
    "unavailable": "Basis data ledger tidak dapat dihubungi saat ini. Coba lagi dalam beberapa "
                   "detik.",
    "not_initialised": "Tabel konsol belum ada di basis data ini. Admin menjalankan "
                       "'claims-ledger db init' (aman diulang; tidak mengubah catatan).",
    "bad_language": "Bahasa yang tersedia: Bahasa Indonesia (id) dan English (en).",
    "back_home": "Kembali ke beranda",
    "role_clerk": "petugas pencatat",
    "role_approver": "pejabat penyetuju",
    "role_finance": "petugas keuangan",
    "role_auditor": "auditor",
    "role_admin": "administrator",
    "does_clerk": "Anda mencatat pendaftaran, kejadian dan klaim melalui API atau baris "
                  "perintah; di sini Anda melihat program, pekerja, klaim dan temuan. Klaim "
                  "yang Anda ajukan disetujui oleh orang lain.",
    "does_approver": "Anda menyetujui atau menolak klaim yang diajukan orang lain, dan dapat "
                     "memeriksa semua catatan di balik setiap klaim.",
    "does_finance": "Anda mengawasi anggaran, merekonsiliasi laporan BPJS dan bank, dan "
                    "memeriksa pembayaran.",
    "does_auditor": "Anda membaca dan memeriksa: menelusuri riwayat, mengikuti tanda bahaya "
                    "sampai buktinya, dan memastikan tidak ada yang diubah. Anda tidak mengubah "
                    "apa pun.",
    "does_admin": "Anda mengelola program dan token; di sini Anda melihat semua catatan.",
    "footer": "Semua waktu dalam WIB. Setiap perubahan adalah peristiwa yang tidak dapat diubah.",
    "served_replica": "Halaman ini dibaca dari replika baca.",
    "served_primary": "Halaman ini dibaca dari server utama (replika baca belum memuat perubahan "
                      "terakhir Anda, atau tidak dapat dihubungi).",
}

_EN = {
    "app": "claims-ledger",
    "app_tagline": "Console for auditors and finance",
    "skip": "Skip to the page's content",
    "nav": "Main navigation",
    "nav_home": "Home",
    "nav_programmes": "Programmes",
    "nav_workers": "Workers",
    "nav_claims": "Claims",
    "nav_approvals": "Approval queue",
    "nav_reconciliation": "Reconciliation",
    "nav_findings": "Findings",
    "nav_journal": "Journal",
    "nav_documents": "Documents",
    "about_programmes": "Each funder's programmes: ceiling, realisation, members, claims paid, "
                        "open findings; the monthly budget with its SP2D numbers.",
    "about_workers": "A worker's record by NIK: every event with its log position and "
                     "inclusion proof, as recorded at a chosen position or date.",
    "about_claims": "Claims by status, benefit and programme; each claim's rule version and "
                    "computation.",
    "about_approvals": "Approve or reject claims with a reason, as the second pair of eyes "
                       "(four eyes).",
    "about_reconciliation": "Reconciliation of BPJS and bank statements: matched and discrepant "
                            "lines, the age of open discrepancies.",
    "about_findings": "The ten audit red flags with their cases and rupiah at stake, each case "
                      "with its evidence.",
    "about_journal": "The Merkle journal's head and signed checkpoints; each event's inclusion "
                     "proof checked in the browser.",
    "about_documents": "The audit report, claim dossiers and handover minutes at a chosen "
                       "cut-off, to download.",
    "finance_can_resolve": "As a finance officer you can also upload statements and resolve "
                           "discrepancies.",
    "coming": "This page is being prepared. The same data is available through the API and the "
              "command line.",
    "sign_in": "Sign in",
    "sign_in_title": "Sign in to the console",
    "sign_in_intro": "Sign in with your API token (made by an admin with "
                     "'claims-ledger token create'). The token's role decides which pages you "
                     "can open.",
    "token": "API token",
    "token_help": "Tokens begin with clt_. The token is not kept in this browser; the console "
                  "only remembers your session.",
    "token_missing": "Type your API token to sign in.",
    "token_unknown": "This token is not known to the ledger (mistyped, cut short, or from "
                     "another ledger). Ask an admin for one.",
    "token_feed_only": "This token ('{name}') is the audit feed's: it reads only the feed "
                       "(/api/v1/audit-feed) and does not open the console. Ask an admin for an "
                       "auditor's token.",
    "token_expired_at": "This token ('{name}') expired at {when}. Ask an admin for a new one.",
    "token_revoked_at": "This token ('{name}') was revoked at {when}. Ask an admin for a new "
                        "one.",
    "sign_out": "Sign out",
    "ended_signed-out": "You have signed out. The session was deleted on the server.",
    "ended_idle": "Your session ended after {idle} minutes without activity. Please sign in "
                  "again.",
    "ended_absolute": "Your session ended after {hours} hours. Please sign in again.",
    "ended_expired": "Your token has expired, so the session was ended. Ask an admin for a new "
                     "one.",
    "ended_revoked": "Your token was revoked, so the session was ended. Ask an admin for a new "
                     "one.",
    "ended_gone": "Your session is no longer there (signed out in another window, or ended). "
                  "Please sign in again.",
    "ended_required": "Please sign in to open that page.",
    "welcome": "Welcome, {name}.",
    "you_are": "You are signed in as {role_name} (role {role}).",
    "you_can": "What you can open here",
    "you_cannot": "Not for your role",
    "only_for": "only for {roles}",
    "session_until": "The session ends after {idle} minutes without activity, and at the latest "
                     "at {when}.",
    "token_until": "Your token is valid until {when}.",
    "language": "Language",
    "language_switch": "Bahasa Indonesia",
    "language_switch_lang": "id",
    "masked_mode": "Masked mode",
    "masked_on": "Masked mode is on: names and masked NIKs are hidden, for sharing a screen.",
    "masked_turn_on": "Mask for screen sharing",
    "masked_turn_off": "Show names",
    "masked_word": "(masked)",
    "signed_in_as": "Signed in as",
    "filters": "Filter",
    "filter_period": "Period",
    "filter_period_help": "A year (2025) or a month (2025-03)",
    "filter_funder": "Funder",
    "filter_programme": "Programme",
    "filter_district": "District",
    "filters_unapplied": "The {names} filter does not apply to this page: what it shows is not "
                         "divided that way, so nothing here is filtered by it.",
    "filter_all": "All",
    "filter_apply": "Apply",
    "filter_clear": "Clear filters",
    "bad_period": "The period is a year (for example 2025) or a month (for example 2025-03).",
    "bad_funder": "That funder is not known; choose one from the list.",
    "bad_programme": "That programme is not known; choose one from the list.",
    "bad_district": "That district is not known; choose one from the list.",
    "error": "Error",
    "error_400": "The request could not be read",
    "error_403": "Your role may not open this page",
    "error_404": "Page not found",
    "error_500": "Something went wrong in the ledger",
    "error_503": "The ledger's database is not available",
    "forbidden": "Your role ({role_name}) may not open {page}: this page is only for {roles}, "
                 "as in the API.",
    "not_found": "There is no page at this address. Use the navigation above.",
    "csrf": "This form cannot be accepted: it has expired or was not sent from a console page. "
            "Reload the page, then try again.",
    "unexpected": "An unexpected error occurred; nothing of this request was recorded. Try "
                  "again, or tell an admin when it happened.",
    "unavailable": "The ledger's database cannot be reached right now. Try again in a few "
                   "seconds.",
    "not_initialised": "The console's tables are not in this database yet. An admin runs "
                       "'claims-ledger db init' (safe to repeat; it changes no record).",
    "bad_language": "The languages are Bahasa Indonesia (id) and English (en).",
    "back_home": "Back to the home page",
    "role_clerk": "clerk",
    "role_approver": "approver",
    "role_finance": "finance officer",
    "role_auditor": "auditor",
    "role_admin": "administrator",
    "does_clerk": "You record enrolments, incidents and claims through the API or the command "
                  "line; here you see programmes, workers, claims and findings. Claims you file "
                  "are approved by someone else.",
    "does_approver": "You approve or reject claims filed by others, and can check every record "
                     "behind each claim.",
    "does_finance": "You watch the budget, reconcile BPJS and bank statements, and check the "
                    "payments.",
    "does_auditor": "You read and check: replay history, follow a red flag to its evidence, and "
                    "make sure nothing was changed. You change nothing.",
    "does_admin": "You manage programmes and tokens; here you see every record.",
    "footer": "All times in WIB. Every change is an immutable event.",
    "served_replica": "This page was read on the read replica.",
    "served_primary": "This page was read on the primary server (the read replica did not yet "
                      "hold your latest change, or could not be reached).",
}

CONSOLE_WORDS: dict[str, dict[str, str]] = {"id": _ID, "en": _EN}


def choose_language(offered: str | None) -> str:
    """The language a browser asked for (its cookie), or the default."""
    return offered if offered in LANGUAGES else DEFAULT_LANGUAGE


def console_words(lang: str) -> dict[str, Any]:
    """Everything a console template needs to speak ``lang``: the documents' words (``t`` and
    the code-to-label tables) with the console's own on top."""
    shared = words(lang)
    shared["t"] = {**LABELS[lang], **CONSOLE_WORDS[lang]}
    return shared
