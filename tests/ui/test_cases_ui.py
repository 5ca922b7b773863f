"""Cases in the UI: a consultant hands a refund and a device replacement on to the second
line; a second-line agent works both through their workflows on the board to resolution."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from logged_in_window import logged_in
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_imei
from domain.cases.sla import SlaState
from domain.returns import Condition
from ui.main_window import MainWindow
from ui.screens.case_board import SLA_COLOURS
from ui.screens.case_detail import CaseDetailDialog
from ui.screens.case_new import NewCaseDialog
from ui.screens.returns import ReturnDialog

TYPING_MS = 2
IP15 = demo_imei("35407115", 5)
CASES = 3  # the Cases area, Ctrl+4


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


def _switch_user(qtbot: QtBot, win: MainWindow, username: str, pin: str) -> None:
    win.lock()  # Ctrl+L
    assert win.user is None
    edit = win.login.username.lineEdit()
    edit.clear()
    qtbot.keyClicks(edit, username)
    qtbot.keyClicks(win.login.pin, pin)
    qtbot.keyClick(win.login.pin, Qt.Key.Key_Return)
    assert win.user is not None and win.user.username == username
    _in_front(qtbot, win)


def _hand_on_refund(qtbot: QtBot, win: MainWindow, services: Services) -> None:
    """The consultant's side: a return above the refund limit, no manager at hand."""
    receipt = _sale(services, IP15)
    win.go(1)
    qtbot.keyClick(win.sell, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = win.sell.return_dialog
    assert isinstance(dialog, ReturnDialog)
    qtbot.keyClicks(dialog.receipt, receipt)
    qtbot.keyClick(dialog.receipt, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.lines.rowCount() > 0, timeout=3000)
    dialog.set_quantity(0, 1, Condition.OPENED)
    qtbot.keyClicks(dialog.reason, "screen too small", delay=TYPING_MS)
    qtbot.mouseClick(dialog.refund_button, Qt.MouseButton.LeftButton)
    assert dialog.approval_dialog is not None
    dialog.approval_dialog.reject()
    qtbot.mouseClick(dialog.hand_on_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "handed on to the second line" in dialog.done_label.text(), timeout=3000
    )
    dialog.accept()


def _open_from_board(qtbot: QtBot, win: MainWindow, status: str, number: str) -> CaseDetailDialog:
    """Find the case's card in its column with the keyboard and open it with Enter."""
    board = win.cases.board
    column = board.columns[board.statuses.index(status)]
    board.focus_column(board.statuses.index(status))
    ids = board.card_ids(status)
    wanted = next(i for i, cid in enumerate(ids) if win.services.cases.find(number).id == cid)  # type: ignore[union-attr]
    column.setCurrentRow(0)
    for _ in range(wanted):
        qtbot.keyClick(column, Qt.Key.Key_Down)
    qtbot.keyClick(column, Qt.Key.Key_Return)
    dialog = win.cases.detail_dialog
    assert isinstance(dialog, CaseDetailDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=3000)
    _in_front(qtbot, dialog)
    return dialog


def _in_front(qtbot: QtBot, widget: QWidget) -> None:
    """Keys go to the window in front (its shortcuts work only then)."""
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=3000)


def _step(qtbot: QtBot, dialog: CaseDetailDialog, target: str, status_label: str) -> None:
    button = dialog.step_buttons[target]
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.detail is not None and dialog.detail.card.status_label == status_label,
        timeout=3000,
    )


def _png(path: Path) -> Path:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#c03030"))
    assert image.save(str(path), "PNG")
    return path


def test_a_refund_handed_on_at_the_counter_is_approved_and_paid_by_the_second_line(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    _hand_on_refund(qtbot, win, demo_services)
    number = demo_services.cases.board().cards[0].number

    # The consultant sees it on the board, but may not work it.
    win.go(CASES)
    qtbot.waitUntil(lambda: bool(win.cases.board.columns), timeout=3000)
    dialog = _open_from_board(qtbot, win, "new", number)
    assert "Refund approval: New" in dialog.title.text()
    assert not dialog.step_buttons["in_review"].isEnabled()
    assert "only: second line" in dialog.step_buttons["in_review"].toolTip().lower()
    dialog.accept()

    # The second line: their queue, take it, review it, approve it.
    _switch_user(qtbot, win, "boris", "2222")
    win.go(CASES)
    qtbot.keyClick(win.cases, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)  # my cases
    qtbot.waitUntil(lambda: "No case matches" in win.cases.count.text(), timeout=3000)
    win.cases.assignee.setCurrentIndex(0)  # anyone
    qtbot.waitUntil(lambda: number in win.cases.count.text() or bool(win.cases.board_data
                    and win.cases.board_data.total), timeout=3000)  # fmt: skip
    dialog = _open_from_board(qtbot, win, "new", number)
    qtbot.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.detail.card.assignee_name == "Boris Second Line", timeout=3000)  # type: ignore[union-attr]
    _step(qtbot, dialog, "in_review", "In review")
    # Approving needs the reason: the button says so, and the field is filled in with it.
    approve = dialog.step_buttons["refunded"]
    assert "fill in Why it is approved first" in approve.toolTip()
    qtbot.keyClicks(dialog.fields.editors["decision_note"], "opened, but within the window")
    _step(qtbot, dialog, "refunded", "Refunded")
    qtbot.waitUntil(lambda: "Refund 899.00 EUR" in dialog.message.text(), timeout=3000)
    history = [dialog.history.item(i).text() for i in range(dialog.history.count())]
    assert any("Refunded" in line for line in history)
    with demo_services.engine.connect() as conn:
        returned = conn.execute(select(m.ReturnRecord.status, m.ReturnRecord.approved_by)).one()
    assert returned.status == "completed" and returned.approved_by == win.user.id  # type: ignore[union-attr]
    dialog.accept()
    # Finished cases leave the board unless asked for.
    qtbot.waitUntil(lambda: number not in str(win.cases.board_data), timeout=3000)
    win.cases.closed.setChecked(True)
    qtbot.waitUntil(lambda: number in str(win.cases.board_data), timeout=3000)


def test_a_device_replacement_from_the_360_is_worked_to_resolution(
    qtbot: QtBot, window: MainWindow, demo_services: Services, tmp_path: Path
) -> None:
    win = window
    _sale(demo_services, IP15)
    # The consultant: the customer's 360, Devices tab, the phone, New case (Ctrl+Shift+N).
    customers = win.customers
    customers.open_customer(demo_services.customers.search("C00000007")[0].id)
    view = customers.view
    qtbot.waitUntil(lambda: view.devices.rowCount() == 1, timeout=3000)
    view.tabs.setCurrentWidget(view.devices)
    view.devices.selectRow(0)
    qtbot.keyClick(customers, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    new = win.cases.new_dialog
    assert isinstance(new, NewCaseDialog) and new.isVisible()
    assert new.type.currentData() == "equipment_replacement"
    assert new.fields.values()["imei"] == IP15
    # The required field is refused while empty, and named.
    qtbot.keyClicks(new.summary, "does not charge", delay=TYPING_MS)
    qtbot.keyClick(new, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "What is wrong" in new.message.text(), timeout=3000)
    qtbot.keyClicks(new.fields.editors["fault"], "no charge with two cables", delay=TYPING_MS)
    new.fields.set_value("condition", "opened")
    qtbot.keyClick(new, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.cases.detail_dialog is not None, timeout=3000)
    case = win.cases.detail_dialog
    assert case is not None
    qtbot.waitUntil(lambda: case.detail is not None, timeout=3000)
    detail = case.detail
    assert detail is not None
    number = detail.card.number
    kinds = {link.kind.value for link in detail.links}
    assert {"customer", "device", "order"} <= kinds
    # A photo of the phone; a program calling itself a photo is refused.
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    case.attach(fake)
    qtbot.waitUntil(lambda: case.message.isVisible(), timeout=3000)
    assert case.attachments.count() == 0
    case.attach(_png(tmp_path / "back-of-phone.png"))
    qtbot.waitUntil(lambda: case.attachments.count() == 1, timeout=3000)
    case.comment.setPlainText("Customer waits for a call.")
    qtbot.keyClick(case.comment, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: case.comments.count() == 1, timeout=3000)
    case.accept()
    # The 360 lists the open case; Enter on it opens it again.
    qtbot.waitUntil(lambda: number in view.cases.item(0).text(), timeout=3000)

    # The second line works it in the list view, filtered to the type.
    _switch_user(qtbot, win, "boris", "2222")
    win.go(CASES)
    screen = win.cases
    qtbot.waitUntil(lambda: screen.type.count() > 1, timeout=3000)
    screen.type.setCurrentIndex(screen.type.findData("equipment_replacement"))
    qtbot.keyClick(screen, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)  # the list
    assert screen.views.currentWidget() is screen.list
    qtbot.waitUntil(lambda: screen.list.rowCount() == 1, timeout=3000)
    assert screen.list.item(0, 0).text() == number
    screen.list.setFocus()
    qtbot.keyClick(screen.list, Qt.Key.Key_Return)
    dialog = screen.detail_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.detail is not None and dialog.detail.card.number == number,
                    timeout=3000)  # fmt: skip
    _step(qtbot, dialog, "inspecting", "Inspecting the device")
    _step(qtbot, dialog, "waiting_stock", "Waiting for the replacement")
    # "Replaced" without the new IMEI is refused with the field named; nothing changes.
    qtbot.mouseClick(dialog.step_buttons["replaced"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "IMEI of the replacement" in dialog.message.text(), timeout=3000)
    assert dialog.detail is not None and dialog.detail.card.status == "waiting_stock"
    qtbot.keyClicks(dialog.fields.editors["replacement_imei"], demo_imei("35407115", 9))
    qtbot.keyClicks(dialog.note, "swapped at the counter", delay=TYPING_MS)
    _step(qtbot, dialog, "replaced", "Replaced")
    assert dialog.detail is not None and not dialog.detail.card.is_open
    assert dialog.reopen_button.isVisible()
    # F9: the customer's 360, one key away.
    qtbot.keyClick(dialog, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: win.pages.currentWidget() is win.customers, timeout=3000)
    qtbot.waitUntil(lambda: "C00000007" in view.header.text(), timeout=3000)
    with demo_services.engine.connect() as conn:
        row = conn.execute(
            select(m.CaseRecord.status, m.CaseRecord.fields).where(m.CaseRecord.number == number)
        ).one()
        photos = conn.execute(select(m.CaseAttachmentRecord.media_type)).scalars().all()
    assert row.status == "replaced" and row.fields["replacement_imei"].startswith("35407115")
    assert photos == ["image/png"]


def test_a_change_made_elsewhere_meanwhile_is_not_overwritten(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    _hand_on_refund(qtbot, win, demo_services)
    _switch_user(qtbot, win, "boris", "2222")
    card = demo_services.cases.board().cards[0]
    win.go(CASES)
    dialog = win.cases.open_case(card.id)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=3000)
    # A colleague at another counter takes a step first.
    maria = demo_services.auth.login("maria", "3333")
    demo_services.cases.transition(card.id, "in_review", user=maria)
    dialog.comment.setPlainText("I'll call the customer.")
    qtbot.mouseClick(dialog.comment_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "reloaded" in dialog.message.text(), timeout=3000)
    qtbot.waitUntil(lambda: dialog.detail.card.status_label == "In review", timeout=3000)  # type: ignore[union-attr]
    assert dialog.comments.count() == 0  # nothing was written over the colleague's change
    assert dialog.comment.toPlainText() == "I'll call the customer."  # and nothing typed lost


def test_board_keys_filters_and_overdue_colours(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    anna = win.user
    assert anna is not None
    made = [
        demo_services.cases.create(
            "complaint",
            summary=f"complaint {i}",
            user=anna,
            values={"subject": "network", "description": "no signal at home"},
        )
        for i in range(3)
    ]
    maria = demo_services.auth.login("maria", "3333")
    demo_services.cases.transition(made[0].detail.card.id, "investigating", user=maria)
    win.go(CASES)
    screen, board = win.cases, win.cases.board
    qtbot.waitUntil(lambda: screen.count.text() == "3 cases", timeout=3000)
    assert board.statuses == ["new", "investigating"]  # the statuses cases are in
    assert len(board.card_ids("new")) == 2
    assert board.headers[1].text() == "<b>Investigating</b> (1)"
    # One type: its whole workflow, empty columns too (finished ones with "Finished too").
    screen.type.setCurrentIndex(screen.type.findData("complaint"))
    qtbot.waitUntil(lambda: "waiting_customer" in board.statuses, timeout=3000)
    assert "resolved" not in board.statuses
    screen.closed.setChecked(True)
    qtbot.waitUntil(lambda: "resolved" in board.statuses, timeout=3000)
    screen.closed.setChecked(False)
    board.focus_column(0)
    qtbot.keyClick(board.columns[0], Qt.Key.Key_Right)
    assert board.columns[1].hasFocus()
    qtbot.keyClick(board.columns[1], Qt.Key.Key_Left)
    assert board.columns[0].hasFocus()
    assert board.columns[0].item(0).background().style() == Qt.BrushStyle.NoBrush  # on time
    # A week later nobody has answered them: overdue, red, and the filter finds them.
    real = demo_services.cases._clock
    demo_services.cases._clock = lambda: real() + timedelta(days=7)
    screen.refresh()
    qtbot.waitUntil(lambda: screen.count.text() == "3 cases · 3 overdue", timeout=3000)
    red = SLA_COLOURS[SlaState.BREACHED][0]
    assert all(
        column.item(i).background().color().name() == red
        for column in board.columns
        for i in range(column.count())
    )
    assert board.columns[0].item(0).background().color().name() == red
    assert screen.list.item(0, 7).text().startswith("overdue since")
    screen.sla.setCurrentIndex(screen.sla.findText("On time"))
    qtbot.waitUntil(lambda: screen.count.text() == "No case matches.", timeout=3000)
    screen.sla.setCurrentIndex(screen.sla.findText("Overdue"))
    qtbot.waitUntil(lambda: screen.count.text() == "3 cases · 3 overdue", timeout=3000)
    qtbot.keyClick(screen, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(screen.text, "complaint 2")
    qtbot.waitUntil(lambda: screen.count.text().startswith("1 case"), timeout=3000)
    # One case window at a time: opening another closes (and frees) the last one.
    first = screen.open_case(made[1].detail.card.id)
    second = screen.open_case(made[2].detail.card.id)
    assert first is not None and second is not None
    qtbot.waitUntil(lambda: not first.isVisible(), timeout=3000)
    assert second.isVisible() and screen.detail_dialog is second
