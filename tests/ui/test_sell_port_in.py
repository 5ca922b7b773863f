"""A new line that keeps the customer's number: plan, SIM scan, port-in (Ctrl+I), cash."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from logged_in_window import logged_in
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import Services
from app.demo.seed import demo_iccid
from ui.main_window import MainWindow
from ui.screens.port_in import PortInDialog

TYPING_MS = 10


@pytest.fixture
def window(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    win = logged_in(qtbot, demo_services, "anna", "1111")
    yield win
    win.close()


def test_port_in_a_number_on_a_new_line(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    qtbot.keyClicks(win.customers.search, "C00000005", delay=TYPING_MS)
    qtbot.waitUntil(lambda: win.customers.results.rowCount() == 1, timeout=3000)
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    qtbot.keyClick(win.customers, Qt.Key.Key_F4)
    assert win.pages.currentWidget() is win.sell
    qtbot.keyClicks(win.sell.code, "PLAN-PRE", delay=TYPING_MS)
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    qtbot.keyClicks(win.sell.code, demo_iccid(1, 31))  # a scanner burst
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    assert "port in (Ctrl+I)" in win.sell.lines.item(0, 1).text()
    # Ctrl+I on a line that is not a plan explains what to select.
    win.sell.select_line(1)
    qtbot.keyClick(win.sell, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert "plan line" in win.sell.errors.text("code")
    win.sell.select_line(0)
    qtbot.keyClick(win.sell, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = win.sell.port_dialog
    assert isinstance(dialog, PortInDialog), win.sell.errors.text("code")
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.msisdn, "0176 99887766", delay=TYPING_MS)
    dialog.donor.setCurrentText("Telekom")
    qtbot.keyClicks(dialog.code, "x!", delay=TYPING_MS)
    dialog.confirm()
    assert dialog.isVisible() and "letters and digits" in dialog.errors.text("porting_code")
    dialog.code.clear()
    qtbot.keyClicks(dialog.code, "TK4711", delay=TYPING_MS)
    dialog.temporary.setChecked(True)
    dialog.confirm()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    cell = win.sell.lines.item(0, 1).text()
    assert "port-in +4917699887766 from Telekom" in cell and "temporary number first" in cell

    qtbot.mouseClick(win.sell.pay_cash_button, Qt.MouseButton.LeftButton)
    cash = win.sell.cash_dialog
    assert cash is not None
    cash.given.clear()
    qtbot.keyClicks(cash.given, "50", delay=TYPING_MS)
    qtbot.mouseClick(cash.cash_button,
                     Qt.MouseButton.LeftButton)  # fmt: skip
    assert not cash.isVisible()
    win.sell.last_receipt_dialog.close()  # type: ignore[union-attr]
    waiting = demo_services.handoffs.waiting()
    assert len(waiting) == 1 and "Port-in of +4917699887766 from Telekom" in waiting[0].summary
    cid = demo_services.customers.search("C00000005")[0].id
    profile = demo_services.customers.profile(cid)
    assert any("Port-in follow-up" in case.title for case in profile.cases)
    assert any(event.kind == "handoff" for event in profile.timeline[:4])
