"""A new line at the counter: plan, SIM scan, a golden number from the picker, cash, 360."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import Services
from app.demo.seed import demo_iccid
from ui.errors import ErrorRouter
from ui.main_window import MainWindow
from ui.ops import Runner

TYPING_MS = 15
ICCID = demo_iccid(1, 21)


@pytest.fixture
def window(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    runner = Runner(inline=True)
    win = MainWindow(demo_services, runner, ErrorRouter(quiet=True))
    qtbot.addWidget(win)
    win.start()
    win.show()
    qtbot.waitExposed(win)
    edit = win.login.username.lineEdit()
    edit.clear()
    qtbot.keyClicks(edit, "anna")
    qtbot.keyClicks(win.login.pin, "1111")
    qtbot.keyClick(win.login.pin, Qt.Key.Key_Return)
    yield win
    win.close()
    runner.shutdown()


def test_new_line_with_a_gold_number(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    qtbot.keyClicks(win.customers.search, "C00000006", delay=TYPING_MS)
    qtbot.waitUntil(lambda: win.customers.results.rowCount() == 1, timeout=3000)
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    qtbot.keyClick(win.customers, Qt.Key.Key_F4)
    assert win.pages.currentWidget() is win.sell
    qtbot.keyClicks(win.sell.code, "PLAN-PRE", delay=TYPING_MS)
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    qtbot.keyClicks(win.sell.code, ICCID)  # a scanner burst
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    assert win.sell.lines.item(0, 1).text().startswith("number: next free")
    win.sell.select_line(0)
    qtbot.keyClick(win.sell, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    picker = win.sell.number_dialog
    assert picker is not None and picker.isVisible()
    qtbot.keyClicks(picker.pattern, "3000000", delay=TYPING_MS)
    qtbot.waitUntil(lambda: picker.list.count() == 1 and "gold" in picker.list.item(0).text(),
                    timeout=3000)  # fmt: skip
    qtbot.keyClick(picker.pattern, Qt.Key.Key_Down)
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not picker.isVisible(), timeout=3000)
    skus = [line.sku for line in win.sell._basket.lines]  # type: ignore[union-attr]
    assert skus == ["PLAN-PRE", "SIM-STD", "NUM-GOLD"]
    assert win.sell.lines.item(0, 1).text() == "+4915203000000"
    # a bad pattern is explained at the field
    win.sell.select_line(0)
    win.sell.choose_number()
    picker = win.sell.number_dialog
    qtbot.keyClicks(picker.pattern, "12ab", delay=TYPING_MS)
    qtbot.waitUntil(lambda: bool(picker.errors.text("pattern")), timeout=3000)
    picker.reject()

    assert win.sell.pay_cash_button.isEnabled(), win.sell.problems.text()
    qtbot.mouseClick(win.sell.pay_cash_button, Qt.MouseButton.LeftButton)
    cash = win.sell.cash_dialog
    assert cash is not None
    cash.given.clear()
    qtbot.keyClicks(cash.given, "100", delay=TYPING_MS)
    qtbot.mouseClick(cash.cash_button,
                     Qt.MouseButton.LeftButton)  # fmt: skip
    assert not cash.isVisible()
    win.sell.last_receipt_dialog.close()  # type: ignore[union-attr]

    cid = demo_services.customers.search("C00000006")[0].id
    profile = demo_services.customers.profile(cid)
    assert "+4915203000000" in [s.msisdn for s in profile.subscriptions]
    assert profile.timeline[0].kind in ("sale", "new_line")
    assert any(e.kind == "new_line" for e in profile.timeline[:3])


def test_top_up_a_prepaid_number_at_the_counter(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    # A prepaid line to top up: sold through the service first.
    anna = demo_services.auth.login("anna", "1111")
    sales = demo_services.sales
    cid = demo_services.customers.search("C00000009")[0].id
    basket = sales.start(customer_id=cid, user=anna)
    basket = sales.add_code(basket.order_id, "PLAN-PRE", user=anna)
    basket = sales.add_code(basket.order_id, demo_iccid(1, 22), user=anna)
    sales.choose_number(basket.order_id, basket.lines[0].id, "+4915203000040", user=anna)
    sales.pay_cash(basket.order_id, "20", user=anna)

    win = window
    win.go(1)
    qtbot.keyClicks(win.sell.code, "TOPUP-15", delay=TYPING_MS)
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    assert "number to top up" in win.sell.lines.item(0, 1).text()
    win.sell.select_line(0)
    qtbot.keyClick(win.sell, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = win.sell.number_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.number, "+49 151 00000009", delay=TYPING_MS)  # a postpaid line
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert dialog.isVisible() and "postpaid" in dialog.errors.text("msisdn")
    dialog.number.clear()
    qtbot.keyClicks(dialog.number, "0152 03000040", delay=TYPING_MS)
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert win.sell.lines.item(0, 1).text() == "+4915203000040"
    qtbot.mouseClick(win.sell.pay_cash_button, Qt.MouseButton.LeftButton)
    cash = win.sell.cash_dialog
    assert cash is not None
    cash.given.clear()
    qtbot.keyClicks(cash.given, "20", delay=TYPING_MS)
    qtbot.mouseClick(cash.cash_button,
                     Qt.MouseButton.LeftButton)  # fmt: skip
    assert not cash.isVisible()
    timeline = demo_services.customers.profile(cid).timeline
    assert timeline[0].kind == "topup" and "+4915203000040" in timeline[0].summary


def test_hold_a_basket_serve_someone_else_and_recall_it(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    qtbot.keyClicks(win.customers.search, "C00000010", delay=TYPING_MS)
    qtbot.waitUntil(lambda: win.customers.results.rowCount() == 1, timeout=3000)
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    qtbot.keyClick(win.customers, Qt.Key.Key_F4)
    qtbot.keyClicks(win.sell.code, demo_iccid(1, 23))
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    first = win.sell._basket
    assert first is not None and len(first.lines) == 1
    qtbot.keyClick(win.sell, Qt.Key.Key_F7)
    assert win.sell._basket is None and win.sell.lines.rowCount() == 0
    # A walk-in customer meanwhile
    qtbot.keyClicks(win.sell.code, demo_iccid(1, 24))
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    second = win.sell._basket
    assert second is not None and second.order_id != first.order_id
    qtbot.keyClick(win.sell, Qt.Key.Key_F7, Qt.KeyboardModifier.ShiftModifier)
    dialog = win.sell.recall_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.list.count() == 1 and first.number in dialog.list.item(0).text()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert win.sell._basket is not None and win.sell._basket.order_id == first.order_id
    assert [b.order_id for b in demo_services.sales.held()] == [second.order_id]
