"""Text normalisation shared by search and storage."""

from __future__ import annotations

import unicodedata


def search_key(*parts: str) -> str:
    """Lower-case, accent-free, single-spaced text: the form names are searched in.

    "Müller  Jürgen" → "muller jurgen"; Cyrillic letters stay Cyrillic ("Ёлкин" → "елкин").
    """
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())
