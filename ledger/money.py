"""Money is whole rupiah in an ``int``; this module writes it the Indonesian way for messages."""

from __future__ import annotations


def rupiah(amount: int) -> str:
    """``Rp999.936.000``: dot for thousands, no space after Rp, minus sign in front."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"money is whole rupiah (int); got {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")
