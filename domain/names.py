"""Names for search: Cyrillic to Latin, a spelling-blind skeleton, and small edit distances.

A consultant types what they hear. "Aleksandr", "Alexander" and "Александр" are the same
person; "Schewtschenko", "Shevchenko" and "Ševčenko" too. :func:`skeleton` maps all of
them to one key, so a prefix search on skeletons finds every spelling:

1. :func:`latin` transliterates Cyrillic to Latin (the shared table of
   :mod:`domain.transliteration`) and drops diacritics: "Ševčenko" → "shevchenko",
   "Щукин" → "shchukin".
2. Letter groups that different transliteration schemes write differently become one
   symbol: sch/shch/sh/š → "S", tsch/tch/ch/č → "C", zh/ž → "Z", kh/h → "h", x → "ks",
   w → "v", ph → "f", q/ck/k → "k" (a "c" before a, o, u, a consonant or the word's end),
   j/y between vowels or at word start → "i".
3. The sibilants s, z, ts/tz and a soft c (before e, i, y) are one letter "s": schemes
   write Cyrillic з and ц as z/s and ts/z/c (Kuznetsova/Kusnezowa/Кузнецова,
   Zaitsev/Saizew/Зайцев); a leading glide before a vowel is
   dropped (Yekaterina/Ekaterina, Yulia/Julija/Iuliia); a leading vowel becomes "a"; later
   vowels are dropped (transliterations disagree most on vowels), and doubled letters
   collapse (Anna/Ana).

The skeleton is only ever compared with other skeletons; it is not shown to anyone.
:func:`within_edits` is the bounded edit distance used for the last-resort typo search.
"""

from __future__ import annotations

import unicodedata

from domain.text import search_key
from domain.transliteration import CYRILLIC_LATIN as _CYRILLIC

# Latin letters with a stroke or ligature that NFKD does not decompose.
_LATIN_EXTRA = {"ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"}
# Caron letters are read before diacritics are dropped: "š" is "sh", not "s".
_CARON = {"š": "sh", "č": "ch", "ž": "zh", "ř": "rz", "ć": "ch", "ś": "sh", "ź": "zh"}
_VOWELS = frozenset("aeiouy")
# Longest first: each rule is tried in this order at every position.
_GROUPS = (
    ("shch", "S"),
    ("tsch", "C"),
    ("sch", "S"),
    ("tch", "C"),
    ("sh", "S"),
    ("ch", "C"),
    ("zh", "Z"),
    ("kh", "h"),
    ("ts", "s"),
    ("tz", "s"),
    ("ph", "f"),
    ("ck", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("q", "k"),
)


def latin(text: str) -> str:
    """Lower-case Latin letters for ``text``: Cyrillic transliterated, diacritics dropped.

    Text is NFKC-normalised first, so composed and decomposed letters ("š" and "s" +
    combining caron) and compatibility characters ("№", "𝐀") read the same.
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFKC", text).casefold():
        if char in _CYRILLIC:
            out.append(_CYRILLIC[char])
        elif char in _CARON:
            out.append(_CARON[char])
        elif char in _LATIN_EXTRA:
            out.append(_LATIN_EXTRA[char])
        else:
            out.append(char)
    return search_key("".join(out))


def skeleton(text: str) -> str:
    """The spelling-blind key of each word of ``text``, space-separated, in order."""
    return " ".join(filter(None, (_word_skeleton(word) for word in latin(text).split())))


def _word_skeleton(word: str) -> str:
    letters = "".join(ch for ch in word if ch.isalpha() and ch.isascii())
    if not letters:
        # Scripts other than Latin and Cyrillic are kept as they are.
        return "".join(ch for ch in word if ch.isalnum())
    symbols: list[str] = []
    i = 0
    while i < len(letters):
        for group, symbol in _GROUPS:
            if letters.startswith(group, i):
                symbols.extend(symbol)  # "x" → "k", "s": both take part in collapsing
                i += len(group)
                break
        else:
            char = letters[i]
            following = letters[i + 1] if i + 1 < len(letters) else ""
            if char == "c":
                # "c" before e/i/y sounds "ts" (Cyrillic ц, a sibilant); elsewhere "k".
                symbols.append("s" if following in ("e", "i", "y") else "k")
            elif char == "j" or (char == "y" and (i == 0 or following in _VOWELS)):
                symbols.append("i")
            elif char == "z":
                symbols.append("s")  # Kuznetsova/Kusnezowa, Zaitsev/Saizew: see rule 3
            else:
                symbols.append(char)
            i += 1
    if len(symbols) > 1 and symbols[0] == "i" and symbols[1] in _VOWELS:
        symbols = symbols[1:]  # Ye/Je/Ie, Yu/Ju/Iu, Ya/Ja/Ia: the glide is spelled or not
    first = "a" if symbols[0] in _VOWELS else symbols[0]
    kept = [first] + [s for s in symbols[1:] if s not in _VOWELS]
    collapsed = [kept[0]]
    for s in kept[1:]:
        if s != collapsed[-1]:
            collapsed.append(s)
    return "".join(collapsed)


def within_edits(a: str, b: str, limit: int) -> bool:
    """True if ``a`` becomes ``b`` with at most ``limit`` insertions, deletions or changes.

    Runs in O(len × limit) by only filling the band of the table that can stay in bounds.
    """
    if abs(len(a) - len(b)) > limit:
        return False
    if a == b:
        return True
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [limit + 1] * len(b)
        low, high = max(1, i - limit), min(len(b), i + limit)
        for j in range(low, high + 1):
            cost = 0 if ca == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if min(current[max(0, low - 1) : high + 1]) > limit:
            return False
        previous = current
    return previous[len(b)] <= limit


def is_plausible_name(text: str) -> bool:
    """Letters (any script), spaces, hyphens, apostrophes and dots only."""
    allowed = {" ", "-", "'", "’", "."}
    # Combining marks, spacing (Mc: Devanagari, Tamil vowel signs) or not (Mn), are letters'
    # parts in many scripts.
    return any(ch.isalpha() for ch in text) and all(
        ch.isalpha() or ch in allowed or unicodedata.category(ch) in ("Mn", "Mc") for ch in text
    )
