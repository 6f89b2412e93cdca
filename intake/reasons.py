"""A ledger refusal in Bahasa Indonesia, for the error files clerks read.

The ledger's own messages are English and exact (they name the values). Clerks at the social
agency and finance read Indonesian, so each rule, and where one rule covers several fields each
field, has a sentence here; the English message stays beside it in the error file, so no detail
is lost.

A sentence is found by (rule, field), then by (rule, no field). It is never borrowed from another
field of the same rule: "invalid-row" of the amount column has nothing to do with "invalid-row"
of a date column, and a wrong sentence misleads more than a general one.
"""

from __future__ import annotations

from ledger.errors import LedgerError

_BY_RULE_AND_FIELD: dict[tuple[str, str | None], str] = {
    # -- roster rows -------------------------------------------------------------------------
    ("invalid-identity-number", "nik"): "NIK tidak sah (harus 16 angka dengan tanggal lahir "
                                        "yang benar)",
    ("invalid-identity-number", "kk"): "Nomor KK tidak sah (harus 16 angka)",
    ("invalid-input", "name"): "Nama pekerja kosong",
    ("invisible-characters", "name"): "Nama mengandung karakter tersembunyi (misalnya pembalik "
                                      "arah tulisan atau spasi tanpa lebar); ketik ulang nama",
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
    # -- payment orders (SP2D) ---------------------------------------------------------------
    ("invalid-input", "sp2d"): "Nomor SP2D kosong",
    ("invalid-row", "sp2d"): "Nomor SP2D muncul dua kali dalam berkas ini",
    ("invalid-row", "paid_on"): "Tanggal SP2D tidak dapat dibaca (tulis 2025-04-10 atau "
                                "10/04/2025)",
    ("invalid-row", "amount"): "Jumlah bukan angka rupiah bulat (tanpa tanda minus, tanpa "
                               "desimal)",
    ("invalid-input", "amount"): "Jumlah harus lebih dari nol rupiah",
    ("invalid-row", "months"): "Bulan iuran tidak dapat dibaca (tulis 2025-03, "
                               "2025-03;2025-04 atau 2025-03..2025-12)",
    ("invalid-date", "months"): "Bulan iuran tidak dapat dibaca (tulis 2025-03, "
                                "2025-03;2025-04 atau 2025-03..2025-12)",
    ("invalid-input", "months"): "Bulan iuran tidak disebut",
    ("not-eligible", "months"): "Bulan iuran di luar masa program (atau tanpa tarif iuran yang "
                                "berlaku)",
    ("invalid-row", "program"): "Baris tidak menyebut program (kolom Program atau --program)",
    ("invalid-row", "members"): "NIK di kolom Peserta bukan peserta aktif program ini",
    ("invalid-identity-number", "members"): "NIK di kolom Peserta tidak sah (harus 16 angka "
                                            "dengan tanggal lahir yang benar)",
    ("contribution-members-invalid", None): "Peserta yang dibayar tidak terdaftar di program",
    ("contribution-amount-mismatch", None): "Jumlah bukan peserta x tarif x bulan",
    ("duplicate-payment-order", None): "SP2D sudah tercatat",
    ("budget-exceeded", None): "Melebihi pagu anggaran (DPA)",
    # -- either ------------------------------------------------------------------------------
    ("programme-not-found", None): "Program tidak ditemukan",
    ("programme-closed", None): "Program sudah ditutup",
}

#: Said when no sentence fits: Indonesian still, pointing at the exact English beside it.
GENERAL = "Baris ini ditolak oleh aturan '{rule}'; rinciannya ada di kolom Reason"


def indonesian(error: LedgerError) -> str:
    """The refusal in Indonesian: the sentence of its rule and field, of its rule alone, or a
    general sentence naming the rule (never the English message in the Indonesian column).
    An import's own row refusal may carry its sentence (``reason_id``) when its case is
    narrower than its field."""
    own = getattr(error, "reason_id", None)
    if isinstance(own, str) and own:
        return own
    return sentence(error.rule, error.field) or GENERAL.format(rule=error.rule)


def sentence(rule: str, field: str | None) -> str | None:
    """The Indonesian sentence of a rule (and field), or None when there is none."""
    return _BY_RULE_AND_FIELD.get((rule, field)) or _BY_RULE_AND_FIELD.get((rule, None))
