"""Receipt layout: from a finished sale to a device-neutral :class:`ReceiptDoc`.

The layout is plain text fitted to the printer's column count (32 for 58 mm paper, 48 for
80 mm); the printer driver turns it into ESC/POS bytes, and the UI shows the same lines as
the preview, so what the consultant sees is what the customer gets.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from devices.printer.base import ReceiptDoc, ReceiptLine
from domain.money import Money


@dataclass(frozen=True)
class ReceiptItem:
    description: str
    quantity: int
    unit_price: Money
    total: Money
    serial: str = ""
    monthly_fee: Money | None = None


@dataclass(frozen=True)
class ReceiptData:
    store_name: str
    store_address: str
    tax_id: str
    terminal_id: str
    cashier: str
    when: datetime
    receipt_number: str
    order_number: str
    items: tuple[ReceiptItem, ...]
    vat: tuple[tuple[Decimal, Money, Money], ...]  # rate, net, tax
    total: Money
    tenders: tuple[tuple[str, Money], ...]
    given: Money | None = None
    change: Money | None = None
    rounding: Money | None = None
    footer: tuple[str, ...] = ()  # the return policy and other store notes, as paragraphs


def _pair(left: str, right: str, width: int) -> str:
    room = width - len(right) - 1
    if room < 1:
        return (left + " " + right)[:width]
    return left[:room].ljust(room) + " " + right


def build_receipt(data: ReceiptData, *, columns: int, copy: bool = False) -> ReceiptDoc:
    rule = "-" * columns
    lines: list[ReceiptLine] = [
        ReceiptLine(data.store_name[:columns], align="center", bold=True, double=True),
    ]
    if data.store_address:
        lines.append(ReceiptLine(data.store_address[:columns], align="center"))
    if data.tax_id:
        lines.append(ReceiptLine(f"VAT ID {data.tax_id}"[:columns], align="center"))
    lines += [
        ReceiptLine(rule),
        ReceiptLine(_pair("Receipt", data.receipt_number, columns)),
        ReceiptLine(_pair("Order", data.order_number, columns)),
        ReceiptLine(_pair(data.when.strftime("%Y-%m-%d %H:%M"), data.terminal_id, columns)),
        ReceiptLine(_pair("Served by", data.cashier, columns)),
        ReceiptLine(rule),
    ]
    monthly: list[tuple[str, Money]] = []
    for item in data.items:
        lines.append(ReceiptLine(_pair(item.description, item.total.format(), columns)))
        if item.quantity != 1:
            lines.append(ReceiptLine(f"  {item.quantity} x {item.unit_price.format()}"))
        if item.serial:
            lines.append(ReceiptLine(f"  {item.serial}"[:columns]))
        if item.monthly_fee is not None:
            monthly.append((item.description, item.monthly_fee))
    lines.append(ReceiptLine(rule))
    if data.rounding is not None and not data.rounding.is_zero():
        lines.append(ReceiptLine(_pair("Cash rounding", data.rounding.format(), columns)))
    lines.append(ReceiptLine(_pair("TOTAL", data.total.format(), columns), bold=True))
    for kind, amount in data.tenders:
        lines.append(ReceiptLine(_pair(kind.capitalize(), amount.format(), columns)))
    if data.given is not None:
        lines.append(ReceiptLine(_pair("Given", data.given.format(), columns)))
    if data.change is not None:
        lines.append(ReceiptLine(_pair("Change", data.change.format(), columns)))
    lines.append(ReceiptLine(rule))
    for rate, net, tax in data.vat:
        lines.append(ReceiptLine(_pair(f"VAT {rate:g}% of {net.format()}", tax.format(), columns)))
    if monthly:
        lines.append(ReceiptLine(rule))
        lines.append(ReceiptLine("Monthly charges from next bill:"))
        for name, fee in monthly:
            lines.append(ReceiptLine(_pair(f"  {name}", fee.format(), columns)))
    lines.append(ReceiptLine(rule))
    for paragraph in data.footer:
        # Wrapped here, not by the printer, so the preview shows the lines the paper gets.
        for text in textwrap.wrap(paragraph, columns, break_on_hyphens=False):
            lines.append(ReceiptLine(text, align="center"))
    lines.append(ReceiptLine("Thank you!", align="center"))
    return ReceiptDoc(
        lines=tuple(lines),
        barcode=data.receipt_number,
        cut=True,
        copy_banner="COPY" if copy else None,
    )


def receipt_text(doc: ReceiptDoc, *, columns: int) -> str:
    """The receipt as plain text, as the preview shows it."""
    out: list[str] = []
    if doc.copy_banner:
        out.append(doc.copy_banner.center(columns))
    for line in doc.lines:
        if line.align == "center":
            out.append(line.text.center(columns).rstrip())
        elif line.align == "right":
            out.append(line.text.rjust(columns))
        else:
            out.append(line.text)
    if doc.barcode:
        out.append(f"[QR {doc.barcode}]".center(columns).rstrip())
    return "\n".join(out)
