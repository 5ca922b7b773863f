"""The walking skeleton, driven through the real widgets like a consultant would.

Log in → find a demo customer → sell a prepaid plan and a SIM → pay cash → see the receipt. Then
the database must hold the completed order, its lines, the payment and the outbox rows.
Typing uses a 40 ms key delay (a person); the ICCID arrives as a fast burst ending in
Enter, which is what a keyboard-wedge scanner sends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid
from ui.errors import ErrorRouter
from ui.main_window import MainWindow
from ui.ops import Runner

TYPING_MS = 40
ICCID = demo_iccid(1, 7)


@pytest.fixture
def window(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    runner = Runner(inline=True)
    win = MainWindow(demo_services, runner, ErrorRouter(quiet=True))
    qtbot.addWidget(win)
    win.start()
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    runner.shutdown()


def log_in(qtbot: QtBot, win: MainWindow, username: str, pin: str) -> None:
    edit = win.login.username.lineEdit()
    edit.clear()
    qtbot.keyClicks(edit, username, delay=TYPING_MS)
    qtbot.keyClicks(win.login.pin, pin, delay=TYPING_MS)
    qtbot.keyClick(win.login.pin, Qt.Key.Key_Return)


def test_walking_skeleton_sale(qtbot: QtBot, window: MainWindow, demo_services: Services) -> None:
    win = window
    assert win.root.currentWidget() is win.login

    log_in(qtbot, win, "anna", "1111")
    assert win.user is not None and win.user.username == "anna"
    assert "Anna Consultant" in win.status.user.text()
    assert win.pages.currentWidget() is win.customers

    # Find the customer by typing, open the profile with Enter, start selling with F4.
    qtbot.keyClicks(win.customers.search, "C00000001", delay=TYPING_MS)
    qtbot.waitUntil(lambda: win.customers.results.rowCount() == 1, timeout=3000)
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    assert "C00000001" in win.customers.profile_title.text()
    qtbot.mouseClick(win.customers.sell_button, Qt.MouseButton.LeftButton)
    assert win.pages.currentWidget() is win.sell

    # Type the plan's SKU, then "scan" the SIM's ICCID.
    qtbot.keyClicks(win.sell.code, "PLAN-PRE", delay=TYPING_MS)
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    qtbot.keyClicks(win.sell.code, ICCID)  # a scanner: no delay between keys
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    assert win.sell.code.text() == ""
    assert win.sell.lines.rowCount() == 2
    assert win.sell.lines.item(1, 1).text() == ICCID
    assert "19.98 EUR" in win.sell.total.text()
    name = win.sell.customer.text()
    assert name.endswith("ORD-S001-T01-000001")

    # Pay cash in two parts: a bad amount is refused inline, 5.00 is kept as part of the
    # payment, then 15.00 covers the rest with 0.02 change.
    qtbot.keyClick(win.sell, Qt.Key.Key_F9)
    cash = win.sell.cash_dialog
    assert cash is not None and cash.isVisible()
    assert cash.due.text() == "19.98 EUR"
    cash.given.clear()
    qtbot.keyClicks(cash.given, "5,555", delay=TYPING_MS)
    qtbot.keyClick(cash.given, Qt.Key.Key_Return)
    assert cash.isVisible() and "two decimal places" in cash.errors.text("cash_given")
    cash.given.clear()
    qtbot.keyClicks(cash.given, "5", delay=TYPING_MS)
    qtbot.mouseClick(cash.cash_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cash.due.text() == "14.98 EUR", timeout=3000)
    assert cash.isVisible() and "cash: 5.00 EUR" in cash.tenders.text()
    assert cash.given.text() == "14.98"
    cash.given.clear()
    qtbot.keyClicks(cash.given, "15", delay=TYPING_MS)
    qtbot.keyClick(cash.given, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not cash.isVisible(), timeout=3000)

    receipt = win.sell.last_receipt_dialog
    assert receipt is not None and receipt.isVisible()
    text = receipt.preview.toPlainText()
    for expected in ("Prepaid Start", ICCID, "TOTAL", "19.98 EUR", "Change", "0.02 EUR"):
        assert expected in text
    assert receipt.print_state.text() == "Printed."
    assert win.sell.lines.rowCount() == 0  # ready for the next customer

    with demo_services.engine.connect() as conn:
        order = conn.execute(select(m.Order).where(m.Order.status == "completed")).one()
        lines = conn.execute(select(m.OrderLine).where(m.OrderLine.order_id == order.id)).all()
        payments = conn.execute(
            select(m.Payment).where(m.Payment.order_id == order.id).order_by(m.Payment.created_at)
        ).all()
        outbox = set(conn.execute(select(m.OutboxRow.entity)).scalars())
    assert [line.sku for line in lines] == ["PLAN-PRE", "SIM-STD"]
    assert [(p.tender, p.amount_minor, p.given_minor, p.change_minor) for p in payments] == [
        ("cash", 500, 500, 0), ("cash", 1498, 1500, 2),
    ]  # fmt: skip
    assert {"order", "order_line", "payment"} <= outbox

    # The simulated printer received real ESC/POS bytes for this receipt, and a drawer kick.
    printer = demo_services.devices.printer()
    receipt_job, drawer_job = printer.jobs  # type: ignore[attr-defined]
    assert receipt_job.startswith(b"\x1b@")  # ESC @: initialise
    assert b"\x1d(k" in receipt_job and order.receipt_number.encode() in receipt_job  # QR code
    assert receipt_job.endswith(b"\x1dV\x00")  # GS V: full cut
    assert drawer_job.startswith(b"\x1bp")  # ESC p: kick the cash drawer (cash sale)
    assert printer.drawer_kicks == 1  # type: ignore[attr-defined]


def test_wrong_pin_is_shown_next_to_the_field(qtbot: QtBot, window: MainWindow) -> None:
    log_in(qtbot, window, "anna", "0000")
    assert window.user is None
    assert "Wrong user name or PIN" in window.login.errors.text("pin")
    assert window.login.pin.text() == ""


def test_void_needs_a_manager_pin_and_reason(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    log_in(qtbot, win, "anna", "1111")
    win.go(1)
    qtbot.keyClicks(win.sell.code, "ACC-CASE", delay=TYPING_MS)
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    assert win.sell.lines.rowCount() == 1
    qtbot.mouseClick(win.sell.void_button, Qt.MouseButton.LeftButton)
    dialog = win.sell.approval_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.manager, "maria", delay=TYPING_MS)
    qtbot.keyClicks(dialog.pin, "3333", delay=TYPING_MS)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "reason" in dialog.errors.text("reason").lower()
    qtbot.keyClicks(dialog.pin, "3333", delay=TYPING_MS)
    qtbot.keyClicks(dialog.reason, "Customer left", delay=TYPING_MS)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert win.sell.lines.rowCount() == 0
    with demo_services.engine.connect() as conn:
        approval = conn.execute(select(m.Approval)).one()
        order = conn.execute(select(m.Order)).one()
    assert approval.reason == "Customer left" and order.status == "cancelled"


def test_keyboard_navigation_and_lock(qtbot: QtBot, window: MainWindow) -> None:
    log_in(qtbot, window, "maria", "3333")
    for index in range(7):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + index), Qt.KeyboardModifier.ControlModifier)
        assert window.pages.currentIndex() == index
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.user is None and window.root.currentWidget() is window.login


def test_a_scan_through_the_window_is_seen_once(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    """Real platforms deliver keys to the QWindow first; the scanner must count each once."""
    log_in(qtbot, window, "anna", "1111")
    window.go(1)
    window.sell.code.setFocus()
    handle = window.windowHandle()
    assert handle is not None
    for digit in ICCID:
        qtbot.keyClick(handle, Qt.Key(Qt.Key.Key_0 + int(digit)))
    qtbot.keyClick(handle, Qt.Key.Key_Return)
    assert window.sell.errors.text("code") == ""
    assert window.sell.lines.rowCount() == 1
    assert window.sell.lines.item(0, 1).text() == ICCID
    assert window.sell.code.text() == ""


def test_paper_out_does_not_undo_the_sale(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    from devices.errors import PaperOut
    from devices.printer.simulated import SimulatedPrinter

    printer = demo_services.devices.printer()
    assert isinstance(printer, SimulatedPrinter)
    printer.fail_next(PaperOut(printer.name, "is out of paper"))
    log_in(qtbot, window, "anna", "1111")
    window.go(1)
    qtbot.keyClicks(window.sell.code, "ACC-CASE", delay=TYPING_MS)
    qtbot.keyClick(window.sell.code, Qt.Key.Key_Return)
    qtbot.keyClick(window.sell, Qt.Key.Key_F9)
    cash = window.sell.cash_dialog
    assert cash is not None
    qtbot.mouseClick(cash.cash_button, Qt.MouseButton.LeftButton)
    receipt = window.sell.last_receipt_dialog
    assert receipt is not None and "14.99 EUR" in receipt.preview.toPlainText()
    assert receipt.print_state.text().startswith("Not printed: ")
    assert "is out of paper" in receipt.print_state.text()
    assert receipt.print_state.text().endswith("the sale is saved.")
    with demo_services.engine.connect() as conn:
        assert conn.execute(select(m.Order.status)).scalar_one() == "completed"
        assert conn.execute(select(m.Payment.amount_minor)).scalar_one() == 1499
        number = conn.execute(select(m.Order.receipt_number)).scalar_one()
    assert demo_services.devices.states()[0].state == "error"
    waiting = demo_services.print_queue.outstanding()
    assert [(job.reference, job.status) for job in waiting] == [(number, "failed")]
    receipt.close()
    # Paper is back: the manager prints what waits from the Till area.
    window.go(4)
    assert "1 receipt waiting to print" in window.till.printing.text()
    qtbot.mouseClick(window.till.print_again, Qt.MouseButton.LeftButton)
    assert window.till.status.text() == "Printed 1 receipt."
    assert demo_services.print_queue.outstanding() == []
    assert window.till.printing.text() == "Every receipt has printed."
