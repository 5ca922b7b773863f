"""A4 invoices and credit notes: rendered to real PDFs and read back as text with pypdf.

The checks read what a customer or an auditor would read (numbers, parties, VAT per rate,
totals, "Page x of y"), in Latin and Cyrillic, on one page and on twenty, and with the
shipped font missing.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.documents import pdf_fonts
from app.documents.invoice import (
    Buyer,
    CreditReference,
    InstalmentPlan,
    InvoiceData,
    InvoiceKind,
    InvoiceLine,
    Payment,
    Seller,
    Totals,
    VatRow,
    render_invoice,
)
from app.documents.transliterate import to_latin, to_winansi
from domain.money import Money, sum_money
from domain.pricing import vat_by_rate

SELLER = Seller(
    name="Telco Retail GmbH",
    address=("Hauptstraße 1", "10115 Berlin"),
    tax_id="DE123456789",
    company_id="HRB 98765 B",
    store="S001 Berlin Mitte",
    bank="Berliner Bank",
    iban="DE89370400440532013000",
)
LATIN_BUYER = Buyer(
    name="Jane Doe Consulting Ltd",
    address=("12 Harbour Road", "Dublin D02 X285"),
    customer_number="C00000042",
    tax_id="IE6388047V",
)
CYRILLIC_BUYER = Buyer(
    name="Иван Петров",
    address=("ул. „Шипка“ 5, ет. 3", "София 1000, България"),
    customer_number="C00000777",
)
PLAN = InstalmentPlan(
    item="Galaxy S25 128 GB",
    count=24,
    instalment=Money.of("20.00"),
    commitment_months=24,
    upfront=Money.of("49.00"),
    plan="Smart M 30 GB",
    monthly_fee=Money.of("25.00"),
    first_due=date(2026, 12, 1),
)


def line(
    description: str,
    gross: str,
    rate: int = 19,
    *,
    quantity: int = 1,
    serial: str = "",
    discount: str | None = None,
    reason: str = "",
) -> InvoiceLine:
    unit_gross = Money.of(gross)
    unit_net, _ = unit_gross.split_tax(Decimal(rate))
    off = Money.of(discount) if discount else None
    total = unit_gross * quantity - (off or Money.zero())
    return InvoiceLine(
        description, quantity, unit_net, unit_gross, Decimal(rate), total,
        serial=serial, discount=off, discount_reason=reason,
    )  # fmt: skip


def document(
    lines: list[InvoiceLine],
    *,
    kind: InvoiceKind = "invoice",
    number: str = "INV-S001-T01-000123",
    buyer: Buyer = LATIN_BUYER,
    paid: bool = True,
    **extra: object,
) -> InvoiceData:
    """An invoice whose VAT rows and totals come from the domain's own per-rate rule."""
    vat = tuple(
        VatRow(v.rate, Money.of(v.net), Money.of(v.vat), Money.of(v.gross))
        for v in vat_by_rate((ln.total.amount, ln.vat_rate) for ln in lines)
    )
    totals = Totals(
        net=sum_money([v.net for v in vat]),
        tax=sum_money([v.tax for v in vat]),
        gross=sum_money([v.gross for v in vat]),
        discount=sum_money([ln.discount for ln in lines if ln.discount is not None]),
    )
    payments = (Payment("card", totals.gross, "**** **** **** 4242", "A1B2C3"),) if paid else ()
    fields: dict[str, object] = {
        "payments": payments,
        "footer": ("Telco Retail GmbH · Registered office Berlin · Managing director: A. Smith",),
    }
    fields.update(extra)
    return InvoiceData(
        kind, number, date(2026, 11, 23), date(2026, 11, 22), SELLER, buyer,
        tuple(lines), vat, totals, **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def bundle_lines() -> list[InvoiceLine]:
    return [
        line("Galaxy S25 128 GB", "529.00", serial="356938035643809"),
        line("Smart M 30 GB activation", "19.99"),
        line("Screen protector", "14.99", discount="5.00", reason="Bundle: accessory -5 EUR"),
        line("Travel guide", "12.90", 7),
        line("Gift voucher", "10.00", 0),
    ]


def render(data: InvoiceData) -> tuple[int, list[str]]:
    """Render to memory; the page count and each page's text with whitespace collapsed."""
    buffer = io.BytesIO()
    pages = render_invoice(data, buffer)
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    assert len(reader.pages) == pages
    return pages, [" ".join(page.extract_text().split()) for page in reader.pages]


def fonts_used(data: InvoiceData) -> set[str]:
    buffer = io.BytesIO()
    render_invoice(data, buffer)
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(buffer.getvalue())).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


# -- what the document says ---------------------------------------------------------------


def test_latin_invoice_states_number_parties_vat_per_rate_totals_and_page() -> None:
    data = document(bundle_lines(), instalments=(PLAN,))
    pages, texts = render(data)
    text = texts[0]
    assert pages == 1
    assert text.startswith("Invoice") or "Invoice Number INV-S001-T01-000123" in text
    assert "INV-S001-T01-000123" in text
    for expected in (
        "Telco Retail GmbH", "Hauptstraße 1", "10115 Berlin", "VAT ID: DE123456789",
        "Company reg. no.: HRB 98765 B", "Store: S001 Berlin Mitte",
        "IBAN DE89370400440532013000",
        "Jane Doe Consulting Ltd", "12 Harbour Road", "Dublin D02 X285",
        "Customer no.: C00000042", "VAT ID: IE6388047V",
        "Issue date 2026-11-23", "Date of supply 2026-11-22",
        "S/N 356938035643809", "Discount: Bundle: accessory -5 EUR", "-5.00 EUR",
    ):  # fmt: skip
        assert expected in text, expected
    for row in data.vat:
        rate = f"{row.rate.normalize():f}%"
        assert f"VAT {rate} {row.net} {row.tax} {row.gross}" in text, rate
    assert {row.rate for row in data.vat} == {Decimal(0), Decimal(7), Decimal(19)}
    t = data.totals
    assert f"Total net {t.net} Total VAT {t.tax} Total {t.gross}" in text
    assert f"Discounts included -{t.discount}" in text
    assert f"Card **** **** **** 4242, auth. A1B2C3 {t.gross}" in text
    assert "Page 1 of 1" in text


def test_instalment_plan_and_commitment_are_spelled_out() -> None:
    _, texts = render(document(bundle_lines(), instalments=(PLAN,)))
    assert (
        "Instalment plan Galaxy S25 128 GB 24 monthly instalments of 20.00 EUR "
        "(total 480.00 EUR), paid upfront 49.00 EUR; first instalment due 2026-12-01. "
        "Commitment: 24 months, monthly plan fee (Smart M 30 GB) 25.00 EUR."
    ) in texts[0]


def test_without_instalments_or_payments_those_sections_are_absent() -> None:
    data = document(bundle_lines(), paid=False)
    _, texts = render(data)
    assert "Instalment plan" not in texts[0]
    assert "Paid by" not in texts[0]


def test_part_payment_shows_the_amount_due() -> None:
    data = document(bundle_lines(), paid=False)
    data = dataclasses.replace(data, payments=(Payment("cash", Money.of("100.00")),))
    _, texts = render(data)
    assert f"Amount due {data.totals.gross - Money.of('100.00')}" in texts[0]


def test_cyrillic_buyer_and_products_print_as_written_in_dejavu() -> None:
    lines = [
        line("Смартфон Galaxy S25, черен", "529.00", serial="356938035643809"),
        line("Калъф за телефон „Щит“", "19.90", discount="2.00", reason="Отстъпка за лоялност"),
        line("Пътеводител София", "12.90", 9),
    ]
    data = document(lines, buyer=CYRILLIC_BUYER, instalments=(PLAN,))
    _, texts = render(data)
    text = texts[0]
    for expected in (
        "Иван Петров", "ул. „Шипка“ 5, ет. 3", "София 1000, България",
        "Смартфон Galaxy S25, черен", "Калъф за телефон „Щит“",
        "Discount: Отстъпка за лоялност", "Пътеводител София",
    ):  # fmt: skip
        assert expected in text, expected
    for row in data.vat:
        assert f"VAT {row.rate.normalize():f}% {row.net} {row.tax} {row.gross}" in text
    assert f"Total {data.totals.gross}" in text
    assert any("DejaVuSans" in name for name in fonts_used(data))


def test_credit_note_names_the_invoice_it_corrects_and_why() -> None:
    lines = [line("Galaxy S25 128 GB", "529.00", serial="356938035643809")]
    credit = CreditReference("INV-S001-T01-000123", date(2026, 11, 2), "Returned within 14 days")
    data = document(lines, kind="credit_note", number="CN-S001-T01-000007", credit=credit)
    pages, texts = render(data)
    text = texts[0]
    assert pages == 1
    assert "Credit note" in text
    assert "Number CN-S001-T01-000007" in text
    assert "Corrects invoice INV-S001-T01-000123 Invoice date 2026-11-02" in text
    assert (
        "This credit note corrects invoice INV-S001-T01-000123 of 2026-11-02. "
        "Reason: Returned within 14 days"
    ) in text
    assert "Total credited 529.00 EUR" in text
    assert "Refunded to" in text
    assert "Credit note CN-S001-T01-000007 Page 1 of 1" in text


def test_cyrillic_credit_note() -> None:
    lines = [line("Слушалки безжични", "89.00")]
    credit = CreditReference("INV-S001-T01-000124", date(2026, 11, 3), "Дефект при продажба")
    data = document(
        lines, kind="credit_note", number="CN-S001-T01-000008", buyer=CYRILLIC_BUYER, credit=credit
    )
    _, texts = render(data)
    assert "Reason: Дефект при продажба" in texts[0]
    assert "Иван Петров" in texts[0]
    assert "Слушалки безжични" in texts[0]


def test_markup_characters_in_data_print_as_typed() -> None:
    buyer = dataclasses.replace(LATIN_BUYER, name="Smith & Sons <b>Ltd</b>")
    data = document([line('Case <Black> & Co "Pro"', "9.99")], buyer=buyer)
    _, texts = render(data)
    assert 'Case <Black> & Co "Pro"' in texts[0]
    assert "Smith & Sons <b>Ltd</b>" in texts[0]


# -- long documents -------------------------------------------------------------------------


def test_twenty_page_invoice_repeats_the_table_header_and_numbers_every_page() -> None:
    lines = [
        line(f"Item {n:04d} Galaxy A16", "199.00" if n % 3 else "12.90", 19 if n % 3 else 7,
             serial=f"35693803{n:07d}")
        for n in range(1, 601)
    ]  # fmt: skip
    data = document(lines, instalments=(PLAN,))
    pages, texts = render(data)
    assert pages >= 20
    header = "# Description Qty Unit net Unit gross VAT Amount"
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in text
        first_item = text.find("Item ")
        if first_item >= 0:  # the last page may hold only the totals
            assert 0 <= text.find(header) < first_item, number
        if number > 1:
            assert "Telco Retail GmbH Invoice INV-S001-T01-000123 (continued)" in text
    everything = " ".join(texts)
    found = re.findall(r"Item (\d{4}) Galaxy A16", everything)
    assert found == [f"{n:04d}" for n in range(1, 601)]  # every line once, in order
    t = data.totals
    assert everything.index("Item 0600") < everything.index(
        f"Total net {t.net} Total VAT {t.tax} Total {t.gross}"
    )
    assert everything.count("Total net") == 1
    plan = "Instalment plan Galaxy S25 128 GB 24 monthly instalments of 20.00 EUR"
    assert any(plan in text for text in texts)  # heading and plan on one page


def test_long_descriptions_wrap_inside_the_description_column() -> None:
    words = " ".join(f"word{n}" for n in range(300))
    token = "X" * 400
    buffer = io.BytesIO()
    render_invoice(document([line(words, "10.00"), line(token + " tail", "5.00")]), buffer)
    raw = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text().splitlines()
    word_lines = [ln for ln in raw if ln.startswith("word")]
    assert len(word_lines) > 10
    assert max(len(ln) for ln in word_lines) < 80
    assert " ".join(word_lines) == words
    token_lines = [ln for ln in raw if ln.startswith("XXX")]
    assert len(token_lines) > 4  # a word wider than the column is broken, not clipped
    assert "".join(token_lines).count("X") == 400


def test_a_line_taller_than_a_page_continues_on_the_next() -> None:
    essay = " ".join(f"term{n}" for n in range(2500))
    pages, texts = render(document([line(essay, "10.00"), line("After the essay", "1.00")]))
    assert pages >= 2
    everything = " ".join(texts)
    assert re.findall(r"term(\d+)", everything) == [str(n) for n in range(2500)]
    assert "After the essay" in texts[-1]


# -- fonts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("problem", ["missing", "not a font"])
def test_without_the_font_cyrillic_is_transliterated_into_helvetica(
    problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "DejaVuSans.ttf"
    if problem == "not a font":
        broken.write_bytes(b"this is not a TrueType file" * 10)
    monkeypatch.setattr(pdf_fonts, "REGULAR_FILE", broken)
    lines = [line("Смартфон Galaxy S25, черен", "529.00"), line("Калъф „Щит“", "19.90", 9)]
    data = document(lines, buyer=CYRILLIC_BUYER)
    with caplog.at_level(logging.WARNING, logger="app.documents.pdf_fonts"):
        _, texts = render(data)
    text = texts[0]
    assert any("fall back to Helvetica" in r.getMessage() for r in caplog.records)
    for expected in (
        "Ivan Petrov", "ul. „Shipka“ 5, et. 3", "Sofiya 1000, Balgariya",
        "Smartfon Galaxy S25, cheren", "Kalaf „Shchit“", "INV-S001-T01-000123",
        "Page 1 of 1",
    ):  # fmt: skip
        assert expected in text, expected
    assert not re.search("[\u0400-\u04ff]", text)
    for row in data.vat:
        assert f"VAT {row.rate.normalize():f}% {row.net} {row.tax} {row.gross}" in text
    assert fonts_used(data) <= {"/Helvetica", "/Helvetica-Bold"}


def test_without_the_bold_face_text_stays_cyrillic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pdf_fonts, "BOLD_FILE", tmp_path / "gone.ttf")
    with caplog.at_level(logging.WARNING, logger="app.documents.pdf_fonts"):
        fonts = pdf_fonts.pdf_fonts()
    assert fonts.unicode and fonts.bold == fonts.regular
    assert "gone.ttf" in caplog.text
    _, texts = render(document([line("Смартфон", "10.00")], buyer=CYRILLIC_BUYER))
    assert "Иван Петров" in texts[0]


def test_fonts_are_registered_once_however_many_threads_ask() -> None:
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: pdf_fonts.pdf_fonts(), range(32)))
    assert all(f is found[0] for f in found)
    assert found[0].unicode


def test_concurrent_renders_produce_the_same_bytes_as_one_alone() -> None:
    data = document(bundle_lines(), buyer=CYRILLIC_BUYER, instalments=(PLAN,))

    def pdf(_: int) -> bytes:
        buffer = io.BytesIO()
        render_invoice(data, buffer)
        return buffer.getvalue()

    alone = pdf(0)
    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(pdf, range(8))) == {alone}


def test_render_to_a_path(tmp_path: Path) -> None:
    target = tmp_path / "invoice.pdf"
    assert render_invoice(document(bundle_lines()), target) == 1
    assert target.read_bytes().startswith(b"%PDF-")


# -- the data refuses to become a wrong legal document -----------------------------------------


def test_vat_rows_that_do_not_add_up_are_refused() -> None:
    data = document(bundle_lines())
    wrong = (dataclasses.replace(data.vat[0], tax=data.vat[0].tax + Money.of("0.01")),)
    with pytest.raises(ValueError, match="net \\+ VAT"):
        dataclasses.replace(data, vat=wrong + data.vat[1:])


def test_totals_that_differ_from_the_lines_are_refused() -> None:
    data = document(bundle_lines())
    totals = dataclasses.replace(data.totals, gross=data.totals.gross + Money.of("1.00"))
    with pytest.raises(ValueError, match="lines add up to"):
        dataclasses.replace(data, totals=totals)


def test_a_rate_without_its_vat_row_is_refused() -> None:
    data = document([line("A", "10.00", 19), line("B", "0.00", 7)])
    with pytest.raises(ValueError, match="no VAT row"):
        dataclasses.replace(data, vat=tuple(r for r in data.vat if r.rate == 19))


def test_credit_note_needs_its_reference_and_an_invoice_has_none() -> None:
    ref = CreditReference("INV-1", date(2026, 1, 1), "x")
    with pytest.raises(ValueError, match="credit note"):
        document(bundle_lines(), kind="credit_note")
    with pytest.raises(ValueError, match="credit note"):
        document(bundle_lines(), credit=ref)


# -- transliteration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Иван Петров", "Ivan Petrov"),
        ("Щукин", "Shchukin"),
        ("ЩУКИН", "SHCHUKIN"),
        ("Юлия", "Yuliya"),
        ("България", "Balgariya"),  # Bulgarian ъ is a vowel
        ("подъезд", "podezd"),  # the Russian hard sign before a vowel is silent
        ("шофьор", "shofyor"),
        ("Київ", "Kiyiv"),
        ("Hauptstraße 1", "Hauptstraße 1"),
    ],
)
def test_to_latin(cyrillic: str, latin: str) -> None:
    assert to_latin(cyrillic) == latin


def test_to_winansi_keeps_what_helvetica_shows_and_replaces_the_rest() -> None:
    assert to_winansi("ул. Шипка № 5, 12.50 €") == "ul. Shipka No 5, 12.50 €"
    assert to_winansi("Ševčenko, Łódź") == "Ševcenko, Lódz"
    assert to_winansi("東京") == "??"
    assert to_winansi("Ёлкин Žižek ő") == "Elkin Žižek o"
