"""Till reports (X while the session is open, Z once it is closed) as figures and as a slip.

:func:`till_figures` is the one ordered list of what a till report says; the receipt-printer
slip built here and the A4 PDF (:mod:`app.documents.report_pdf`) both lay it out, so the
paper in the drawer and the PDF sent to the office never disagree on a label or a line.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime

from app.services.till import TillReport
from devices.printer.base import ReceiptDoc, ReceiptLine
from domain.money import Money

MOVEMENT_LABELS = {"cash_in": "Paid in", "cash_out": "Paid out", "drawer": "Drawer opened"}


@dataclass(frozen=True)
class Figure:
    """One line of a till report: a label and its value, already formatted."""

    label: str
    value: str
    strong: bool = False


def till_title(report: TillReport) -> str:
    """ "X report" for an open session (a reading), "Z report" for a closed one."""
    return "Z report" if report.status == "closed" else "X report"


def local_time(when: datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else ""


def till_header(report: TillReport) -> list[Figure]:
    header = [
        Figure("Session", report.number),
        Figure("Opened", local_time(report.opened_at)),
        Figure("Opened by", report.opened_by),
    ]
    if report.closed_at is not None:
        header.append(Figure("Closed", local_time(report.closed_at)))
    return header


def till_figures(report: TillReport) -> list[Figure]:
    """The cash in the drawer from float to variance, then the card and drawer checks."""
    e = report.expected
    figures = [
        Figure("Opening float", e.opening_float.format()),
        Figure("Cash sales", e.cash_sales.format()),
        Figure("Cash refunds", _minus(e.cash_refunds)),
        Figure("Paid in", e.cash_in.format()),
        Figure("Paid out", _minus(e.cash_out)),
        Figure("Expected in drawer", e.cash.format(), strong=True),
    ]
    if report.counted is not None:
        figures.append(Figure("Counted", report.counted.format(), strong=True))
    if report.variance is not None:
        figures.append(Figure("Variance", _signed(report.variance), strong=True))
        if report.variance_reason:
            figures.append(Figure("Reason", report.variance_reason))
    if report.card_terminal_total is not None:
        figures.append(Figure("Card terminal total", report.card_terminal_total.format()))
        gap = report.card_terminal_total - report.card_total
        if not gap.is_zero():
            figures.append(Figure("Card difference", _signed(gap)))
    figures.append(
        Figure("Drawer openings", f"{report.drawer_openings} ({report.no_sale_openings} no sale)")
    )
    return figures


def _pair(left: str, right: str, width: int) -> str:
    """``left`` and ``right`` on one line of ``width``; the label gives way to the figure."""
    room = width - len(right) - 1
    if room < 1:
        return (left + " " + right)[:width]
    return left[:room].ljust(room) + " " + right


def _figure(f: Figure, columns: int) -> list[ReceiptLine]:
    """A figure on one line, or its label and then its value wrapped under it (a reason)."""
    if len(f.label) + 1 + len(f.value) <= columns:
        return [ReceiptLine(_pair(f.label, f.value, columns), bold=f.strong)]
    return [ReceiptLine(f.label, bold=f.strong), *_wrapped(f.value, columns)]


def _wrapped(text: str, columns: int) -> list[ReceiptLine]:
    return [
        ReceiptLine(line)
        for line in textwrap.wrap(
            text, columns, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False
        )
    ]


def _minus(amount: Money) -> str:
    return f"-{amount.format()}" if not amount.is_zero() else amount.format()


def _signed(amount: Money) -> str:
    return f"+{amount.format()}" if amount.amount > 0 else amount.format()


def build_till_slip(report: TillReport, *, store_name: str, columns: int) -> ReceiptDoc:
    """The report for the receipt printer, every line at most ``columns`` characters.

    Drawer openings are counted, not listed (a busy day has hundreds); cash paid in or out
    and every "no sale" opening are listed with their reason, as a manager checks them.
    """
    rule = "-" * columns
    lines = [
        ReceiptLine(store_name[: columns // 2], align="center", bold=True, double=True),
        ReceiptLine(till_title(report).upper(), align="center", bold=True),
        ReceiptLine(rule),
    ]
    for f in till_header(report):
        lines += _figure(f, columns)
    lines.append(ReceiptLine(rule))
    for f in till_figures(report):
        lines += _figure(f, columns)
    lines.append(ReceiptLine(rule))
    lines.append(ReceiptLine("Takings by tender", bold=True))
    for t in report.tenders:
        label = f"{t.tender.capitalize()} x{t.count}"
        lines.append(ReceiptLine(_pair(label, t.amount.format(), columns)))
    if not report.tenders:
        lines.append(ReceiptLine("No takings"))
    listed = [
        (kind, amount, reason, who)
        for kind, amount, reason, who in report.movements
        if kind != "drawer" or reason.startswith("no sale")
    ]
    if listed:
        lines.append(ReceiptLine(rule))
        for kind, amount, reason, who in listed:
            label = MOVEMENT_LABELS.get(kind, kind)
            value = "" if amount.is_zero() else amount.format()
            lines.append(ReceiptLine(_pair(label, value, columns)))
            lines += _wrapped(f"{reason} ({who})", columns)
    lines += [ReceiptLine(rule), ReceiptLine("Signature " + "_" * (columns - 10))]
    return ReceiptDoc(lines=tuple(lines), barcode=None, cut=True)
