"""Invoices and credit notes: the document's data, checked, and :func:`render_invoice`.

As with receipts, the data is a frozen value built by a service from a completed order (or
a return) and the layout is a function of that value alone, so the same invoice renders the
same way for the preview, the printer and "save as PDF", and can be rendered again later
from stored data. The numbers arrive already computed by the domain (VAT per rate, line
totals, the one rounding rule); this module only checks that they agree with each other,
because a legal document whose VAT lines do not add up to its total must not be issued.

Amounts are as the sale recorded them. A credit note carries the amounts credited, as
positive numbers, and names the invoice it corrects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Literal

from domain.money import Money, sum_money

InvoiceKind = Literal["invoice", "credit_note"]


@dataclass(frozen=True)
class Seller:
    """The store's legal entity. ``store`` says which shop issued the document."""

    name: str
    address: tuple[str, ...]
    tax_id: str
    company_id: str
    store: str = ""
    bank: str = ""
    iban: str = ""
    bic: str = ""


@dataclass(frozen=True)
class Buyer:
    """The customer. ``tax_id`` and ``company_id`` are for business customers."""

    name: str
    address: tuple[str, ...]
    customer_number: str
    tax_id: str = ""
    company_id: str = ""


@dataclass(frozen=True)
class InvoiceLine:
    """One line. ``total`` is gross, after ``discount`` (a gross amount, shown as given)."""

    description: str
    quantity: int
    unit_net: Money
    unit_gross: Money
    vat_rate: Decimal
    total: Money
    serial: str = ""
    discount: Money | None = None
    discount_reason: str = ""


@dataclass(frozen=True)
class VatRow:
    rate: Decimal
    net: Money
    tax: Money
    gross: Money


@dataclass(frozen=True)
class Totals:
    net: Money
    tax: Money
    gross: Money
    discount: Money | None = None


@dataclass(frozen=True)
class Payment:
    """A tender used (or, on a credit note, refunded). Card data is masked before it gets here."""

    tender: str
    amount: Money
    card: str = ""
    auth_code: str = ""


@dataclass(frozen=True)
class InstalmentPlan:
    """A device bought on instalments with a plan commitment, as the contract states it."""

    item: str
    count: int
    instalment: Money
    commitment_months: int
    upfront: Money | None = None
    plan: str = ""
    monthly_fee: Money | None = None
    first_due: date | None = None

    @property
    def financed(self) -> Money:
        return self.instalment * self.count


@dataclass(frozen=True)
class CreditReference:
    """What a credit note corrects: the original invoice and why."""

    invoice_number: str
    invoice_date: date
    reason: str


@dataclass(frozen=True)
class InvoiceData:
    """Everything an invoice or credit note states; refused (ValueError) if it does not add up."""

    kind: InvoiceKind
    number: str
    issue_date: date
    supply_date: date
    seller: Seller
    buyer: Buyer
    lines: tuple[InvoiceLine, ...]
    vat: tuple[VatRow, ...]
    totals: Totals
    payments: tuple[Payment, ...] = ()
    instalments: tuple[InstalmentPlan, ...] = ()
    credit: CreditReference | None = None
    notes: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("invoice", "credit_note"):
            raise ValueError(f"unknown document kind {self.kind!r}")
        if (self.kind == "credit_note") != (self.credit is not None):
            raise ValueError("a credit note, and only a credit note, names the invoice it corrects")
        if not self.number.strip():
            raise ValueError("the document has no number")
        if not self.lines:
            raise ValueError("the document has no lines")
        _check_sums(self)

    @property
    def currency(self) -> str:
        return self.totals.gross.currency

    @property
    def title(self) -> str:
        return "Invoice" if self.kind == "invoice" else "Credit note"

    @property
    def paid(self) -> Money:
        return sum_money([p.amount for p in self.payments], self.currency)


def _check_sums(data: InvoiceData) -> None:
    """Raise ValueError unless lines, VAT rows and totals agree to the cent.

    Money arithmetic also raises if a line is in another currency than the totals.
    """
    cur = data.currency
    totals = data.totals
    lines_gross = sum_money([line.total for line in data.lines], cur)
    if lines_gross != totals.gross:
        raise ValueError(f"lines add up to {lines_gross}, the total says {totals.gross}")
    for row in data.vat:
        if row.net + row.tax != row.gross:
            raise ValueError(f"VAT {row.rate}%: net + VAT is not the gross amount")
    by_rate = (
        sum_money([row.net for row in data.vat], cur),
        sum_money([row.tax for row in data.vat], cur),
        sum_money([row.gross for row in data.vat], cur),
    )
    if by_rate != (totals.net, totals.tax, totals.gross):
        raise ValueError(
            "VAT rows add up to net {}, VAT {}, gross {}; the totals say {}, {}, {}".format(
                *by_rate, totals.net, totals.tax, totals.gross
            )
        )
    rates = {line.vat_rate for line in data.lines}
    missing = rates - {row.rate for row in data.vat}
    if missing:
        raise ValueError(f"no VAT row for rate(s) {sorted(missing)}")


def render_invoice(data: InvoiceData, out: str | Path | BinaryIO, *, copy: bool = False) -> int:
    """Write ``data`` as an A4 PDF to a path or binary stream; return the number of pages.

    ``copy``: every page says "COPY" (a reprint, as opposed to the original handed out
    when the document was issued).

    Runs in the caller's thread and takes from tens of milliseconds (one page) to a few
    hundred (twenty pages), so the UI runs it off the GUI thread with its other PDF work.
    Safe to call from several threads at once.
    """
    # Imported here so that building invoice data (services, tests) does not load
    # reportlab, which costs start-up time on the counter PCs.
    from app.documents.invoice_pdf import build_pdf

    return build_pdf(data, out, copy=copy)
