"""ReceiptDoc → ESC/POS bytes: python-escpos writes the commands, :mod:`codepages` the text.

Rendering happens in memory (python-escpos ``Dummy``); sending is a separate step, so the
simulator and every real connection get byte-identical jobs, and a job is sent whole or not
at all. Formatting, QR codes, barcodes, cuts and the drawer kick are the library's own bytes.
Text is not left to the library's ``MagicEncode``, which tries every code page character by
character and prints "?" for what it cannot place; :class:`~codepages.TextEncoder` chooses a
page per line and spells unprintable characters in Latin instead.

A line longer than the paper is wide wraps at word boundaries (a double-width line has half the
columns), so an extremely long product name continues on the next line instead of being
broken by the printer in the middle of a word or pushing the price off the paper.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache
from typing import Any

from devices.printer.base import ReceiptDoc
from devices.printer.codepages import CodePage, TextEncoder

# Dots per line for Font A (12 × 24) → characters per line.
COLUMNS = {58: 32, 80: 48}
DRAWER_PIN = 2
QR_SIZE = 5  # module size in dots: about 2 cm wide for a receipt number
_GAP = re.compile(r"(?<=\S) {2,}(?=\S)")  # padding between two columns, not indentation


def columns_for(width_mm: int, profile: str = "", columns: int = 0) -> int:
    """Characters per line: 32 on 58 mm paper, 48 on 80 mm (Font A), or ``columns`` when set.

    ``columns`` is the ``[printer] columns`` setting, for models whose print area is
    narrower than the paper (42 on many 80 mm printers). It can only narrow the line: a
    value wider than the paper allows gives the paper's width (what it can print).
    """
    del profile  # all supported profiles use Font A at 12 dots per character
    try:
        paper = COLUMNS[width_mm]
    except KeyError:
        raise ValueError(f"unsupported paper width {width_mm} mm (use 58 or 80)") from None
    if columns < 0:
        raise ValueError(f"a line cannot have {columns} characters")
    return min(columns, paper) if columns else paper


def _dummy(profile: str) -> Any:
    # Imported here: python-escpos pulls in imaging libraries, which start-up does not need.
    from escpos.printer import Dummy

    return Dummy(profile=profile)


@lru_cache(maxsize=8)
def encoder_for(profile: str) -> TextEncoder:
    return TextEncoder(profile)


def fit(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` characters.

    A line that is too long first gives up the padding between its columns (a price that
    moved right by transliteration stays on the line), then wraps at spaces, keeping its
    indentation on the continuation lines; a word longer than a line is cut.
    """
    if len(text) <= width:
        return [text]
    excess = len(text) - width
    for gap in sorted(_GAP.finditer(text), key=lambda m: -len(m.group())):
        take = min(excess, len(gap.group()) - 1)
        text = text[: gap.start()] + " " * (len(gap.group()) - take) + text[gap.end() :]
        excess -= take
        if not excess:
            return [text]
    indent = " " * min(len(text) - len(text.lstrip(" ")), width // 2)
    return textwrap.wrap(
        text, width, initial_indent="", subsequent_indent=indent, break_on_hyphens=False
    ) or [""]


class _Writer:
    """Text lines through one :class:`TextEncoder`, tracking the selected code page."""

    def __init__(self, printer: Any, encoder: TextEncoder) -> None:
        self._raw = printer._raw  # python-escpos' one write path for encoded bytes
        self._encoder = encoder
        self._page: CodePage | None = None  # unknown after ESC @: set by the printer's DIP

    def forget_page(self) -> None:
        self._page = None

    def lines(self, text: str, width: int) -> None:
        for line in fit(self._encoder.printable(text), width):
            data, self._page = self._encoder.encode(line, self._page)
            self._raw(data + b"\n")


def render_receipt(doc: ReceiptDoc, *, profile: str, columns: int | None = None) -> bytes:
    """The whole receipt as ESC/POS. ``columns``: characters per line (default: the
    profile's Font A columns); lines longer than that wrap."""
    p = _dummy(profile)
    width = columns or int(p.profile.get_columns(0) or COLUMNS[80])
    out = _Writer(p, encoder_for(profile))
    p.hw("INIT")
    if doc.copy_banner:
        p.set(align="center", bold=True, double_height=True, double_width=True)
        out.lines(doc.copy_banner, width // 2)
    for line in doc.lines:
        p.set(
            align=line.align,
            bold=line.bold,
            double_height=line.double,
            double_width=line.double,
            normal_textsize=not line.double,
        )
        out.lines(line.text, width // 2 if line.double else width)
    p.set(align="center", bold=False, normal_textsize=True)
    if doc.barcode:
        _code(p, doc.barcode)
        out.forget_page()  # the image path writes through python-escpos' own encoder
        out.lines(doc.barcode, width)
    if doc.cut:
        p.cut()
    return bytes(p.output)


def _code(p: Any, number: str) -> None:
    """The receipt number as a QR code where the model prints one, else as a barcode."""
    if p.profile.supports("qrCode"):
        p.qr(number, native=True, size=QR_SIZE, center=False)
    elif p.profile.supports("bitImageRaster"):
        p.qr(number, native=False, size=QR_SIZE // 2 or 1, center=False)  # as an image
    elif p.profile.supports("barcodeB") and number.isascii() and number.isprintable():
        p.barcode("{B" + number, "CODE128", function_type="B", pos="OFF")
    # otherwise the number printed as text under this is all the model can do


def render_drawer_kick(*, profile: str) -> bytes:
    p = _dummy(profile)
    p.cashdraw(DRAWER_PIN)
    return bytes(p.output)
