"""A4 invoice PDFs: one page (target p95 < 150 ms) and twenty pages (target p95 < 1 s).

``render_invoice`` writes each invoice to memory (no disk in the figure). Two baselines in
the same run, both set in the same embedded DejaVu font so font subsetting costs the same:

- canvas: every text the invoice shows (header, parties, line cells, VAT, totals,
  payments, instalments, footer) drawn with ``drawString`` at fixed positions, new page
  when the page is full — the least work that puts the same text in a PDF;
- table: the same texts as rows of one bare platypus ``Table`` (``repeatRows=1``, no
  styling but the font name) — what a layout costs before wrapping, boxes and page furniture.

    .venv/bin/python benchmarks/invoice_pdf.py [--runs 200] [--long-runs 20] [--lines 660]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.documents.invoice import (
    Buyer,
    InstalmentPlan,
    InvoiceData,
    InvoiceLine,
    Payment,
    Seller,
    Totals,
    VatRow,
    render_invoice,
)
from domain.money import Money, sum_money
from domain.pricing import vat_by_rate

SELLER = Seller(
    "Telco Retail GmbH", ("Hauptstraße 1", "10115 Berlin"), "DE123456789", "HRB 98765 B",
    store="S001 Berlin Mitte", bank="Berliner Bank", iban="DE89370400440532013000",
)  # fmt: skip
BUYER = Buyer("Иван Петров", ("ул. „Шипка“ 5, ет. 3", "София 1000, България"), "C00000777")
PLAN = InstalmentPlan(
    "Galaxy S25 128 GB", 24, Money.of("20.00"), 24, upfront=Money.of("49.00"),
    plan="Smart M 30 GB", monthly_fee=Money.of("25.00"), first_due=date(2026, 12, 1),
)  # fmt: skip
PRODUCTS = (
    ("Смартфон Galaxy A16 128 GB, черен", "199.00", 19, True),
    ("Smart M 30 GB activation", "19.99", 19, False),
    ("Калъф за телефон „Щит“", "14.99", 19, False),
    ("Travel guide Sofia", "12.90", 7, False),
    ("Gift voucher", "10.00", 0, False),
)


def invoice(lines: int) -> InvoiceData:
    items: list[InvoiceLine] = []
    for n in range(lines):
        name, price, rate, serial = PRODUCTS[n % len(PRODUCTS)]
        gross = Money.of(price)
        net, _ = gross.split_tax(Decimal(rate))
        discount = Money.of("2.00") if n % 7 == 3 else None
        items.append(
            InvoiceLine(
                name, 1, net, gross, Decimal(rate), gross - (discount or Money.zero()),
                serial=f"35693803{n:07d}" if serial else "",
                discount=discount, discount_reason="Loyalty" if discount else "",
            )
        )  # fmt: skip
    vat = tuple(
        VatRow(v.rate, Money.of(v.net), Money.of(v.vat), Money.of(v.gross))
        for v in vat_by_rate((i.total.amount, i.vat_rate) for i in items)
    )
    gross = sum_money([v.gross for v in vat])
    totals = Totals(sum_money([v.net for v in vat]), sum_money([v.tax for v in vat]), gross)
    return InvoiceData(
        "invoice", "INV-S001-T01-000123", date(2026, 11, 23), date(2026, 11, 22), SELLER, BUYER,
        tuple(items), vat, totals, payments=(Payment("card", gross, "**** 4242", "A1B2C3"),),
        instalments=(PLAN,), footer=("Telco Retail GmbH · Registered office Berlin",),
    )  # fmt: skip


def cells(data: InvoiceData) -> list[list[str]]:
    """Every text the invoice shows, as rows of cells (line items as their columns)."""
    rows: list[list[str]] = [
        ["Invoice", data.number], ["Issue date", data.issue_date.isoformat()],
        ["Date of supply", data.supply_date.isoformat()],
        [data.seller.name, data.buyer.name],
        *([a, b] for a, b in zip(data.seller.address, data.buyer.address, strict=False)),
        [f"VAT ID: {data.seller.tax_id}", f"Customer no.: {data.buyer.customer_number}"],
        ["#", "Description", "Qty", "Unit net", "Unit gross", "Discount", "VAT", "Amount"],
    ]  # fmt: skip
    for n, ln in enumerate(data.lines, start=1):
        rows.append([
            str(n), ln.description, str(ln.quantity), ln.unit_net.format(),
            ln.unit_gross.format(), ln.discount.format() if ln.discount else "",
            f"{ln.vat_rate}%", ln.total.format(),
        ])  # fmt: skip
        if ln.serial:
            rows.append(["", f"S/N {ln.serial}"])
    rows += [[f"VAT {v.rate}%", v.net.format(), v.tax.format(), v.gross.format()] for v in data.vat]
    t = data.totals
    rows += [["Total net", t.net.format()], ["Total VAT", t.tax.format()]]
    rows += [["Total", t.gross.format()]]
    rows += [[p.tender, p.card, p.amount.format()] for p in data.payments]
    rows += [["24 monthly instalments of 20.00 EUR, commitment 24 months"], list(data.footer)]
    return rows


def fonts() -> tuple[str, str]:
    from app.documents.pdf_fonts import pdf_fonts

    f = pdf_fonts()
    assert f.unicode, "the DejaVu fonts did not load; the comparison would be meaningless"
    return f.regular, f.bold


def canvas_baseline(rows: list[list[str]]) -> int:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    regular, _ = fonts()
    canvas = Canvas(io.BytesIO(), pagesize=A4, invariant=1)
    xs = (50, 70, 300, 325, 385, 445, 500, 525)
    y, pages = 790.0, 1
    canvas.setFont(regular, 8)
    for row in rows:
        for x, text in zip(xs, row, strict=False):
            canvas.drawString(x, y, text)
        y -= 12
        if y < 60:
            canvas.showPage()
            canvas.setFont(regular, 8)
            y, pages = 790.0, pages + 1
    canvas.save()
    return pages


def table_baseline(rows: list[list[str]]) -> int:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    regular, _ = fonts()
    width = max(len(r) for r in rows)
    square = [r + [""] * (width - len(r)) for r in rows]
    doc = SimpleDocTemplate(io.BytesIO(), pagesize=A4, invariant=1)
    body = Table(square, colWidths=[62.0] * width, repeatRows=1,
                 style=[("FONTNAME", (0, 0), (-1, -1), regular)])  # fmt: skip
    doc.build([body])
    return int(doc.page)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(fn: Callable[[], int], runs: int) -> tuple[list[float], int]:
    pages = fn()  # warm-up: imports, font registration, reportlab's caches
    for _ in range(min(runs, 5)):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples, pages


def compare(label: str, data: InvoiceData, runs: int, target_ms: float) -> None:
    rows = cells(data)
    results = {
        "invoice": measure(lambda: render_invoice(data, io.BytesIO()), runs),
        "canvas": measure(lambda: canvas_baseline(rows), runs),
        "table": measure(lambda: table_baseline(rows), runs),
    }
    print(f"\n{label}: {len(data.lines)} lines, {runs} runs each")
    for name, (samples, pages) in results.items():
        print(
            f"  {name:8} {pages:3d} pages   p50 {statistics.median(samples):8.2f} ms   "
            f"p95 {percentile(samples, 0.95):8.2f} ms"
        )
    mine = statistics.median(results["invoice"][0])
    p95 = percentile(results["invoice"][0], 0.95)
    ratios = "   ".join(
        f"invoice / {name} (p50): {mine / statistics.median(results[name][0]):.1f}x"
        for name in ("canvas", "table")
    )
    verdict = "met" if p95 < target_ms else "NOT met"
    print(f"  {ratios}   target p95 < {target_ms:g} ms: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200, help="runs of the one-page invoice")
    parser.add_argument("--long-runs", type=int, default=20, help="runs of the long invoice")
    parser.add_argument(
        "--lines", type=int, default=660, help="lines of the long invoice (20 pages)"
    )
    args = parser.parse_args()

    start = time.perf_counter()
    render_invoice(invoice(5), io.BytesIO())
    first = (time.perf_counter() - start) * 1000
    print(f"first invoice in this process (loads reportlab, registers fonts): {first:.0f} ms")
    compare("one page", invoice(5), args.runs, 150)
    compare("long invoice", invoice(args.lines), args.long_runs, 1000)


if __name__ == "__main__":
    main()
