"""The Settings / Devices area: every setting's key and source shown whole."""

from __future__ import annotations

from logged_in_window import logged_in
from pytestqt.qtbot import QtBot

from app.bootstrap import Services


def test_setting_keys_and_sources_are_not_cut(qtbot: QtBot, demo_services: Services) -> None:
    win = logged_in(qtbot, demo_services, "ivan", "4444")
    win.show_area(7)
    table = win.settings_screen.table
    metrics = table.fontMetrics()
    keys = [table.item(row, 0).text() for row in range(table.rowCount())]
    sources = [table.item(row, 2).text() for row in range(table.rowCount())]
    assert "central.password" in keys and "printer.width_mm" in keys
    assert table.columnWidth(0) >= max(metrics.horizontalAdvance(k) for k in keys)
    assert table.columnWidth(2) >= max(metrics.horizontalAdvance(s) for s in sources)
