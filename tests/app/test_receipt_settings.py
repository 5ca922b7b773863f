"""Receipt settings: a narrower line than the paper (``[printer] columns``) and the
return-policy footer (``[returns] receipt_note``), from the settings to the printed bytes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from app.bootstrap import Services, build
from app.documents.receipt import ReceiptData, ReceiptItem, build_receipt
from app.paths import AppPaths
from app.services.receipts import return_policy
from app.settings import REGISTRY, load_settings
from devices.printer.escpos_decode import decode
from devices.printer.render import columns_for
from domain.money import Money


@pytest.fixture
def narrow(paths: AppPaths) -> Iterator[Services]:
    """The demo store with an 80 mm printer that prints 42 characters, 30-day returns."""
    loaded = load_settings(
        paths,
        env={},
        cli={"printer.kind": "simulated", "printer.columns": "42", "returns.window_days": "30"},
    )
    assert not loaded.problems, loaded.problems
    services = build(loaded.settings, paths)
    services.demo.ensure(customers=5)
    try:
        yield services
    finally:
        services.close()


def _sale(services: Services) -> str:
    anna = services.auth.login("anna", "1111")
    basket = services.sales.start(customer_id=None, user=anna)
    services.sales.add_code(basket.order_id, "ACC-CHG", user=anna)
    return services.sales.pay_cash(basket.order_id, "30", user=anna).receipt_number


def test_the_settings_are_declared_and_checked(paths: AppPaths) -> None:
    assert REGISTRY["printer.columns"].default == 0
    assert "{days}" in REGISTRY["returns.receipt_note"].default
    loaded = load_settings(
        paths, env={}, cli={"printer.columns": "49", "returns.receipt_note": "Within {weeks}"}
    )
    assert loaded.settings.printer.columns == 0
    assert loaded.settings.returns.receipt_note == REGISTRY["returns.receipt_note"].default
    problems = " ".join(loaded.problems)
    assert "must be between 0 and 48" in problems
    assert "may use {days} (the return window)" in problems


def test_columns_narrow_the_line_but_never_widen_it() -> None:
    assert columns_for(80) == 48 and columns_for(58) == 32
    assert columns_for(80, "TM-T20II", 42) == 42
    assert columns_for(58, "TM-T20II", 42) == 32  # wider than the paper: the paper's width
    with pytest.raises(ValueError, match="cannot have -1"):
        columns_for(80, "", -1)


def test_return_policy_text() -> None:
    assert return_policy("Returns within {days} days.", 14) == ("Returns within 14 days.",)
    assert return_policy("  ", 14) == ()
    assert return_policy("Returns within {days} days.", 0) == ()  # no returns: no promise


def test_the_footer_wraps_to_the_line_and_stays_whole() -> None:
    eur = Money.of("9.99")
    data = ReceiptData(
        store_name="Store", store_address="", tax_id="", terminal_id="S001/T01",
        cashier="Anna", when=datetime(2024, 5, 1, 10, 0), receipt_number="RCP-1",
        order_number="ORD-1", items=(ReceiptItem("Case", 1, eur, eur),),
        vat=((Decimal(19), Money.of("8.39"), Money.of("1.60")),), total=eur,
        tenders=(("cash", eur),),
        footer=("Returns within 14 days of purchase with this receipt and the original box.",),
    )  # fmt: skip
    texts = [line.text for line in build_receipt(data, columns=32).lines]
    thanks = texts.index("Thank you!")
    footer = texts[texts.index("-" * 32, thanks - 4) + 1 : thanks]
    assert len(footer) == 3 and all(len(text) <= 32 for text in footer)
    assert " ".join(footer) == data.footer[0]
    plain = build_receipt(replace(data, footer=()), columns=32)
    assert not any("Returns" in line.text for line in plain.lines)


def test_a_receipt_on_a_42_column_printer_with_the_return_policy(narrow: Services) -> None:
    receipt_number = _sale(narrow)
    order_id = narrow.invoices.find_order(receipt_number)
    receipt = narrow.receipts.for_order(order_id)
    lines = receipt.text.splitlines()
    assert "-" * 42 in lines and "-" * 48 not in lines
    assert all(len(line) <= 42 for line in lines)
    assert "Returns within 30 days of purchase with this receipt." in " ".join(
        line.strip() for line in lines
    )
    # What the printer gets: the same 42-character lines, the footer among them.
    narrow.devices.print_receipt(receipt.doc)
    printer = narrow.devices.printer()
    printed = decode(printer.jobs[-1])  # type: ignore[attr-defined]  # the simulated printer
    texts = [line.text for line in printed.lines if line.kind == "text"]
    assert all(len(line.text) * line.width <= 42 for line in printed.lines if line.kind == "text")
    assert "-" * 42 in texts
    assert "Returns within 30 days of purchase with" in texts
    assert "this receipt." in texts
