"""The flowing part of an invoice or credit note: parties, lines, VAT, totals, payments.

Every section is a function of :class:`InvoiceData` and the document fonts, returning
reportlab flowables; :mod:`app.documents.invoice_pdf` puts them on pages. Nothing here
depends on the page count: the line table repeats its header row and splits between rows
(and inside a row taller than a page), so an invoice of any length lays out in one pass.

Every string from the data passes through :meth:`Styles.para` or :meth:`Styles.plain`
(see :mod:`app.documents.invoice_styles`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from app.documents.invoice_styles import GRID, PAD, TABLE_SIZE, Styles, grid

if TYPE_CHECKING:
    from app.documents.invoice import InvoiceData, InvoiceLine

MIN_DESCRIPTION = 150  # points left for the description column, however wide the amounts


def rate_text(rate: Decimal) -> str:
    """A rate as people write it: "19%", "7.5%", "0%" (never "19.00%" or "2E+1%")."""
    return f"{rate.normalize():f}%"


def header(data: InvoiceData, s: Styles, width: float) -> list[Flowable]:
    """Title and number on the left, the dates and references on the right."""
    facts: list[tuple[str, str]] = [
        ("Number", data.number),
        ("Issue date", data.issue_date.isoformat()),
        ("Date of supply", data.supply_date.isoformat()),
        ("Customer no.", data.buyer.customer_number),
    ]
    if data.credit is not None:
        facts.append(("Corrects invoice", data.credit.invoice_number))
        facts.append(("Invoice date", data.credit.invoice_date.isoformat()))
    facts_table = Table(
        [[s.para(k, s.label), s.para(v, bold=(i == 0))] for i, (k, v) in enumerate(facts)],
        colWidths=[width * 0.2, width * 0.3],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ],
    )
    top = Table(
        [[s.para(data.title, s.title), facts_table]],
        colWidths=[width * 0.5, width * 0.5],
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
    )
    return [top, Spacer(1, 10)]


def parties(data: InvoiceData, s: Styles, width: float) -> list[Flowable]:
    seller, buyer = data.seller, data.buyer
    left: list[Flowable] = [s.para("Seller", s.small), s.para(seller.name, bold=True)]
    left += [s.para(line) for line in seller.address]
    left.append(s.para(f"VAT ID: {seller.tax_id}"))
    left.append(s.para(f"Company reg. no.: {seller.company_id}"))
    if seller.store:
        left.append(s.para(f"Store: {seller.store}"))
    if seller.iban:
        bank = ", ".join(x for x in (seller.bank, f"IBAN {seller.iban}") if x)
        left.append(s.para(bank + (f", BIC {seller.bic}" if seller.bic else "")))
    right: list[Flowable] = [s.para("Buyer", s.small), s.para(buyer.name, bold=True)]
    right += [s.para(line) for line in buyer.address]
    right.append(s.para(f"Customer no.: {buyer.customer_number}"))
    if buyer.tax_id:
        right.append(s.para(f"VAT ID: {buyer.tax_id}"))
    if buyer.company_id:
        right.append(s.para(f"Company reg. no.: {buyer.company_id}"))
    table = Table(
        [[left, right]],
        colWidths=[width / 2 - 4, width / 2 - 4],
        spaceAfter=10,
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOX", (0, 0), (0, 0), 0.5, GRID),
            ("BOX", (1, 0), (1, 0), 0.5, GRID),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ],
    )
    out: list[Flowable] = [table]
    if data.credit is not None:
        credit = data.credit
        out.append(
            s.para(
                f"This credit note corrects invoice {credit.invoice_number} of "
                f"{credit.invoice_date.isoformat()}. Reason: {credit.reason}"
            )
        )
        out.append(Spacer(1, 8))
    return out


def _description(line: InvoiceLine, s: Styles) -> Paragraph:
    parts = [escape(s.plain(line.description))]
    if line.serial:
        parts.append(f'<font size="7">S/N {escape(s.plain(line.serial))}</font>')
    if line.discount is not None and line.discount_reason:
        parts.append(f'<font size="7">Discount: {escape(s.plain(line.discount_reason))}</font>')
    return Paragraph("<br/>".join(parts), s.cell)


def lines_table(data: InvoiceData, s: Styles, width: float) -> Table:
    """The line items, one table that repeats its header row on every page."""
    with_discount = any(line.discount is not None for line in data.lines)
    head = ["#", "Description", "Qty", "Unit net", "Unit gross"]
    head += ["Discount"] if with_discount else []
    head += ["VAT", "Amount"]
    rows: list[list[object]] = [[s.plain(h) for h in head]]
    for n, line in enumerate(data.lines, start=1):
        row: list[object] = [
            str(n),
            _description(line, s),
            str(line.quantity),
            line.unit_net.format(),
            line.unit_gross.format(),
        ]
        if with_discount:
            row.append(f"-{line.discount.format()}" if line.discount is not None else "")
        row += [rate_text(line.vat_rate), line.total.format()]
        rows.append(row)
    widths = _column_widths(rows, s, width)
    numeric = len(head) - 1
    return Table(
        rows,
        colWidths=widths,
        repeatRows=1,
        splitInRow=1,
        style=grid(
            [
                ("FONTNAME", (0, 0), (-1, -1), s.fonts.regular),
                ("FONTNAME", (0, 0), (-1, 0), s.fonts.bold),
                ("ALIGN", (2, 0), (numeric, -1), "RIGHT"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, GRID),
            ]
        ),
    )


def _column_widths(rows: list[list[object]], s: Styles, width: float) -> list[float]:
    """Each text column as wide as its widest cell; the description takes the rest.

    Amount columns never wrap, so they are measured rather than guessed: a 5-digit price
    in the bold header's font must fit as well as "9.99 EUR".
    """
    widths: list[float] = []
    for col, title in enumerate(rows[0]):
        if col == 1:
            widths.append(0.0)
            continue
        # Prices repeat on a long invoice; each distinct text is measured once.
        texts = {str(row[col]) for row in rows[1:]}
        widest = max(
            [stringWidth(str(title), s.fonts.bold, TABLE_SIZE)]
            + [stringWidth(text, s.fonts.regular, TABLE_SIZE) for text in texts]
        )
        widths.append(widest + 2 * PAD + 1)
    widths[1] = max(width - sum(widths), MIN_DESCRIPTION)
    return widths


def vat_and_totals(data: InvoiceData, s: Styles, width: float) -> list[Flowable]:
    """The VAT breakdown per rate, then the totals; kept on one page together."""
    rows: list[list[str]] = [[s.plain(h) for h in ("VAT rate", "Net", "VAT", "Gross")]]
    rows += [
        [f"VAT {rate_text(r.rate)}", r.net.format(), r.tax.format(), r.gross.format()]
        for r in data.vat
    ]
    vat = Table(
        rows,
        colWidths=[width * 0.14] * 4,
        hAlign="RIGHT",
        style=grid(
            [
                ("FONTNAME", (0, 0), (-1, -1), s.fonts.regular),
                ("FONTNAME", (0, 0), (-1, 0), s.fonts.bold),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ]
        ),
    )
    t = data.totals
    total_label = "Total" if data.kind == "invoice" else "Total credited"
    sums: list[list[str]] = [["Total net", t.net.format()], ["Total VAT", t.tax.format()]]
    if t.discount is not None and not t.discount.is_zero():
        sums.insert(0, ["Discounts included", f"-{t.discount.format()}"])
    sums.append([total_label, t.gross.format()])
    totals = Table(
        [[s.plain(k), v] for k, v in sums],
        colWidths=[width * 0.28, width * 0.14],
        hAlign="RIGHT",
        style=[
            ("FONTNAME", (0, 0), (-1, -1), s.fonts.regular),
            ("FONTNAME", (0, -1), (-1, -1), s.fonts.bold),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("FONTSIZE", (0, -1), (-1, -1), 11),
            ("ALIGN", (1, 0), (1, -1), "RIGHT"),
            ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            ("TOPPADDING", (0, -1), (-1, -1), 4),
        ],
    )
    return [Spacer(1, 8), KeepTogether([vat, Spacer(1, 6), totals])]


def payments(data: InvoiceData, s: Styles, width: float) -> list[Flowable]:
    if not data.payments:
        return []
    refund = data.kind == "credit_note"
    rows: list[list[object]] = [["Refunded to" if refund else "Paid by", "Details", "Amount"]]
    for p in data.payments:
        details = ", ".join(x for x in (p.card, f"auth. {p.auth_code}" if p.auth_code else "") if x)
        tender = p.tender[:1].upper() + p.tender[1:]  # "card", as the domain names it
        rows.append([s.para(tender, s.cell), s.para(details, s.cell), p.amount.format()])
    balance = data.totals.gross - data.paid
    if not balance.is_zero():
        rows.append([s.plain("Still to refund" if refund else "Amount due"), "", balance.format()])
    table = Table(
        rows,
        colWidths=[width * 0.3, width * 0.42, width * 0.28],
        style=grid(
            [
                ("FONTNAME", (0, 0), (-1, -1), s.fonts.regular),
                ("FONTNAME", (0, 0), (-1, 0), s.fonts.bold),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
            ]
        ),
    )
    title = "Refunds" if refund else "Payments"
    return [KeepTogether([s.para(title, s.heading), table])]


def instalments(data: InvoiceData, s: Styles) -> list[Flowable]:
    """The instalment plan and commitment, in the words of the contract."""
    if not data.instalments:
        return []
    blocks: list[list[Flowable]] = []
    for plan in data.instalments:
        text = (
            f"{plan.count} monthly instalments of {plan.instalment.format()} "
            f"(total {plan.financed.format()})"
        )
        if plan.upfront is not None:
            text += f", paid upfront {plan.upfront.format()}"
        if plan.first_due is not None:
            text += f"; first instalment due {plan.first_due.isoformat()}"
        text += f". Commitment: {plan.commitment_months} months"
        if plan.monthly_fee is not None:
            name = f" ({plan.plan})" if plan.plan else ""
            text += f", monthly plan fee{name} {plan.monthly_fee.format()}"
        blocks.append([s.para(plan.item, bold=True), s.para(text + "."), Spacer(1, 4)])
    # A plan split over two pages reads as two contracts, and a heading alone at the foot
    # of a page as a missing one: each plan stays whole, the first with the heading.
    blocks[0].insert(0, s.para("Instalment plan", s.heading))
    return [KeepTogether(block) for block in blocks]


def notes(data: InvoiceData, s: Styles) -> list[Flowable]:
    if not data.notes:
        return []
    return [Spacer(1, 8)] + [s.para(note, s.small) for note in data.notes]


def story(data: InvoiceData, s: Styles, width: float) -> list[Flowable]:
    """Everything that flows, in reading order."""
    return [
        *header(data, s, width),
        *parties(data, s, width),
        lines_table(data, s, width),
        *vat_and_totals(data, s, width),
        *payments(data, s, width),
        *instalments(data, s),
        *notes(data, s),
    ]
