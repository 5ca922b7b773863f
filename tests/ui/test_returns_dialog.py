"""Returns and exchanges at the counter: scan the receipt, choose, refund or exchange."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from logged_in_window import logged_in
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid, demo_imei
from domain.returns import Condition
from ui.main_window import MainWindow
from ui.screens.returns import ReturnDialog

TYPING_MS = 5
IP15 = demo_imei("35407115", 5)


@pytest.fixture
def window(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    win = logged_in(qtbot, demo_services, "anna", "1111")
    yield win
    win.close()


def _sale(services: Services, *codes: str) -> str:
    anna = services.auth.login("anna", "1111")
    cid = services.customers.search("C00000007")[0].id
    basket = services.sales.start(customer_id=cid, user=anna)
    for code in codes:
        services.sales.add_code(basket.order_id, code, user=anna)
    return services.sales.pay_cash(basket.order_id, "2000", user=anna).receipt_number


def _dialog(qtbot: QtBot, win: MainWindow, receipt: str) -> ReturnDialog:
    win.go(1)
    qtbot.keyClick(win.sell, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = win.sell.return_dialog
    assert isinstance(dialog, ReturnDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.receipt, receipt)  # the scanner's burst
    qtbot.keyClick(dialog.receipt, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.lines.rowCount() > 0, timeout=3000)
    return dialog


def test_refund_an_accessory_in_cash(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    receipt = _sale(demo_services, "ACC-CHG", "PLAN-S", demo_iccid(1, 61))
    dialog = _dialog(qtbot, window, receipt)
    assert receipt in dialog.sale.text() and "paid by cash" in dialog.sale.text()
    rows = {dialog.lines.item(r, 0).text().split(" ")[0]: r for r in range(3)}
    plan_row, charger_row = rows["Smart"], rows["USB-C"]
    assert "cancelled through the second line" in dialog.lines.item(plan_row, 6).text()
    assert not dialog.lines.cellWidget(plan_row, 4).isEnabled()
    assert not dialog.refund_button.isEnabled()
    dialog.set_quantity(charger_row, 1, Condition.UNOPENED)
    assert "Refund 24.99 EUR" in dialog.refund.text()
    qtbot.mouseClick(dialog.refund_button, Qt.MouseButton.LeftButton)
    assert "Say why" in dialog.errors.text("reason")
    qtbot.keyClicks(dialog.reason, "wrong plug", delay=TYPING_MS)
    qtbot.mouseClick(dialog.refund_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "give back 24.99 EUR (cash)" in dialog.done_label.text(), timeout=3000)
    assert "credit note CRN-" in dialog.done_label.text()


def test_a_large_refund_is_handed_on(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    receipt = _sale(demo_services, IP15)
    dialog = _dialog(qtbot, window, receipt)
    dialog.set_quantity(0, 1, Condition.OPENED)
    qtbot.keyClicks(dialog.reason, "screen too small", delay=TYPING_MS)
    qtbot.mouseClick(dialog.refund_button, Qt.MouseButton.LeftButton)
    approval = dialog.approval_dialog
    assert approval is not None and approval.isVisible()
    approval.reject()  # no manager at hand
    assert dialog.hand_on_button.isVisible()
    qtbot.mouseClick(dialog.hand_on_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "handed on to the second line" in dialog.done_label.text(),
                    timeout=3000)  # fmt: skip
    assert demo_services.handoffs.waiting()[-1].kind == "refund"


def test_a_manager_approves_a_large_refund(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    receipt = _sale(demo_services, IP15)
    dialog = _dialog(qtbot, window, receipt)
    dialog.set_quantity(0, 1, Condition.UNOPENED)
    qtbot.keyClicks(dialog.reason, "gift not wanted", delay=TYPING_MS)
    qtbot.mouseClick(dialog.refund_button, Qt.MouseButton.LeftButton)
    approval = dialog.approval_dialog
    assert approval is not None
    qtbot.keyClicks(approval.manager, "maria")
    qtbot.keyClicks(approval.pin, "3333")
    qtbot.keyClicks(approval.reason, "unopened, receipt shown")
    approval.submit()
    qtbot.waitUntil(lambda: "give back 899.00 EUR" in dialog.done_label.text(), timeout=3000)
    with demo_services.engine.connect() as conn:
        approved = conn.execute(select(m.ReturnRecord.approved_by)).scalar_one()
    assert approved is not None


def test_an_exchange_continues_in_sell_with_the_credit(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    receipt = _sale(demo_services, "ACC-CASE")
    dialog = _dialog(qtbot, win, receipt)
    dialog.set_quantity(0, 1, Condition.FAULTY)
    qtbot.keyClicks(dialog.reason, "cracked", delay=TYPING_MS)
    qtbot.mouseClick(dialog.exchange_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: win.sell._basket is not None, timeout=3000)
    basket = win.sell._basket
    assert basket is not None and basket.credit is not None
    qtbot.keyClicks(win.sell.code, "ACC-CHG", delay=TYPING_MS)
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Credit" in win.sell.total.text(), timeout=3000)
    assert "To pay" in win.sell.total.text()


def test_without_the_receipt_the_customers_sales_are_listed(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    receipt = _sale(demo_services, "ACC-GLASS")
    qtbot.keyClicks(win.customers.search, "C00000007", delay=TYPING_MS)
    qtbot.waitUntil(lambda: win.customers.results.rowCount() == 1, timeout=3000)
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    qtbot.keyClick(win.customers, Qt.Key.Key_F4)  # Sell for this customer
    qtbot.keyClick(win.sell, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = win.sell.return_dialog
    assert isinstance(dialog, ReturnDialog)
    qtbot.waitUntil(lambda: dialog.recent.count() > 1, timeout=3000)
    assert "Screen protector" in dialog.recent.itemText(1)
    dialog.recent.setCurrentIndex(1)
    dialog.recent.activated.emit(1)
    qtbot.waitUntil(lambda: receipt in dialog.sale.text(), timeout=3000)


def test_a_credit_note_is_spent_on_the_next_sale(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    receipt = _sale(demo_services, "ACC-CHG")
    dialog = _dialog(qtbot, window, receipt)
    dialog.set_quantity(0, 1, Condition.UNOPENED)
    qtbot.keyClicks(dialog.reason, "a present, swapped later", delay=TYPING_MS)
    qtbot.mouseClick(dialog.credit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "credit note CRN-" in dialog.done_label.text(), timeout=3000)
    number = next(w for w in dialog.done_label.text().split() if w.startswith("CRN-"))
    assert "24.99 EUR" in dialog.done_label.text()
    dialog.close()

    qtbot.keyClicks(window.sell.code, "ACC-CASE", delay=TYPING_MS)  # 14.99
    qtbot.keyClick(window.sell.code, Qt.Key.Key_Return)
    window.sell.pay_cash()
    pay = window.sell.cash_dialog
    assert pay is not None
    pay.given.clear()
    qtbot.keyClicks(pay.given, number)  # scanned from the credit note
    qtbot.mouseClick(pay.voucher_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not pay.isVisible(), timeout=3000)
    with demo_services.engine.connect() as conn:
        voucher = conn.execute(select(m.Payment).where(m.Payment.tender == "voucher")).one()
    assert voucher.amount_minor == 1499 and voucher.details == {"credit_note": number}
