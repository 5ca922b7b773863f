"""Finding an issued invoice again, and the copy it prints: by number, by order, as pixels."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.bootstrap import Services
from app.documents.pdf_raster import PdfUnreadable, page_count, render_page
from app.errors import NotFound
from app.services.auth import UserInfo
from app.services.returns import ReturnItem
from domain.errors import ValidationError
from domain.returns import Condition


def _sale(services: Services, user: UserInfo, *codes: str) -> str:
    cid = services.customers.search("C00000003")[0].id
    basket = services.sales.start(customer_id=cid, user=user)
    for code in codes:
        services.sales.add_code(basket.order_id, code, user=user)
    return services.sales.pay_cash(basket.order_id, "500", user=user).receipt_number


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_find_by_number_as_typed_or_scanned(demo_services: Services, anna: UserInfo) -> None:
    invoices = demo_services.invoices
    order_id = invoices.find_order(_sale(demo_services, anna, "ACC-CASE", "ACC-CHG"))
    issued = invoices.issue(order_id, user=anna)
    for typed in (issued.number, f"  {issued.number.lower()}\t"):
        found = invoices.find(typed)
        assert (found.number, found.order_id, found.kind) == (issued.number, order_id, "invoice")
        assert not found.new and found.total == issued.total
    with pytest.raises(ValidationError) as empty:
        invoices.find("   ")
    assert empty.value.field == "number"
    with pytest.raises(NotFound, match="No invoice or credit note has the number INV-X-1"):
        invoices.find("inv-x-1")


def test_the_customer_is_found_by_the_number_of_their_invoice_or_credit_note(
    demo_services: Services, anna: UserInfo
) -> None:
    invoices = demo_services.invoices
    receipt = _sale(demo_services, anna, "ACC-CASE", "ACC-CHG")
    issued = invoices.issue(invoices.find_order(receipt), user=anna)
    (hit,) = demo_services.customers.search(issued.number)
    assert hit.customer_no == "C00000003" and hit.exact and hit.matched_on == "invoice"
    sold = demo_services.returns.find(receipt)
    returned = demo_services.returns.create_return(
        sold.order_id, [ReturnItem(sold.lines[0].line_id, 1, Condition.UNOPENED)],
        reason="changed mind", user=anna,
    )  # fmt: skip
    credit = invoices.issue_credit_note(returned.return_id, user=anna)
    assert [h.customer_no for h in demo_services.customers.search(credit.number)] == ["C00000003"]


def test_the_invoice_of_an_order_is_not_its_credit_note(
    demo_services: Services, anna: UserInfo
) -> None:
    invoices = demo_services.invoices
    receipt = _sale(demo_services, anna, "ACC-CASE", "ACC-CHG")
    order_id = invoices.find_order(receipt)
    assert invoices.invoice_of(order_id) is None
    issued = invoices.issue(order_id, user=anna)
    lines = demo_services.returns.find(receipt).lines
    result = demo_services.returns.create_return(
        order_id, [ReturnItem(lines[0].line_id, 1, Condition.UNOPENED)],
        reason="changed mind", user=anna,
    )  # fmt: skip
    credit = invoices.issue_credit_note(result.return_id, user=anna)
    assert invoices.find(credit.number).kind == "credit_note"
    found = invoices.invoice_of(order_id)
    assert found is not None and found.number == issued.number


def test_a_copy_says_so_on_every_page_and_the_original_does_not(
    demo_services: Services, anna: UserInfo
) -> None:
    invoices = demo_services.invoices
    issued = invoices.issue(invoices.find_order(_sale(demo_services, anna, "ACC-CASE")), user=anna)
    original, copy = invoices.pdf(issued.number), invoices.pdf(issued.number, copy=True)
    original_text, copy_text = _text(original), _text(copy)
    assert issued.number in original_text and issued.number in copy_text
    assert "COPY" not in original_text and "copy" not in original_text.lower()
    assert "COPY" in copy_text
    assert f"Reprint of invoice {issued.number} issued {issued.data.issue_date}" in copy_text
    assert f"Invoice {issued.number} (copy)" in copy_text
    assert PdfReader(io.BytesIO(copy)).metadata.title == f"Invoice {issued.number} (copy)"
    # Apart from the marks, the copy is the document as issued: same lines and total.
    assert issued.total.format() in copy_text and issued.data.lines[0].description in copy_text


def test_pages_become_pixels(demo_services: Services, anna: UserInfo) -> None:
    invoices = demo_services.invoices
    issued = invoices.issue(invoices.find_order(_sale(demo_services, anna, "ACC-CHG")), user=anna)
    pdf = invoices.pdf(issued.number)
    assert page_count(pdf) == 1
    page = render_page(pdf, 0, dpi=72)
    assert (page.index, page.count, page.width, page.height) == (
        0,
        1,
        596,
        842,
    )  # A4, 595.3 x 841.9 points
    assert page.stride >= 4 * page.width and len(page.pixels) == page.stride * page.height
    corner = page.pixels[:4]
    assert corner[:3] == b"\xff\xff\xff"  # white paper
    dark = sum(
        1
        for row in range(0, page.height, 4)
        for x in range(0, page.width, 4)
        if page.pixels[row * page.stride + 4 * x] < 80
    )
    assert dark > 100  # and text on it
    bigger = render_page(pdf, 0, dpi=144)
    assert (bigger.width, bigger.height) == (1191, 1684)
    with pytest.raises(IndexError):
        render_page(pdf, 1, dpi=72)
    with pytest.raises(ValueError, match="dpi"):
        render_page(pdf, 0, dpi=0)
    with pytest.raises(PdfUnreadable):
        page_count(b"%PDF-1.4 not really")
