"""PDF pages as pixels, for the in-app preview and for printing through the OS.

Qt's own PDF module is not part of PySide6-Essentials, so pages are rendered with PDFium
(pypdfium2). The result is plain bytes (:class:`PageImage`); the UI wraps them in a QImage.

Threading contract: call these from a background thread (a page takes tens of
milliseconds at screen resolution, more at printer resolution). PDFium is not thread-safe,
not even for different documents (see pypdfium2's documentation, "Thread incompatibility"),
so every call into it holds one process-wide lock; two previews rendering at once simply
take turns.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

POINTS_PER_INCH = 72.0
MAX_DPI = 600.0

_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class PageImage:
    """One rendered page: ``height`` rows of ``stride`` bytes, RGBX (8 bits per channel,
    the fourth byte unused), white where the page is blank."""

    index: int  # 0-based
    count: int  # pages in the document
    width: int
    height: int
    stride: int
    pixels: bytes
    dpi: float


class PdfUnreadable(ValueError):
    """The bytes are not a PDF PDFium can open."""


def _open(pdf: bytes) -> Any:
    # Imported here: PDFium is only needed once a document is shown or printed.
    import pypdfium2

    try:
        return pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as exc:
        raise PdfUnreadable(f"not a readable PDF: {exc}") from exc


def page_count(pdf: bytes) -> int:
    with _PDFIUM:
        document = _open(pdf)
        try:
            return len(document)
        finally:
            document.close()


def render_page(pdf: bytes, index: int, *, dpi: float) -> PageImage:
    """Page ``index`` (from 0) of ``pdf`` at ``dpi`` dots per inch.

    :class:`IndexError` for a page the document does not have, :class:`ValueError` for a
    resolution outside 1…600 dpi, :class:`PdfUnreadable` for bytes that are no PDF.
    """
    if not 1 <= dpi <= MAX_DPI:
        raise ValueError(f"cannot render at {dpi} dpi (1 to {MAX_DPI:g})")
    with _PDFIUM:
        document = _open(pdf)
        try:
            count = len(document)
            if not 0 <= index < count:
                raise IndexError(f"page {index + 1} of a {count}-page document")
            page = document[index]
            try:
                bitmap = page.render(
                    scale=dpi / POINTS_PER_INCH, rev_byteorder=True, prefer_bgrx=True
                )
                try:
                    pixels = bytes(bitmap.buffer)
                    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    return PageImage(index, count, width, height, stride, pixels, dpi)
