"""The fonts StoreDesk's PDFs are set in: DejaVu Sans, or Helvetica with Latin-only text.

DejaVu Sans (``resources/fonts/``, licence in ``LICENSE-DejaVu.txt``) covers Latin and
Cyrillic, so a Bulgarian or Russian buyer's name prints as written. Parsing a TrueType file
takes tens of milliseconds and reportlab's font registry is process-wide, so each font file
is registered once per process, under a lock because documents are rendered on worker
threads.

A missing or unreadable font file must never stop an invoice: the document falls back to
the PDF core font Helvetica and every text passes through :func:`to_winansi`, so it stays
correct, only transliterated. The fallback is logged once as a warning.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

import resources
from app.documents.transliterate import to_winansi

log = logging.getLogger(__name__)

FONT_DIR = Path(resources.__file__).resolve().parent / "fonts"
REGULAR_FILE = FONT_DIR / "DejaVuSans.ttf"
BOLD_FILE = FONT_DIR / "DejaVuSans-Bold.ttf"

_lock = threading.Lock()
_cache: dict[tuple[Path, Path], PdfFonts] = {}
_names: dict[Path, str] = {}  # font file -> the name it is registered under


def _unchanged(text: str) -> str:
    return text


@dataclass(frozen=True)
class PdfFonts:
    """Font names registered with reportlab, and how text must be prepared for them.

    ``text`` is the identity for the Unicode font and :func:`to_winansi` for the fallback;
    every string that reaches the PDF goes through it.
    """

    regular: str
    bold: str
    unicode: bool
    text: Callable[[str], str]


FALLBACK = PdfFonts("Helvetica", "Helvetica-Bold", unicode=False, text=to_winansi)


def _register(path: Path) -> str:
    """Register ``path`` with reportlab (raises if it is missing or not a TrueType font).

    Names are unique per file, not per file name: a second "DejaVuSans.ttf" elsewhere
    must be read and checked, not mistaken for the one already registered.
    """
    name = _names.get(path)
    if name is None:
        name = f"StoreDesk-{path.stem}"
        if name in _names.values():
            name = f"{name}-{len(_names)}"
        pdfmetrics.registerFont(TTFont(name, str(path)))
        _names[path] = name
    return name


def _load(regular_file: Path, bold_file: Path) -> PdfFonts:
    try:
        regular = _register(regular_file)
    except Exception as exc:  # reportlab raises TTFError, OSError or struct errors
        log.warning(
            "PDF font %s cannot be used (%s); documents fall back to Helvetica with "
            "Cyrillic transliterated to Latin",
            regular_file,
            exc,
        )
        return FALLBACK
    try:
        bold = _register(bold_file)
    except Exception as exc:
        # Emphasis is worth less than the buyer's name in their own alphabet.
        log.warning("PDF font %s cannot be used (%s); bold text uses %s", bold_file, exc, regular)
        bold = regular
    # <b> inside a paragraph looks the face up in reportlab's family table.
    for bold_flag, italic_flag in ((0, 0), (1, 0), (0, 1), (1, 1)):
        addMapping(regular, bold_flag, italic_flag, bold if bold_flag else regular)
    return PdfFonts(regular, bold, unicode=True, text=_unchanged)


def pdf_fonts() -> PdfFonts:
    """The document fonts, registering them on first use (thread-safe, cached per file pair).

    The files are read from the module attributes at call time, so a test (or a packaged
    build) can point them elsewhere.
    """
    key = (REGULAR_FILE, BOLD_FILE)
    fonts = _cache.get(key)
    if fonts is not None:
        return fonts
    with _lock:
        fonts = _cache.get(key)
        if fonts is None:
            fonts = _load(*key)
            _cache[key] = fonts
    return fonts
