"""Cyrillic to Latin: the one table StoreDesk spells Cyrillic with, wherever it must.

Three places need it: receipts on a printer with no Cyrillic code page
(:mod:`devices.printer.transliterate`), PDFs when the Cyrillic font cannot be loaded
(:mod:`app.documents.transliterate`), and name search keys (:mod:`domain.names`). They
share this table so that a customer's name reads the same on the receipt, on the invoice
and in the search results: "Пётр Щукин" is "Petr Shchukin" everywhere.

The table follows the common passport-style romanisation (х → kh, щ → shch, ю → yu) and
covers Russian, Ukrainian, Belarusian, Serbian and Macedonian letters. :func:`to_latin`
keeps capitals, digits and punctuation and adds two context rules so that Bulgarian reads
naturally with the same table: ъ is silent only before a vowel, as the Russian hard sign
always is, and spells "a" otherwise ("България" → "Balgariya"); ь before о spells "y"
("бульон", "шофьор"). Plain look-ups in :data:`CYRILLIC_LATIN` (search keys) treat both
signs as silent.
"""

from __future__ import annotations

CYRILLIC_LATIN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Ukrainian and Belarusian
    "ґ": "g", "є": "ye", "і": "i", "ї": "yi", "ў": "u",
    # Serbian and Macedonian
    "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj",
    "ѕ": "dz",
}  # fmt: skip
"""Lower-case Cyrillic letter → lower-case Latin spelling (hard and soft sign silent)."""

_SOFT_VOWELS = frozenset("еёюяєї")


def latin_letter(text: str, index: int) -> str | None:
    """The Latin spelling of ``text[index]`` if it is a Cyrillic letter, else None.

    Capitals stay capitals; a multi-letter spelling is upper-cased inside an upper-case
    word and capitalised otherwise: "Щука" → "Shchuka" but "ЩУКА" → "SHCHUKA".
    """
    char = text[index]
    lower = char.lower()
    if lower not in CYRILLIC_LATIN:
        return None
    following = text[index + 1].lower() if index + 1 < len(text) else ""
    if lower == "ъ":
        latin = "" if following in _SOFT_VOWELS else "a"
    elif lower == "ь":
        latin = "y" if following == "о" else ""
    else:
        latin = CYRILLIC_LATIN[lower]
    if char == lower or not latin:
        return latin
    if len(latin) > 1 and _shouting(text, index):
        return latin.upper()
    return latin.capitalize()


def to_latin(text: str) -> str:
    """``text`` with Cyrillic letters spelled in Latin; everything else unchanged."""
    out: list[str] = []
    for index, char in enumerate(text):
        latin = latin_letter(text, index)
        out.append(char if latin is None else latin)
    return "".join(out)


def _shouting(text: str, index: int) -> bool:
    """True when the capital at ``index`` stands in an upper-case word ("ЖУК", "ЖКХ"), not
    at the start of a capitalised one ("Жук")."""
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return (after.isalpha() and after.isupper()) or (
        before.isalpha() and before.isupper() and not after.isalpha()
    )
