"""A ledger refusal in Bahasa Indonesia, for the error files clerks read.

The ledger's own messages are English and exact (they name the values). Clerks at the social
agency and finance read Indonesian, so each rule (and, where one rule covers several fields, the
field) has a sentence here; the English message stays beside it in the error file, so no detail
is lost.
"""

from __future__ import annotations

from ledger.errors import LedgerError

_BY_RULE_AND_FIELD: dict[tuple[str, str | None], str] = {
    ("invalid-identity-number", "nik"): "NIK tidak sah (harus 16 angka dengan tanggal lahir "
                                        "yang benar)",
    ("invalid-identity-number", "kk"): "Nomor KK tidak sah (harus 16 angka)",
    ("invalid-input", "name"): "Nama pekerja kosong",
    ("invalid-input", "decile"): "Desil harus angka bulat 1 sampai 10",
    ("invalid-input", "register"): "Sumber data harus DTKS atau DTSEN",
    ("invalid-input", "register_snapshot"): "Tanggal data kesejahteraan sesudah tanggal daftar",
    ("invalid-input", "district"): "Kode kecamatan tidak dikenal atau bukan di wilayah ini",
    ("invalid-input", "village"): "Kode kelurahan/desa tidak termasuk kecamatan tersebut",
    ("invalid-row", "decile"): "Desil bukan angka",
    ("invalid-row", "birth_date"): "Tanggal lahir tidak sesuai dengan NIK",
    ("invalid-row", "sex"): "Jenis kelamin tidak sesuai dengan NIK (atau bukan L/P)",
    ("invalid-row", "enrolled_on"): "Tanggal daftar tidak dapat dibaca",
    ("invalid-row", "register_snapshot"): "Tanggal data tidak dapat dibaca",
    ("not-eligible", "region"): "Domisili di luar wilayah program",
    ("not-eligible", "decile"): "Desil di luar rentang yang ditanggung program",
    ("not-eligible", "occupation"): "Pekerjaan bukan pekerjaan informal dalam daftar program",
    ("not-eligible", "branch"): "Kantor cabang BPJS tidak melayani program ini",
    ("not-eligible", "enrolled_on"): "Tanggal daftar di luar masa program",
    ("not-eligible", "programme"): "Program ini tidak membayar iuran JKK/JKM",
    ("nik-already-covered", None): "NIK sudah terdaftar aktif di program lain",
    ("excluded-by-bpjs", None): "NIK ada di daftar pengecualian BPJS (sudah terdaftar di "
                                "tempat lain)",
    ("recorded-as-deceased", None): "Pekerja tercatat sudah meninggal dunia",
    ("duplicate-in-batch", None): "NIK muncul dua kali dalam satu kelompok",
    ("contribution-amount-mismatch", None): "Jumlah bukan peserta x tarif x bulan",
    ("contribution-members-invalid", None): "Peserta yang dibayar tidak terdaftar di program",
    ("duplicate-payment-order", None): "SP2D sudah tercatat",
    ("budget-exceeded", None): "Melebihi pagu anggaran (DPA)",
    ("programme-not-found", None): "Program tidak ditemukan",
    ("programme-closed", None): "Program sudah ditutup",
}

_BY_RULE = {rule: text for (rule, _), text in _BY_RULE_AND_FIELD.items()}


def indonesian(error: LedgerError) -> str:
    """The refusal in Indonesian: the rule's sentence, or the English message when none."""
    text = _BY_RULE_AND_FIELD.get((error.rule, error.field)) or _BY_RULE_AND_FIELD.get(
        (error.rule, None)) or _BY_RULE.get(error.rule)
    return text or error.message
