"""Latin stand-ins for characters a printer has no code page for.

A receipt must never fail to print because of a name: a customer "Пётр" on a printer whose
profile has no Cyrillic code page gets "Petr", an "Ł" on a CP437-only printer gets "L", and
anything with no sensible Latin spelling (Chinese, emoji) gets "?". The Cyrillic table is the
passport-style romanisation the PDF documents use for their core-font fallback (х → kh,
щ → shch, ю → yu), so a customer's name reads the same on the receipt and on the invoice.

:func:`fallback` is only consulted for characters that no code page of the printer covers;
text the printer can show is never rewritten.
"""

from __future__ import annotations

import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Ukrainian, Belarusian, Serbian and Macedonian letters
    "ґ": "g", "є": "ye", "і": "i", "ї": "yi", "ў": "u", "ђ": "dj", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}  # fmt: skip

# Letters NFKD does not reduce to an ASCII base, and punctuation with a plain ASCII twin.
_OTHER = {
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae",
    "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ı": "i", "ħ": "h", "Ħ": "H",
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201a": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "«": '"', "»": '"', "\u2026": "...",
    "\u2022": "*", "№": "No", "€": "EUR", "₽": "RUB", "₴": "UAH", "£": "GBP", "\u00a0": " ",
    "\u202f": " ", "\u2009": " ", "\u00ad": "",
}  # fmt: skip

UNKNOWN = "?"


def fallback(text: str, index: int) -> str:
    """A plain ASCII spelling of ``text[index]``; ``"?"`` when there is none.

    The neighbours decide the case of a multi-letter spelling: "Щука" → "Shchuka" but
    "ЩУКА" → "SHCHUKA".
    """
    char = text[index]
    if char in _OTHER:
        return _OTHER[char]
    lower = char.lower()
    if lower in _CYRILLIC:
        latin = _CYRILLIC[lower]
        if char == lower or not latin:
            return latin
        return latin.upper() if _shouting(text, index) else latin.capitalize()
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and base.isascii() and base.isprintable():
        return base
    return UNKNOWN


def _shouting(text: str, index: int) -> bool:
    """True when the letter stands in an upper-case word (so "Ж" spells "ZH", not "Zh")."""
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return (after.isalpha() and after.isupper()) or (
        before.isalpha() and before.isupper() and not after.isalpha()
    )
