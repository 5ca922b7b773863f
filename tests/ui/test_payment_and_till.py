"""The payment dialog (cash, card on the simulated terminal, split) and the Till area."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from logged_in_window import logged_in
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.bootstrap import Services
from app.db import models as m
from ui.main_window import MainWindow
from ui.screens.till_dialogs import CountDialog, MovementDialog

TYPING_MS = 5
EXACT_FLOAT = {"20": "5", "10": "5", "5": "6", "2": "5", "1": "10"}  # the demo's 200.00


def _window(qtbot: QtBot, services: Services, user: str, pin: str) -> MainWindow:
    win = logged_in(qtbot, services, user, pin)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    return win


@pytest.fixture
def anna(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    win = _window(qtbot, demo_services, "anna", "1111")
    yield win
    win.close()


@pytest.fixture
def maria(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    win = _window(qtbot, demo_services, "maria", "3333")
    yield win
    win.close()


def _basket(qtbot: QtBot, win: MainWindow) -> None:
    """A walk-in customer buys a phone case: 14.99 EUR."""
    win.go(1)
    qtbot.keyClicks(win.sell.code, "ACC-CASE", delay=TYPING_MS)
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    assert "14.99 EUR" in win.sell.total.text()


def test_split_cash_and_card_with_the_terminal_texts(
    qtbot: QtBot, anna: MainWindow, demo_services: Services
) -> None:
    _basket(qtbot, anna)
    qtbot.keyClick(anna.sell, Qt.Key.Key_F9)
    dialog = anna.sell.cash_dialog
    assert dialog is not None and dialog.isVisible()
    texts: list[str] = []
    dialog._relay.text.connect(texts.append)
    dialog.given.clear()
    qtbot.keyClicks(dialog.given, "10", delay=TYPING_MS)
    qtbot.keyClick(dialog.given, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.due.text() == "4.99 EUR", timeout=3000)
    assert not dialog.change.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_F10)  # the rest by card
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=15000)
    qtbot.waitUntil(lambda: "Insert card" in texts, timeout=3000)  # relayed from its thread
    receipt = anna.sell.last_receipt_dialog
    assert receipt is not None
    text = receipt.preview.toPlainText()
    assert "476173******0010" in text and "10.00 EUR" in text and "4.99 EUR" in text
    with demo_services.engine.connect() as conn:
        tenders = conn.execute(select(m.Payment.tender).order_by(m.Payment.created_at)).all()
    assert [t for (t,) in tenders] == ["cash", "card"]


def test_a_declined_card_shows_why_and_the_basket_stays(
    qtbot: QtBot, anna: MainWindow, demo_services: Services
) -> None:
    _basket(qtbot, anna)
    demo_services.devices.card_terminal()  # start the simulator to script it
    simulator = demo_services.devices.card_simulator
    assert simulator is not None
    simulator.queue("decline:0x05")
    qtbot.keyClick(anna.sell, Qt.Key.Key_F9)
    dialog = anna.sell.cash_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    qtbot.keyClick(dialog.given, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: dialog.terminal.text().startswith("Declined"), timeout=15000)
    assert dialog.isVisible() and dialog.due.text() == "14.99 EUR"
    assert dialog.cash_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # safe: nothing was approved
    assert not dialog.isVisible()
    assert anna.sell.lines.rowCount() == 1  # the basket is as it was, and editable
    qtbot.keyClicks(anna.sell.code, "ACC-GLASS", delay=TYPING_MS)
    qtbot.keyClick(anna.sell.code, Qt.Key.Key_Return)
    assert anna.sell.lines.rowCount() == 2


def test_the_till_from_no_sale_to_close_and_open(
    qtbot: QtBot, anna: MainWindow, demo_services: Services
) -> None:
    qtbot.keyClick(anna, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    till = anna.till
    assert anna.pages.currentWidget() is till
    qtbot.waitUntil(lambda: "Till open" in till.state.text(), timeout=3000)
    assert "200.00 EUR" in till.report.text()
    assert "Paid out</td><td align=right>0.00 EUR" in till.report.text()  # not "−0.00"
    assert not till.buttons["till_open"].isEnabled()

    qtbot.keyClick(till, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    dialog = till.dialog
    assert isinstance(dialog, MovementDialog) and not dialog.amount.isVisible()
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "reason" in dialog.errors.text("reason")
    qtbot.keyClicks(dialog.reason, "customer needed change", delay=TYPING_MS)
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    assert "1 without a sale" in till.report.text()

    till.close_till()
    count = till.dialog
    assert isinstance(count, CountDialog)
    for name, pieces in {"20": "5", "10": "5"}.items():  # 150.00: 50.00 short
        qtbot.keyClicks(count.pieces[name], pieces, delay=TYPING_MS)
    assert count.total.text() == "Total: 150.00"
    qtbot.keyClicks(count.reason, "float not topped up", delay=TYPING_MS)
    count.buttons.accepted.emit()
    approval = till.approval  # 50.00 is above the limit: the manager types their PIN here
    assert approval.isVisible()
    qtbot.keyClicks(approval.manager, "maria", delay=TYPING_MS)
    qtbot.keyClicks(approval.pin, "3333", delay=TYPING_MS)
    qtbot.keyClicks(approval.reason, "counted twice", delay=TYPING_MS)
    approval.buttons.accepted.emit()
    qtbot.waitUntil(lambda: not count.isVisible(), timeout=3000)
    assert "Handed on to the second line" in till.status.text()
    assert "Z report" in till.report.text() and "-50.00 EUR" in till.report.text()
    qtbot.mouseClick(till.buttons["till_print_report"], Qt.MouseButton.LeftButton)
    assert till.status.text() == "Report TIL-DEMO-T01-000000 printed."
    [job] = demo_services.print_queue.for_reference("TIL-DEMO-T01-000000")
    assert job.kind == "till_report" and job.printed
    assert till.buttons["till_open"].isEnabled()

    till.open_till()
    opening = till.dialog
    assert isinstance(opening, CountDialog)
    qtbot.keyClicks(opening.pieces["50"], "x", delay=TYPING_MS)
    opening.buttons.accepted.emit()
    assert "whole number" in opening.general.text()
    opening.pieces["50"].clear()
    qtbot.keyClicks(opening.pieces["50"], "2", delay=TYPING_MS)
    opening.buttons.accepted.emit()
    assert not opening.isVisible() and "Till open" in till.state.text()
    assert "100.00 EUR" in till.report.text()


def test_unclear_card_payments_are_decided_by_the_manager(
    qtbot: QtBot, maria: MainWindow, demo_services: Services
) -> None:
    user = demo_services.auth.login("anna", "1111")
    customer = demo_services.customers.search("C00000001")[0].id
    basket = demo_services.sales.start(customer_id=customer, user=user)
    demo_services.sales.add_code(basket.order_id, "ACC-CASE", user=user)
    request = demo_services.sales.begin_card(basket.order_id, user=user)
    demo_services.sales.mark_unclear(request.intent_id, "cable pulled", user=user)
    till = maria.till
    till.refresh()
    assert till.unclear.count() == 1 and "cable pulled" in till.unclear.item(0).text()
    till.unclear.setCurrentRow(0)
    till.decide(charged=False)
    assert "journal" in till.status.text()  # say what the journal shows first
    qtbot.keyClicks(till.note, "not in the terminal journal", delay=TYPING_MS)
    till.decide(charged=False)
    assert till.unclear.count() == 0 and till.status.text() == "Decided."
