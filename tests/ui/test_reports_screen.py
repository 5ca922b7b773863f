"""The Reports area: the day's figures, tables and charts, the day and Z reports as PDF.

Set STOREDESK_SCREENSHOTS=DIR to save a picture of the screen as it is tested.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from logged_in_window import logged_in
from pypdf import PdfReader
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from app.bootstrap import Services
from app.demo.seed import demo_iccid
from ui.charts import BAR_COLOUR, BarChart
from ui.main_window import MainWindow

EXACT_FLOAT = {"20": "5", "10": "5", "5": "6", "2": "5", "1": "10"}  # the demo's 200.00


@pytest.fixture
def window(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    win = logged_in(qtbot, demo_services, "maria", "3333")
    win.activateWindow()  # Ctrl+6 and the screen's keys are window shortcuts
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    yield win
    win.close()


def _day_of_sales(services: Services) -> None:
    """Anna: a prepaid line for cash (19.98) and a phone case by card (14.99); Maria: a
    charger for cash (24.99)."""
    anna = services.auth.login("anna", "1111")
    maria = services.auth.login("maria", "3333")
    sales = services.sales
    customer = services.customers.search("C00000001")[0].id
    basket = sales.start(customer_id=customer, user=anna)
    sales.add_code(basket.order_id, "PLAN-PRE", user=anna)
    sales.add_code(basket.order_id, demo_iccid(1, 1), user=anna)
    sales.pay_cash(basket.order_id, "20", user=anna)
    basket = sales.start(customer_id=None, user=anna)
    sales.add_code(basket.order_id, "ACC-CASE", user=anna)
    paid = services.cards.pay(basket.order_id, "", user=anna)
    assert paid.message.startswith("Approved"), paid.message
    basket = sales.start(customer_id=None, user=maria)
    sales.add_code(basket.order_id, "ACC-CHG", user=maria)
    sales.pay_cash(basket.order_id, "30", user=maria)


def _rows(table: QTableWidget) -> list[list[str]]:
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def _text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _screenshot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("STOREDESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            QApplication.processEvents()
        widget.grab().save(str(Path(folder) / name))


def _bar_colour_at(chart: BarChart, index: int) -> QColor:
    QApplication.processEvents()  # the layout gives the chart room for its bars
    assert chart.height() >= chart.sizeHint().height()
    image = chart.grab().toImage()
    centre = chart.bar_rect(index).center().toPoint()
    ratio = image.devicePixelRatio()
    return QColor(image.pixel(QPoint(int(centre.x() * ratio), int(centre.y() * ratio))))


def test_the_day_on_screen_with_tables_and_charts(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    _day_of_sales(demo_services)
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    reports = window.reports
    assert window.pages.currentWidget() is reports
    qtbot.keyClick(reports, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: reports.summary is not None and reports.summary.orders == 3)
    figures = reports.figures.text()
    assert "3 completed sales" in figures and "59.96 EUR" in figures
    assert "average sale 19.99 EUR" in figures
    assert _rows(reports.tenders) == [["Card", "14.99 EUR"], ["Cash", "44.97 EUR"]]
    assert _rows(reports.consultants) == [
        ["Anna Consultant", "2", "34.97 EUR"],
        ["Maria Manager", "1", "24.99 EUR"],
    ]
    categories = {row[0]: row[1:] for row in _rows(reports.categories)}
    assert categories["Accessories"] == ["2", "39.98 EUR"]
    assert set(categories) >= {"Accessories", "Plans"}
    # The chart has a bar per tender, as long as its takings, drawn in the bar colour.
    chart = reports.tender_chart
    assert [(label, value) for label, value, _text in chart.bars] == [
        ("Card", 14.99),
        ("Cash", 44.97),
    ]
    card, cash = chart.bar_rect(0), chart.bar_rect(1)
    assert cash.width() > 0 and abs(card.width() / cash.width() - 14.99 / 44.97) < 0.01
    for index in (0, 1):
        assert _bar_colour_at(chart, index) == BAR_COLOUR
    assert "Cash: 44.97 EUR" in chart.accessibleDescription()
    assert reports.category_chart.bars[0][0] == "Accessories"  # the biggest first
    _screenshot(window, "reports.png")


def test_another_day_has_its_own_figures(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    _day_of_sales(demo_services)
    window.go(5)
    reports = window.reports
    qtbot.waitUntil(lambda: reports.summary is not None and reports.summary.orders == 3)
    yesterday = date.today() - timedelta(days=1)
    reports.day.setDate(QDate(yesterday.year, yesterday.month, yesterday.day))
    qtbot.waitUntil(lambda: reports.summary is not None and reports.summary.day == yesterday)
    assert reports.summary.orders == 0
    assert "0 completed sales" in reports.figures.text()
    assert reports.tenders.rowCount() == 0 and reports.tender_chart.bars == []
    assert reports.day.maximumDate() == QDate.currentDate()  # no figures from the future
    qtbot.mouseClick(
        next(b for b in reports.findChildren(type(reports.find_button)) if b.text() == "&Today"),
        Qt.MouseButton.LeftButton,
    )
    qtbot.waitUntil(lambda: reports.summary is not None and reports.summary.orders == 3)


def test_the_day_and_z_reports_are_saved_as_pdf(
    qtbot: QtBot, window: MainWindow, demo_services: Services, tmp_path: Path
) -> None:
    _day_of_sales(demo_services)
    window.go(5)
    reports = window.reports
    asked: list[str] = []

    def ask(_parent: QWidget, suggested: str) -> str:
        asked.append(suggested)
        return str(tmp_path / suggested)

    reports.ask_save = ask
    today = date.today().isoformat()
    qtbot.keyClick(reports, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    day_pdf = tmp_path / f"day-report-{today}.pdf"
    qtbot.waitUntil(day_pdf.exists, timeout=5000)
    assert "Day report saved to" in reports.status.text()
    text = _text(day_pdf)
    assert f"Day summary {today}" in text and "59.96 EUR" in text
    assert "Sales by category" in text and "Accessories" in text
    # No till was closed today yet: nothing is written, and the screen says why.
    qtbot.mouseClick(reports.z_pdf_button, Qt.MouseButton.LeftButton)
    assert f"No till session was closed on {today}" in reports.status.text()
    assert not (tmp_path / f"z-reports-{today}.pdf").exists()
    maria = demo_services.auth.login("maria", "3333")
    # 200.00 float + 19.98 + 24.99 in cash = 244.97 in the drawer
    counts = EXACT_FLOAT | {
        "20": "7",
        "1": "14",
        "0.50": "1",
        "0.20": "2",
        "0.05": "1",
        "0.02": "1",
    }
    closed = demo_services.till.close(counts, user=maria)
    assert closed.report.variance is not None and closed.report.variance.is_zero()
    qtbot.mouseClick(reports.z_pdf_button, Qt.MouseButton.LeftButton)
    z_pdf = tmp_path / f"z-reports-{today}.pdf"
    qtbot.waitUntil(z_pdf.exists, timeout=5000)
    assert f"Z report {closed.report.number}" in _text(z_pdf)
    assert asked == [f"day-report-{today}.pdf", f"z-reports-{today}.pdf", f"z-reports-{today}.pdf"]
