"""Informal occupations the programmes name (reference data: a programme picks its own list)."""

from __future__ import annotations

#: code -> Indonesian label, as the social agency writes them.
OCCUPATIONS: dict[str, str] = {
    "ojek": "Pengemudi ojek",
    "asisten_rumah_tangga": "Asisten rumah tangga",
    "juru_parkir": "Juru parkir",
    "pedagang_kaki_lima": "Pedagang kaki lima",
    "pedagang_asongan": "Pedagang asongan",
    "buruh_harian_lepas": "Buruh harian lepas",
    "petani": "Petani",
    "nelayan": "Nelayan",
    "pemulung": "Pemulung",
    "ketua_rt": "Ketua RT",
    "ppsu": "Petugas PPSU",
    "pekerja_sosial_keagamaan": "Pekerja sosial keagamaan",
}


def occupation_label(code: str) -> str:
    """The Indonesian label of an occupation code (the code itself when unknown)."""
    return OCCUPATIONS.get(code, code)
