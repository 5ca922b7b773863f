"""A bundle's phone line takes a scanned IMEI only of its own model (scanner input anywhere)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from logged_in_window import logged_in
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import Services
from app.demo.seed import demo_imei
from ui.main_window import MainWindow

A15 = demo_imei("35328115", 5)
IP15 = demo_imei("35407115", 5)


@pytest.fixture
def window(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    win = logged_in(qtbot, demo_services, "anna", "1111")
    yield win
    win.close()


def test_scan_fills_the_selected_phone_line(qtbot: QtBot, window: MainWindow) -> None:
    win = window
    qtbot.keyClicks(win.customers.search, "C00000012", delay=5)
    qtbot.waitUntil(lambda: win.customers.results.rowCount() == 1, timeout=3000)
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    qtbot.keyClick(win.customers, Qt.Key.Key_F4)
    qtbot.keyClicks(win.sell.code, "BUNDLE-A15-S24", delay=5)
    qtbot.keyClick(win.sell.code, Qt.Key.Key_Return)
    device_row = next(
        r for r in range(win.sell.lines.rowCount())
        if win.sell.lines.item(r, 1).text() == "scan IMEI"
    )  # fmt: skip
    win.sell.lines.clearSelection()
    win.sell.lines.selectRow(device_row)
    win.on_scan(IP15)  # the scanner, wherever the focus is
    assert f"IMEI {IP15} is a" in win.sell.errors.text("code")
    assert win.sell.lines.item(device_row, 1).text() == "scan IMEI"
    win.sell.lines.selectRow(device_row)
    win.on_scan(A15)
    qtbot.waitUntil(lambda: win.sell.lines.item(device_row, 1).text() == A15, timeout=3000)
    assert len(win.sell._basket.lines) == 2  # type: ignore[union-attr]  # filled, not added
