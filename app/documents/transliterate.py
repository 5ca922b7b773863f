"""Text the PDF core fonts can show: the fallback when no Unicode font loads.

When the shipped TrueType font cannot be read, PDFs fall back to the PDF core font
Helvetica, which only knows the WinAnsi (cp1252) characters. A buyer called "Иван Петров"
must then read "Ivan Petrov", not a row of empty boxes, so :func:`to_winansi` rewrites every
character the core font lacks. Cyrillic is spelled with the shared table of
:mod:`domain.transliteration` (the receipt printer uses the same one), keeping capitals,
digits and punctuation exactly.
"""

from __future__ import annotations

import unicodedata

from domain.transliteration import to_latin

__all__ = ["to_latin", "to_winansi"]

# Latin letters that NFKD does not reduce to an ASCII base letter.
_LATIN_EXTRA = {
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
}  # fmt: skip


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def to_winansi(text: str) -> str:
    """``text`` using only characters the PDF core fonts can show (cp1252).

    Cyrillic is transliterated; other letters lose the accents cp1252 lacks ("č" → "c",
    "ő" → "o"); compatibility characters are decomposed ("№" → "No"); anything still left
    becomes "?", so the reader sees that something was there.
    """
    out: list[str] = []
    for char in to_latin(unicodedata.normalize("NFC", text)):
        if _encodable(char):
            out.append(char)
            continue
        if unicodedata.combining(char):
            continue  # an accent cp1252 has no letter for; the base letter stays
        if char in _LATIN_EXTRA:
            out.append(_LATIN_EXTRA[char])
            continue
        decomposed = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if decomposed and all(_encodable(c) for c in decomposed):
            out.append(decomposed)
        else:
            out.append("?")
    return "".join(out)
