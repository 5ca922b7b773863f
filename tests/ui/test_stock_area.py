"""The Stock area driven like a shop manager: receive, send, adjust, count, low stock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from logged_in_window import logged_in
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bootstrap import Services
from app.demo.seed import demo_iccid, demo_imei
from ui.main_window import MainWindow
from ui.screens.stock_dialogs import AdjustDialog, LevelDialog, ReceiveDialog, TransferDialog

TYPING_MS = 5
STOCK_AREA = 6


def _window(qtbot: QtBot, services: Services, user: str, pin: str) -> MainWindow:
    win = logged_in(qtbot, services, user, pin)
    win.go(STOCK_AREA)
    assert win.pages.currentWidget() is win.stock
    qtbot.waitUntil(lambda: win.stock.levels.rowCount() > 0, timeout=3000)
    return win


@pytest.fixture
def manager(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    win = _window(qtbot, demo_services, "maria", "3333")
    yield win
    win.close()


def _row(win: MainWindow, sku: str) -> list[str]:
    table = win.stock.levels
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == sku:
            return [table.item(row, c).text() for c in range(table.columnCount())]
    raise AssertionError(sku)


def _back(qtbot: QtBot, win: MainWindow) -> None:
    """After a dialog closes, the main window is the active one again (as on a desktop)."""
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)


def _ok(dialog: object) -> None:
    dialog.confirm()  # type: ignore[attr-defined]


def test_receive_a_delivery_and_refuse_a_bad_one(
    qtbot: QtBot, manager: MainWindow, tmp_path: Path
) -> None:
    win = manager
    glass_before = int(_row(win, "ACC-GLASS")[3])
    good = tmp_path / "good.csv"
    good.write_text(
        "sku,serial,imsi,quantity\n"
        f"SIM-STD,{demo_iccid(6, 1)},262016000000001,\n"
        f"DEV-A15,{demo_imei('35328115', 801)},,\n"
        "ACC-GLASS,,,6\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(f"sku,serial,imsi,quantity\nDEV-A15,{demo_imei('35407115', 802)},,\n")
    qtbot.keyClick(win.stock, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dialog = win.stock.dialog
    assert isinstance(dialog, ReceiveDialog) and dialog.isVisible()
    dialog.path.setText(str(bad))
    qtbot.keyClicks(dialog.reference, "DN-77", delay=TYPING_MS)
    _ok(dialog)
    problem = dialog.errors.text("file")
    assert "line 2: IMEI" in problem and "nothing was received" in problem
    assert dialog.isVisible()
    dialog.path.setText(str(good))
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: int(_row(win, "ACC-GLASS")[3]) == glass_before + 6, timeout=3000)
    assert "1 SIM cards, 1 devices, 6 accessories" in win.stock.status.text()
    assert win.stock.moves.item(0, 7).text() == "DN-77"


def test_send_adjust_count_and_low_stock(qtbot: QtBot, manager: MainWindow, tmp_path: Path) -> None:
    win = manager
    sim = demo_iccid(1, 91)  # a physical SIM (every fifth demo SIM is an eSIM)
    qtbot.keyClick(win.stock, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    send = win.stock.dialog
    assert isinstance(send, TransferDialog)
    qtbot.keyClicks(send.store, "S002", delay=TYPING_MS)
    send.serials.setFocus()
    qtbot.keyClicks(send.serials, sim)  # scanner burst
    send.quantities.setPlainText("ACC-CASE two")
    _ok(send)
    assert "not a whole number" in send.errors.text("quantity")
    send.quantities.setPlainText("ACC-CASE 2")
    _ok(send)
    qtbot.waitUntil(lambda: send.save_button.isVisible(), timeout=3000)
    assert "to S002: 1 units, 2 pieces" in send.sent.text()
    send.save_file(str(tmp_path / "transfer.csv"))
    assert f"SIM-STD,{sim},262010000000091," in (tmp_path / "transfer.csv").read_text(
        encoding="utf-8"
    )
    assert "Saved to" in send.sent.text()
    send.reject()
    qtbot.waitUntil(lambda: win.stock.moves.item(0, 1).text() == "transfer out", timeout=3000)
    _back(qtbot, win)

    qtbot.keyClick(win.stock, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    adjust = win.stock.dialog
    assert isinstance(adjust, AdjustDialog)
    qtbot.keyClicks(adjust.serial, demo_imei("35328115", 1), delay=TYPING_MS)
    adjust.reason.setCurrentIndex(adjust.reason.findData("damaged"))
    qtbot.keyClicks(adjust.note, "dropped at the counter", delay=TYPING_MS)
    _ok(adjust)
    qtbot.waitUntil(lambda: _row(win, "DEV-A15")[6] == "1", timeout=3000)
    _back(qtbot, win)

    win.stock.select_sku("ACC-CHG")
    qtbot.keyClick(win.stock, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    count = win.stock.dialog
    assert isinstance(count, LevelDialog)
    qtbot.keyClicks(count.value, "2", delay=TYPING_MS)
    _ok(count)
    assert "Say what happened" in count.errors.text("note")
    qtbot.keyClicks(count.note, "monthly count", delay=TYPING_MS)
    _ok(count)
    qtbot.waitUntil(lambda: win.stock.banner.isVisible(), timeout=3000)
    assert "USB-C charger 25 W" in win.stock.banner.text()
    assert _row(win, "ACC-CHG")[3] == "2"


def test_a_consultant_can_receive_but_not_adjust(qtbot: QtBot, demo_services: Services) -> None:
    win = _window(qtbot, demo_services, "anna", "1111")
    try:
        win.stock.adjust()
        adjust = win.stock.dialog
        assert isinstance(adjust, AdjustDialog)
        adjust.serial.setText(demo_imei("35328115", 2))
        adjust.note.setText("scratched")
        _ok(adjust)
        assert "Only a manager may adjust stock" in adjust.general.text()
        assert adjust.isVisible()
    finally:
        win.close()
