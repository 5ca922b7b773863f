"""Invoices and credit notes issued from real sales and returns on a real SQLite file,
read back from the PDF as a customer would read them."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.bootstrap import Services, build
from app.cli import run_command
from app.db import models as m
from app.db.uow import make_uow_factory
from app.demo.seed import demo_iccid, demo_imei
from app.errors import NotFound
from app.paths import AppPaths
from app.services.auth import UserInfo
from app.services.invoices import InvoiceService, decode_invoice, encode_invoice
from app.services.returns import ReturnItem
from app.settings import load_settings
from domain.errors import RuleViolation
from domain.returns import Condition

A15 = demo_imei("35328115", 3)
SERIES = "INV-S001-T01"


def _invoices(services: Services) -> InvoiceService:
    store = services.store
    uow = make_uow_factory(services.engine, store_id=store.store_id, terminal_id=store.terminal_id)
    return InvoiceService(uow, store=store)


def _sale(
    services: Services, user: UserInfo, *codes: str, customer: str | None = None
) -> uuid.UUID:
    cid = services.customers.search(customer)[0].id if customer else None
    basket = services.sales.start(customer_id=cid, user=user)
    for code in codes:
        services.sales.add_code(basket.order_id, code, user=user)
    return services.sales.pay_cash(basket.order_id, "2000", user=user).order_id


def _receipt(services: Services, order_id: uuid.UUID) -> str:
    with services.engine.connect() as conn:
        query = select(m.Order.receipt_number).where(m.Order.id == order_id)
        return str(conn.execute(query).scalar_one())


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def _count(services: Services, model: type) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_an_invoice_states_number_parties_vat_and_totals(
    demo_services: Services, anna: UserInfo
) -> None:
    order_id = _sale(demo_services, anna, A15, "ACC-CASE", "ACC-CASE", customer="C00000004")
    invoices = _invoices(demo_services)
    issued = invoices.issue(order_id, user=anna)
    assert issued.new and issued.number == f"{SERIES}-000001" and issued.kind == "invoice"
    with demo_services.engine.connect() as conn:
        total = conn.execute(select(m.Order.total_minor).where(m.Order.id == order_id)).scalar()
    assert issued.total.minor == total == issued.data.totals.gross.minor
    text = _text(invoices.pdf(issued.number))
    customer = demo_services.customers.search("C00000004")[0]
    store = demo_services.store
    for expected in (issued.number, store.name, f"VAT ID: {store.tax_id}", customer.name,
                     "Customer no.: C00000004", f"S/N {A15}", "Galaxy A15"):  # fmt: skip
        assert expected in text, expected
    for row in issued.data.vat:
        assert f"VAT {row.rate.normalize():f}% {row.net} {row.tax} {row.gross}" in text
    t = issued.data.totals
    assert f"Total net {t.net} Total VAT {t.tax} Total {t.gross}" in text
    assert "Cash" in text and "Page 1 of 1" in text
    case = next(line for line in issued.data.lines if "case" in line.description.lower())
    if case.discount is not None:  # the demo's accessory promotion, with its reason
        assert case.discount_reason and "Discount:" in text


def test_numbers_run_without_gaps_and_issuing_again_returns_the_same(
    demo_services: Services, anna: UserInfo
) -> None:
    invoices = _invoices(demo_services)
    orders = [_sale(demo_services, anna, "ACC-CASE") for _ in range(3)]
    numbers = [invoices.issue(order, user=anna).number for order in orders]
    assert numbers == [f"{SERIES}-{n:06d}" for n in (1, 2, 3)]
    again = invoices.issue(orders[1], user=anna)
    assert (again.number, again.new) == (numbers[1], False)
    assert [doc.number for doc in invoices.for_order(orders[1])] == [numbers[1]]
    assert invoices.find(numbers[2].lower()).order_id == orders[2]
    assert _count(demo_services, m.InvoiceRecord) == 3
    stored = invoices.find(numbers[0]).data
    assert decode_invoice(encode_invoice(stored)) == stored


def test_a_failure_while_issuing_gives_the_number_back(
    demo_services: Services, anna: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoices = _invoices(demo_services)
    order_id = _sale(demo_services, anna, "ACC-CASE")

    def boom(*_a: object, **_k: object) -> dict[str, object]:
        raise OSError("disk unplugged")

    with monkeypatch.context() as patch:
        patch.setattr("app.services.invoices.encode_invoice", boom)
        with pytest.raises(OSError, match="disk unplugged"):
            invoices.issue(order_id, user=anna)
    assert _count(demo_services, m.InvoiceRecord) == 0
    with demo_services.engine.connect() as conn:
        counter = conn.execute(
            select(m.Counter.next_value).where(m.Counter.series == SERIES)
        ).scalar()
    assert counter in (None, 1)
    assert invoices.issue(order_id, user=anna).number == f"{SERIES}-000001"


def test_only_completed_sales_are_invoiced_and_unknown_numbers_are_not_found(
    demo_services: Services, anna: UserInfo
) -> None:
    invoices = _invoices(demo_services)
    basket = demo_services.sales.start(customer_id=None, user=anna)
    demo_services.sales.add_code(basket.order_id, "ACC-CASE", user=anna)
    with pytest.raises(RuleViolation, match="only completed sales"):
        invoices.issue(basket.order_id, user=anna)
    with pytest.raises(NotFound):
        invoices.find("INV-S001-T01-999999")
    with pytest.raises(NotFound):
        invoices.pdf("NOPE")
    with pytest.raises(NotFound):
        invoices.find_order("ORD-NOPE")
    assert _count(demo_services, m.InvoiceRecord) == 0


def test_walk_in_and_cyrillic_customers(demo_services: Services, anna: UserInfo) -> None:
    invoices = _invoices(demo_services)
    walk_in = invoices.issue(_sale(demo_services, anna, "ACC-CASE"), user=anna)
    assert "Walk-in customer" in _text(invoices.pdf(walk_in.number))
    name = demo_services.customers.search("C00000010")[0].name
    assert any("\u0400" <= ch <= "\u04ff" for ch in name), name
    issued = invoices.issue(
        _sale(demo_services, anna, demo_iccid(1, 1), customer="C00000010"), user=anna
    )
    assert issued.data.buyer.name == name
    assert name in _text(invoices.pdf(issued.number))


def test_a_credit_note_names_the_original_invoice(demo_services: Services, anna: UserInfo) -> None:
    invoices = _invoices(demo_services)
    order_id = _sale(demo_services, anna, A15, "ACC-CASE", customer="C00000004")
    receipt = _receipt(demo_services, order_id)
    order = demo_services.returns.find(receipt)
    line = next(line for line in order.lines if line.sku == "DEV-A15")
    result = demo_services.returns.create_return(
        order.order_id, [ReturnItem(line.line_id, 1, Condition.OPENED)],
        reason="changed her mind", user=anna,
    )  # fmt: skip
    note = invoices.issue_credit_note(result.return_id, user=anna)
    assert note.kind == "credit_note" and note.number == result.credit_note_number
    assert note.total == result.refund
    original = invoices.for_order(order_id)[0]  # issued with the credit note
    assert original.kind == "invoice" and original.number == f"{SERIES}-000001"
    assert note.data.credit is not None
    assert note.data.credit.invoice_number == original.number
    assert invoices.issue_credit_note(result.return_id, user=anna).number == note.number
    assert [doc.kind for doc in invoices.for_order(order_id)] == ["invoice", "credit_note"]
    text = _text(invoices.pdf(note.number))
    assert "Credit note" in text and note.number in text and original.number in text
    assert original.data.issue_date.isoformat() in text and "changed her mind" in text
    assert result.refund.format() in text


def test_storedesk_invoice_issue_and_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = ("--home", str(tmp_path / "home"))

    def run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = run_command([*home, *argv], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    assert run("demo", "--customers", "5")[0] == 0
    paths = AppPaths.under(tmp_path / "home")
    services = build(load_settings(paths, env={}).settings, paths)
    try:
        anna = services.auth.login("anna", "1111")
        order_id = _sale(services, anna, "ACC-CASE")
        receipt = _receipt(services, order_id)
    finally:
        services.close()
    monkeypatch.setenv("STOREDESK_PIN", "1111")
    first = tmp_path / "first.pdf"
    code, out, err = run("invoice", "issue", receipt, "--out", str(first), "--user", "anna")
    assert (code, err) == (0, "") and f"Issued invoice {SERIES}-000001" in out
    assert f"{SERIES}-000001" in _text(first.read_bytes())
    assert "COPY" not in _text(first.read_bytes())  # the original
    code, out, _ = run("invoice", "issue", receipt, "--out", str(first), "--user", "anna")
    assert code == 0 and "Already issued" in out
    again = tmp_path / "again.pdf"
    assert run("invoice", "pdf", f"{SERIES}-000001", "--out", str(again))[0] == 0
    assert _text(again.read_bytes()) == _text(first.read_bytes())
    assert "COPY" in _text(again.read_bytes())  # printed again: a copy
    code, _, err = run("invoice", "pdf", "INV-NOPE", "--out", str(again))
    assert code == 1 and "INV-NOPE" in err
    code, _, err = run("invoice", "issue", "ORD-NOPE", "--out", str(again), "--user", "anna")
    assert code == 1 and "nothing issued" in err
    monkeypatch.setenv("STOREDESK_PIN", "9999")
    code, _, err = run("invoice", "issue", receipt, "--out", str(again), "--user", "anna")
    assert code == 1
    assert run("invoice", "frobnicate")[0] == 2
