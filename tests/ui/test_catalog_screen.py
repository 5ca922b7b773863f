"""Catalog, plan comparison and the priced basket, driven through the real widgets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_imei
from ui.errors import ErrorRouter
from ui.main_window import MainWindow
from ui.ops import Runner
from ui.screens.catalog import CatalogScreen

TYPING_MS = 20
IPHONE_TAC = "35407115"


@pytest.fixture
def window(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    runner = Runner(inline=True)
    win = MainWindow(demo_services, runner, ErrorRouter(quiet=True))
    win.resize(1280, 760)
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
    qtbot.keyClicks(edit, username)
    qtbot.keyClicks(win.login.pin, pin)
    qtbot.keyClick(win.login.pin, Qt.Key.Key_Return)


def _codes(screen: CatalogScreen) -> list[str]:
    return [row.offering.code for row in screen.model.rows]


def _select(screen: CatalogScreen, codes: list[str]) -> None:
    selection = screen.table.selectionModel()
    selection.clearSelection()
    for row, code in enumerate(_codes(screen)):
        if code in codes:
            selection.select(
                screen.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )


def _shot(widget: object, name: str) -> None:
    """Keep a picture of the screen when STOREDESK_SCREENSHOTS names a folder."""
    folder = os.environ.get("STOREDESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / name))  # type: ignore[attr-defined]


def test_filter_as_you_type(qtbot: QtBot, window: MainWindow) -> None:
    log_in(qtbot, window, "anna", "1111")
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    screen = window.catalog
    assert window.pages.currentWidget() is screen
    assert window.focusWidget() is screen.text
    everything = len(screen.model.rows)
    assert everything > 20
    assert "PLAN-XL" not in _codes(screen)  # draft
    assert "PLAN-CLASSIC" not in _codes(screen)  # retired

    qtbot.keyClicks(screen.text, "iphone", delay=TYPING_MS)
    assert "DEV-IP15" in _codes(screen) and "DEV-A15" not in _codes(screen)
    row = _codes(screen).index("DEV-IP15")
    assert screen.model.index(row, 5).data() == "5"  # in stock here

    screen.text.clear()
    qtbot.keyClicks(screen.text, "case", delay=TYPING_MS)
    row = _codes(screen).index("ACC-CASE")
    assert screen.model.index(row, 5).data() == "25"  # accessories: the quantity on hand
    metrics = screen.table.fontMetrics()
    assert screen.table.columnWidth(1) > metrics.horizontalAdvance("BUNDLE-IP15-M24")

    screen.text.clear()
    screen.kind.setCurrentIndex(1)  # plans
    screen.data.setCurrentIndex(3)  # 30 GB or more
    assert set(_codes(screen)) == {"PLAN-M", "PLAN-L"}
    screen.min_price.setText("35")
    assert _codes(screen) == ["PLAN-L"]
    screen.max_price.setText("cheap")
    assert screen.message.isVisible() and "numbers" in screen.message.text()


def test_compare_plans_and_sell_the_chosen_one_with_promotions(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    log_in(qtbot, win, "anna", "1111")
    # The customer first: age and lines are checked against the offer rules.
    qtbot.keyClicks(win.customers.search, "C00000001")
    qtbot.waitUntil(lambda: win.customers.results.rowCount() == 1, timeout=3000)
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    qtbot.mouseClick(win.customers.sell_button, Qt.MouseButton.LeftButton)

    win.go(2)
    screen = win.catalog
    screen.kind.setCurrentIndex(1)
    _select(screen, ["PLAN-S", "PLAN-M", "PLAN-L"])
    win.activateWindow()
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = screen.compare_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.table.columnCount() == 3
    names = [dialog.table.horizontalHeaderItem(c).text() for c in range(3)]
    medium = names.index("Smart M 30 GB")
    assert dialog.table.item(0, medium).text() == "24.99"  # 24 months by default
    dialog.device.setCurrentIndex(dialog.device.findData("DEV-IP15"))
    dialog.instalments.setCurrentIndex(dialog.instalments.findData(24))
    assert dialog.table.item(7, medium).text() == "49.00"  # due now with the phone
    assert dialog.table.item(8, medium).text() == "46.25"  # 24.99 + 21.26 instalment
    _shot(dialog, "plan_compare.png")
    qtbot.mouseClick(dialog.choose_buttons[medium], Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    sell = win.sell
    assert win.pages.currentWidget() is sell
    assert sell.lines.item(0, 0).text() == "Smart M 30 GB"
    assert sell.lines.item(0, 2).text() == "24 months"
    assert sell.lines.item(1, 0).text() == "iPhone 15 128 GB"
    assert sell.lines.item(1, 1).text() == "scan IMEI"
    reasons = [sell.lines.item(r, 0).text().strip() for r in range(sell.lines.rowCount())]
    promotion_rows = [r for r in reasons if r not in ("Smart M 30 GB", "iPhone 15 128 GB")]
    assert promotion_rows, "the discount's reason is shown under the phone"

    qtbot.keyClicks(sell.code, demo_imei(IPHONE_TAC, 3))  # the scanner
    qtbot.keyClick(sell.code, Qt.Key.Key_Return)
    assert sell.lines.item(1, 1).text() == demo_imei(IPHONE_TAC, 3)
    assert "49.00 EUR" in sell.total.text() and "46.25 EUR / month" in sell.total.text()
    assert not sell.problems.isVisible() and sell.pay_cash_button.isEnabled()
    _shot(win, "basket_with_promotions.png")


def test_eligibility_problems_show_before_payment(qtbot: QtBot, window: MainWindow) -> None:
    log_in(qtbot, window, "anna", "1111")
    window.go(1)
    sell = window.sell
    qtbot.keyClicks(sell.code, "PLAN-M")  # a walk-in: age not checked
    qtbot.keyClick(sell.code, Qt.Key.Key_Return)
    assert sell.problems.isVisible() and "age" in sell.problems.text()
    assert not sell.pay_cash_button.isEnabled()
    qtbot.keyClick(sell, Qt.Key.Key_F9)
    assert sell.cash_dialog is None
    assert "problems" in sell.errors.text("code")


def test_manual_discount_above_the_limit_asks_a_manager(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    log_in(qtbot, window, "anna", "1111")
    window.go(1)
    sell = window.sell
    qtbot.keyClicks(sell.code, "ACC-CHG")
    qtbot.keyClick(sell.code, Qt.Key.Key_Return)
    sell.lines.selectRow(0)
    qtbot.mouseClick(sell.discount_button, Qt.MouseButton.LeftButton)
    dialog = sell.discount_dialog
    assert dialog is not None and dialog.isVisible()  # type: ignore[attr-defined]
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)  # type: ignore[attr-defined]
    qtbot.keyClicks(dialog.percent, "40")  # type: ignore[attr-defined]
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert "why" in dialog.errors.text("reason").lower()  # type: ignore[attr-defined]
    qtbot.keyClicks(dialog.reason, "Scratched display model")  # type: ignore[attr-defined]
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    approval = dialog.approval_dialog  # type: ignore[attr-defined]
    assert approval is not None and approval.isVisible()
    qtbot.keyClicks(approval.manager, "maria")
    qtbot.keyClicks(approval.pin, "3333")
    qtbot.keyClicks(approval.reason, "Display model")
    qtbot.mouseClick(
        approval.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert not dialog.isVisible()  # type: ignore[attr-defined]
    assert "14.99 EUR" in sell.total.text()  # 24.99 − 10.00
    assert sell.lines.item(1, 0).text().strip() == "Scratched display model"
    with demo_services.engine.connect() as conn:
        approval_row = conn.execute(select(m.Approval)).one()
    assert approval_row.action == "manual_discount"
