"""The Stock area beyond tests/ui/test_stock_area.py: filtering, Enter for a line's units,
reorder levels from the selected row, a transfer in, and what a consultant may do."""

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
from ui.screens.stock_dialogs import LevelDialog, ReceiveDialog, TransferDialog

TYPING_MS = 5
PERSON_MS = 60  # slower than a scanner (ui.scanner), so Enter is not taken for a scan


def _window(qtbot: QtBot, services: Services, user: str, pin: str) -> MainWindow:
    win = logged_in(qtbot, services, user, pin)
    win.activateWindow()  # Ctrl+7 is a window shortcut: the window must be the active one
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    qtbot.keyClick(win, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert win.pages.currentWidget() is win.stock
    qtbot.waitUntil(lambda: win.stock.levels.rowCount() > 0, timeout=3000)
    return win


@pytest.fixture
def manager(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    win = _window(qtbot, demo_services, "maria", "3333")
    yield win
    win.close()


def _skus(win: MainWindow) -> list[str]:
    table = win.stock.levels
    return [table.item(row, 0).text() for row in range(table.rowCount())]


def _cells(table: object, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]  # type: ignore[attr-defined]


def test_filter_and_enter_shows_the_units(qtbot: QtBot, manager: MainWindow) -> None:
    stock = manager.stock
    assert len(_skus(manager)) == 8
    assert not stock.banner.isVisible()  # nothing in the demo store is low
    qtbot.keyClicks(stock.filter, "charger", delay=TYPING_MS)
    assert _skus(manager) == ["ACC-CHG"]
    stock.filter.clear()
    qtbot.keyClicks(stock.filter, "sim-std", delay=PERSON_MS)
    assert _skus(manager) == ["SIM-STD"]

    stock.levels.setFocus()
    stock.levels.selectRow(0)
    qtbot.keyClick(stock.levels, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: stock.units.rowCount() == 160, timeout=3000)
    assert stock.tabs.currentWidget() is stock.units
    rows = {_cells(stock.units, r)[0]: _cells(stock.units, r) for r in range(160)}
    assert rows[demo_iccid(1, 7)] == [demo_iccid(1, 7), "SIM-STD", "in stock", "262010000000007"]

    stock.filter.clear()
    stock.select_sku("ACC-CASE")
    qtbot.keyClick(stock.levels, Qt.Key.Key_Return)
    assert "Counted by quantity" in stock.status.text()


def test_a_reorder_level_for_the_selected_row_raises_the_banner(
    qtbot: QtBot, manager: MainWindow
) -> None:
    stock = manager.stock
    stock.select_sku("DEV-PX8")  # 5 in stock
    qtbot.mouseClick(stock.buttons["reorder"], Qt.MouseButton.LeftButton)
    dialog = stock.dialog
    assert isinstance(dialog, LevelDialog) and dialog.objectName() == "reorder_dialog"
    qtbot.keyClicks(dialog.value, "lots", delay=TYPING_MS)
    dialog.confirm()
    assert "whole number up to 10000" in dialog.errors.text("level")
    assert dialog.isVisible()
    dialog.value.clear()
    qtbot.keyClicks(dialog.value, "5", delay=TYPING_MS)
    dialog.confirm()
    qtbot.waitUntil(lambda: stock.banner.isVisible(), timeout=3000)
    assert stock.banner.text() == "1 item low on stock: Pixel 8"
    row = _skus(manager).index("DEV-PX8")
    assert stock.levels.item(row, 0).toolTip() == "Low on stock"
    assert stock.levels.item(row, 7).text() == "5"


def test_a_transfer_from_another_store_is_received(
    qtbot: QtBot, manager: MainWindow, tmp_path: Path
) -> None:
    stock = manager.stock
    case_before = int(_cells(stock.levels, _skus(manager).index("ACC-CASE"))[3])
    transfer = tmp_path / "TRF-S002-0001.csv"
    transfer.write_text("sku,serial,imsi,quantity\nACC-CASE,,,3\n", encoding="utf-8")
    qtbot.keyClick(stock, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dialog = stock.dialog
    assert isinstance(dialog, ReceiveDialog)
    dialog.path.setText(str(transfer))
    qtbot.keyClicks(dialog.reference, "TRF-S002-0001", delay=TYPING_MS)
    qtbot.keyClicks(dialog.from_store, "s002", delay=TYPING_MS)
    dialog.confirm()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: stock.moves.item(0, 1).text() == "transfer in", timeout=3000)
    assert _cells(stock.moves, 0)[2:5] == ["ACC-CASE", "", "+3"]
    assert _cells(stock.moves, 0)[7] == "TRF-S002-0001"
    row = _skus(manager).index("ACC-CASE")
    assert int(_cells(stock.levels, row)[3]) == case_before + 3


def test_a_consultant_receives_but_cannot_send(
    qtbot: QtBot, demo_services: Services, tmp_path: Path
) -> None:
    win = _window(qtbot, demo_services, "anna", "1111")
    stock = win.stock
    try:
        delivery = tmp_path / "delivery.csv"
        delivery.write_text("sku,serial,imsi,quantity\nACC-GLASS,,,2\n", encoding="utf-8")
        stock.receive()
        receive = stock.dialog
        assert isinstance(receive, ReceiveDialog)
        receive.path.setText(str(delivery))
        qtbot.keyClicks(receive.reference, "DN-5", delay=TYPING_MS)
        receive.confirm()
        qtbot.waitUntil(lambda: not receive.isVisible(), timeout=3000)
        assert "0 SIM cards, 0 devices, 2 accessories" in stock.status.text()

        stock.transfer()
        send = stock.dialog
        assert isinstance(send, TransferDialog)
        qtbot.keyClicks(send.store, "S002", delay=TYPING_MS)
        qtbot.keyClicks(send.serials, demo_iccid(1, 3))
        send.confirm()
        assert "Only a manager may send stock to another store." in send.general.text()
        assert send.isVisible() and not send.save_button.isVisible()
        send.reject()
    finally:
        win.close()


def test_a_scan_on_the_stock_screen_finds_the_unit_and_stays(
    qtbot: QtBot, manager: MainWindow, demo_services: Services
) -> None:
    stock = manager.stock
    phone = demo_imei("35328115", 3)
    stock.filter.setFocus()
    qtbot.keyClicks(stock.filter, phone)  # a scanner's burst
    qtbot.keyClick(stock.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: phone in stock.status.text(), timeout=3000)
    assert manager.pages.currentWidget() is stock
    assert stock.filter.text() == ""
    assert stock.tabs.currentWidget() is stock.units
    assert _cells(stock.units, 0)[:3] == [phone, "DEV-A15", "in stock"]
    assert stock.selected() is not None and stock.selected().sku == "DEV-A15"  # type: ignore[union-attr]
    assert stock.status.text() == f"{phone}: DEV-A15, in stock."
    unit = next(u for u in demo_services.stock.units("DEV-A15") if u.serial == phone)
    assert unit.status == "in_stock"  # nothing was reserved: no basket was opened

    unknown = demo_imei("35999999", 1)
    stock.filter.setFocus()
    qtbot.keyClicks(stock.filter, unknown)
    qtbot.keyClick(stock.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: unknown in stock.status.text(), timeout=3000)
    assert "not a SIM or device of any store known here" in stock.status.text()
    assert manager.pages.currentWidget() is stock

    stock.filter.setFocus()
    qtbot.keyClicks(stock.filter, "ACC-CHG")  # an item's code scanned: it filters
    qtbot.keyClick(stock.filter, Qt.Key.Key_Return)
    assert stock.filter.text() == "ACC-CHG"
    assert _skus(manager) == ["ACC-CHG"]
