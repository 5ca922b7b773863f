"""What a receipt printer is to the rest of StoreDesk, whatever its model or connection.

``app`` lays a receipt out as a :class:`ReceiptDoc` (text already fitted to the printer's
columns); a :class:`ReceiptPrinter` turns it into bytes for its hardware. Methods block on
device I/O with a deadline and raise :class:`~devices.errors.DeviceError` subclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Align = Literal["left", "center", "right"]
Paper = Literal["ok", "near_end", "out", "unknown"]


@dataclass(frozen=True)
class ReceiptLine:
    text: str
    align: Align = "left"
    bold: bool = False
    double: bool = False


@dataclass(frozen=True)
class ReceiptDoc:
    lines: tuple[ReceiptLine, ...]
    barcode: str | None = None  # printed as a QR code (the receipt number)
    cut: bool = True
    copy_banner: str | None = None  # "COPY" on reprints


@dataclass(frozen=True)
class PrinterStatus:
    online: bool
    paper: Paper
    detail: str = ""


class ReceiptPrinter(Protocol):
    name: str
    columns: int

    def print_receipt(self, doc: ReceiptDoc) -> None: ...

    def kick_drawer(self) -> None: ...

    def status(self) -> PrinterStatus: ...

    def close(self) -> None: ...
