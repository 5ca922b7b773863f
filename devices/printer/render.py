"""ReceiptDoc → ESC/POS bytes, through python-escpos so the bytes are the library's own.

Rendering happens in memory (python-escpos ``Dummy``); sending is a separate step. The
simulator and every real connection therefore get byte-identical jobs, and a job is sent
whole or not at all. python-escpos's MagicEncode selects the code page per run of text
(``ESC t n``), so Latin and Cyrillic print correctly on profiles that have those pages.
"""

from __future__ import annotations

from typing import Any

from devices.printer.base import ReceiptDoc

# Dots per line for Font A (12 × 24) → characters per line.
COLUMNS = {58: 32, 80: 48}
DRAWER_PIN = 2


def columns_for(width_mm: int, profile: str = "") -> int:
    """Characters per line for the paper width (Font A): 32 on 58 mm, 48 on 80 mm."""
    del profile  # all supported profiles use Font A at 12 dots per character
    try:
        return COLUMNS[width_mm]
    except KeyError:
        raise ValueError(f"unsupported paper width {width_mm} mm (use 58 or 80)") from None


def _dummy(profile: str) -> Any:
    # Imported here: python-escpos pulls in imaging libraries, which start-up does not need.
    from escpos.printer import Dummy

    return Dummy(profile=profile)


def render_receipt(doc: ReceiptDoc, *, profile: str) -> bytes:
    p = _dummy(profile)
    p.hw("INIT")
    if doc.copy_banner:
        p.set(align="center", bold=True, double_height=True, double_width=True)
        p.textln(doc.copy_banner)
    for line in doc.lines:
        p.set(
            align=line.align,
            bold=line.bold,
            double_height=line.double,
            double_width=line.double,
            normal_textsize=not line.double,
        )
        p.textln(line.text)
    p.set(align="center", bold=False, normal_textsize=True)
    if doc.barcode:
        p.qr(doc.barcode, native=True, size=5, center=False)
        p.textln(doc.barcode)
    if doc.cut:
        p.cut()
    return bytes(p.output)


def render_drawer_kick(*, profile: str) -> bytes:
    p = _dummy(profile)
    p.cashdraw(DRAWER_PIN)
    return bytes(p.output)
