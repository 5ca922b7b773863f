"""Cyrillic to Latin for documents, keeping capitals: the fallback when no Unicode font loads.

When the shipped TrueType font cannot be read, PDFs fall back to the PDF core font
Helvetica, which only knows the WinAnsi (cp1252) characters. A buyer called "Иван Петров"
must then read "Ivan Petrov", not a row of empty boxes, so :func:`to_winansi` rewrites every
character the core font lacks.

This is deliberately separate from :func:`domain.names.latin`, which lower-cases and drops
diacritics to build search keys; a document keeps capitals, digits and punctuation exactly.
The table follows the common passport-style romanisation (х → kh, щ → shch, ю → yu). Two
context rules let Bulgarian read naturally with the same table: ъ is silent only before a
vowel, as the Russian hard sign always is, and spells "a" otherwise ("България" →
"Balgariya"); ь before о spells "y" ("бульон", "шофьор").
"""

from __future__ import annotations

import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ы": "y", "э": "e", "ю": "yu", "я": "ya",
    # Ukrainian and Belarusian
    "ґ": "g", "є": "ye", "і": "i", "ї": "yi", "ў": "u",
    # Serbian and Macedonian
    "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj",
    "ѕ": "dz",
}  # fmt: skip
# Latin letters that NFKD does not reduce to an ASCII base letter.
_LATIN_EXTRA = {
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
}  # fmt: skip
_SOFT_VOWELS = frozenset("еёюяєї")


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _cyrillic(text: str, index: int) -> str | None:
    """The Latin spelling of ``text[index]`` if it is a Cyrillic letter, else None."""
    char = text[index]
    lower = char.lower()
    following = text[index + 1].lower() if index + 1 < len(text) else ""
    if lower == "ъ":
        latin = "" if following in _SOFT_VOWELS else "a"
    elif lower == "ь":
        latin = "y" if following == "о" else ""
    elif lower in _CYRILLIC:
        latin = _CYRILLIC[lower]
    else:
        return None
    if char == lower or not latin:
        return latin
    # "Щукин" → "Shchukin" but "ЩУКИН" → "SHCHUKIN": a capital inside a capitalised word.
    neighbours = text[max(index - 1, 0) : index] + text[index + 1 : index + 2]
    if len(latin) > 1 and any(c.isalpha() and c.isupper() for c in neighbours):
        return latin.upper()
    return latin.capitalize()


def to_latin(text: str) -> str:
    """``text`` with Cyrillic letters spelled in Latin; everything else unchanged."""
    out: list[str] = []
    for index, char in enumerate(text):
        latin = _cyrillic(text, index)
        out.append(char if latin is None else latin)
    return "".join(out)


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
