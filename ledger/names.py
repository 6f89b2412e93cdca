"""Names as people write them: letters, marks, digits, spaces and punctuation, nothing hidden.

A name pasted from a chat message or a web form can carry characters that print nothing or
change what is printed: a right-to-left override (U+202E) shows "Budi" reversed or hides a
suffix, a zero-width space (U+200B) makes "Budi" and "Bu\u200bdi" two different people that look
the same on every screen, a page and a search. Unicode gathers them in the "other" categories
(control, format, private use, surrogate, unassigned) and the line and paragraph separators. A
name holding one is refused, saying which character and where, so the clerk can type it again;
nothing is silently removed, since the stored name is evidence.
"""

from __future__ import annotations

import unicodedata

from ledger.errors import InvisibleCharacterError

#: Control (Cc), format (Cf: bidi overrides, zero-width joiners, soft hyphen, BOM), private use
#: (Co), surrogates (Cs), unassigned (Cn), line and paragraph separators (Zl, Zp).
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def hidden_character(text: str) -> tuple[int, str] | None:
    """The first hidden character of ``text`` (its 1-based position and the character)."""
    if text.isprintable():  # every hidden category is one str.isprintable refuses: none here
        return None
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in HIDDEN_CATEGORIES:
            return position, char
    return None


def require_visible(text: str, what: str, field: str) -> None:
    """Refuse a name with a hidden character, naming the character and where it is."""
    found = hidden_character(text)
    if found is None:
        return
    position, char = found
    name = unicodedata.name(char, "")
    described = f"U+{ord(char):04X}" + (f" {name}" if name else "")
    raise InvisibleCharacterError(
        f"{what} contains a hidden character at position {position} ({described}): it does not "
        "show on screen or paper but changes the name that is stored; type the name again "
        "without it", field=field)
