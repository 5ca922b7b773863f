"""Latin stand-ins for characters a printer has no code page for.

A receipt must never fail to print because of a name: a customer "Пётр" on a printer whose
profile has no Cyrillic code page gets "Petr", an "Ł" on a CP437-only printer gets "L", and
anything with no sensible Latin spelling (Chinese, emoji) gets "?". Cyrillic is spelled with
the shared table of :mod:`domain.transliteration` (х → kh, щ → shch, ю → yu), the one the PDF
documents use for their core-font fallback, so a customer's name reads the same on the
receipt and on the invoice.

:func:`fallback` is only consulted for characters that no code page of the printer covers;
text the printer can show is never rewritten.
"""

from __future__ import annotations

import unicodedata

from domain.transliteration import latin_letter

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
    latin = latin_letter(text, index)
    if latin is not None:
        return latin
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and base.isascii() and base.isprintable():
        return base
    return UNKNOWN
