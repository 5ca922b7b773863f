"""Invoices in the app: issue and preview from the 360, save, print, find by number, return.

Set STOREDESK_SCREENSHOTS=DIR to save a picture of the preview as it is tested.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from logged_in_window import logged_in
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from reportlab.pdfgen.canvas import Canvas

from app.bootstrap import Services
from app.demo.seed import demo_iccid
from ui.main_window import MainWindow
from ui.ops import Runner
from ui.screens.customer360 import TABS
from ui.screens.invoice_find import FindInvoiceDialog
from ui.screens.invoice_preview import InvoicePreviewDialog
from ui.screens.returns import ReturnDialog

CUSTOMER = "C00000007"
TYPING_MS = 5
PERSON_MS = 40


@pytest.fixture
def window(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    win = logged_in(qtbot, demo_services, "anna", "1111")
    win.activateWindow()  # the screens' and dialogs' shortcuts work in the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    yield win
    win.close()


def _sale(services: Services, *codes: str) -> str:
    """A cash sale to the customer; its receipt number."""
    anna = services.auth.login("anna", "1111")
    cid = services.customers.search(CUSTOMER)[0].id
    basket = services.sales.start(customer_id=cid, user=anna)
    for code in codes:
        services.sales.add_code(basket.order_id, code, user=anna)
    return services.sales.pay_cash(basket.order_id, "500", user=anna).receipt_number


def _open_orders(qtbot: QtBot, win: MainWindow, receipt: str) -> int:
    """Open the customer's 360 from the search, on the Orders tab; the sale's row."""
    win.go(0)
    search = win.customers.search
    search.clear()
    qtbot.keyClicks(search, CUSTOMER, delay=TYPING_MS)
    qtbot.waitUntil(lambda: win.customers.results.rowCount() == 1, timeout=3000)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    view = win.customers.view
    qtbot.waitUntil(lambda: CUSTOMER in view.header.text(), timeout=3000)
    view.tabs.setCurrentIndex(TABS.index("Orders"))
    row = next(r for r in range(view.orders.rowCount()) if view.orders.item(r, 1).text() == receipt)
    view.orders.selectRow(row)
    return row


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _screenshot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("STOREDESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            QApplication.processEvents()
        widget.grab().save(str(Path(folder) / name))


def _shown(qtbot: QtBot, preview: InvoicePreviewDialog) -> None:
    """Wait for the first page, and for the dialog to be the active window (its keys)."""
    qtbot.waitUntil(lambda: preview.shown_image is not None, timeout=5000)
    preview.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is preview, timeout=3000)


def test_issue_from_the_360_shows_page_one_of_the_original(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    receipt = _sale(demo_services, "PLAN-S", demo_iccid(1, 61), "ACC-CHG")
    row = _open_orders(qtbot, window, receipt)
    actions = window.customers.order_actions
    view = window.customers.view
    assert view.orders.item(row, 2).text() == "—"  # no invoice yet
    assert not actions.invoice_button.isEnabled() and actions.issue_button.isEnabled()
    assert actions.return_button.isEnabled()
    qtbot.mouseClick(actions.issue_button, Qt.MouseButton.LeftButton)
    preview = actions.preview
    assert isinstance(preview, InvoicePreviewDialog) and preview.isVisible()
    _shown(qtbot, preview)
    (issued,) = demo_services.invoices.for_order(demo_services.invoices.find_order(receipt))
    assert preview.number == issued.number and not preview.copy
    assert preview.windowTitle() == issued.number  # the original, not "(copy)"
    assert preview.page_label.text() == "Page 1 of 1"
    assert not preview.next_button.isEnabled() and not preview.prev_button.isEnabled()
    image = preview.shown_image
    assert image is not None
    assert image.width() == 794 and abs(image.height() / image.width() - 297 / 210) < 0.01
    pixmap = preview.image.pixmap()
    assert not pixmap.isNull() and pixmap.width() == 794
    # A page with an invoice on it: dark text on white, not a blank sheet.
    dark = sum(
        1
        for y in range(0, image.height(), 7)
        for x in range(0, image.width(), 7)
        if QColor(image.pixel(x, y)).lightness() < 100
    )
    assert dark > 100  # a blank page has none; fonts differ a little between machines
    # The 360 now shows the invoice on the order, and offers it instead of issuing one.
    assert view.orders.item(row, 2).text() == issued.number
    view.orders.selectRow(row)
    assert actions.invoice_button.isEnabled() and not actions.issue_button.isEnabled()
    _screenshot(preview, "invoice_preview.png")


def test_the_invoice_right_after_the_sale(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    window.go(1)
    sell = window.sell
    qtbot.keyClicks(sell.code, "ACC-CASE", delay=TYPING_MS)
    qtbot.keyClick(sell.code, Qt.Key.Key_Return)
    qtbot.keyClick(sell, Qt.Key.Key_F9)
    payment = sell.cash_dialog
    assert payment is not None
    payment.given.clear()
    qtbot.keyClicks(payment.given, "20", delay=TYPING_MS)
    qtbot.keyClick(payment.given, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: sell.last_receipt_dialog is not None, timeout=5000)
    receipt = sell.last_receipt_dialog
    assert receipt is not None and receipt.invoice_button is not None
    qtbot.mouseClick(receipt.invoice_button, Qt.MouseButton.LeftButton)
    preview = sell.invoice_preview
    assert isinstance(preview, InvoicePreviewDialog) and preview.isVisible()
    _shown(qtbot, preview)
    assert preview.page_label.text() == "Page 1 of 1" and not preview.copy
    issued = demo_services.invoices.find(preview.number)
    assert issued.kind == "invoice" and issued.total.format() == "14.99 EUR"
    # Asked again, the same invoice comes back, now as a copy.
    qtbot.mouseClick(receipt.invoice_button, Qt.MouseButton.LeftButton)
    again = sell.invoice_preview
    assert again is not preview and again.number == issued.number and again.copy


def test_reprint_from_the_360_is_a_copy_and_saves_as_pdf(
    qtbot: QtBot, window: MainWindow, demo_services: Services, tmp_path: Path
) -> None:
    receipt = _sale(demo_services, "ACC-CASE")
    anna = demo_services.auth.login("anna", "1111")
    issued = demo_services.invoices.issue(demo_services.invoices.find_order(receipt), user=anna)
    _open_orders(qtbot, window, receipt)
    actions = window.customers.order_actions
    qtbot.keyClick(actions.invoice_button, Qt.Key.Key_Space)
    preview = actions.preview
    assert preview is not None and preview.copy
    _shown(qtbot, preview)
    assert preview.windowTitle() == f"{issued.number} (copy)"
    asked: list[str] = []
    folder = tmp_path / "saved"
    folder.mkdir()

    def ask(_parent: QWidget, suggested: str) -> str:
        asked.append(suggested)
        return str(folder / "reprint")  # no suffix typed: ".pdf" is added

    preview.ask_save = ask
    qtbot.keyClick(preview, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = folder / "reprint.pdf"
    qtbot.waitUntil(saved.exists, timeout=3000)
    assert asked == [f"{issued.number}-copy.pdf"]
    text = _text(saved.read_bytes())
    assert issued.number in text and "COPY" in text and "Reprint of invoice" in text
    assert issued.data.lines[0].description in text and issued.total.format() in text
    assert str(saved) in preview.status.text()
    # Cancelling the file dialog writes nothing.
    preview.ask_save = lambda _parent, _suggested: ""
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in folder.iterdir()] == ["reprint.pdf"]


def test_print_sends_every_page_to_the_printer(
    qtbot: QtBot, window: MainWindow, demo_services: Services, tmp_path: Path
) -> None:
    receipt = _sale(demo_services, "ACC-CHG")
    _open_orders(qtbot, window, receipt)
    actions = window.customers.order_actions
    qtbot.mouseClick(actions.issue_button, Qt.MouseButton.LeftButton)
    preview = actions.preview
    assert preview is not None
    _shown(qtbot, preview)
    out = tmp_path / "printed.pdf"

    def to_file(printer: QPrinter, _parent: QWidget) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(150)
        return True

    preview.printer_set_up = to_file
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Sent 1 page" in preview.status.text(), timeout=10000)
    reader = PdfReader(str(out))
    assert len(reader.pages) == 1
    resources = reader.pages[0]["/Resources"]
    assert "/XObject" in resources  # the page went out as an image of the invoice
    # Cancelling the print dialog prints nothing.
    out.unlink()
    preview.printer_set_up = lambda _printer, _parent: False
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert not out.exists()


def test_find_by_number_from_reports_opens_the_copy(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    receipt = _sale(demo_services, "ACC-CHG")
    anna = demo_services.auth.login("anna", "1111")
    issued = demo_services.invoices.issue(demo_services.invoices.find_order(receipt), user=anna)
    window.go(5)
    reports = window.reports
    qtbot.keyClick(reports, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = reports.find_dialog
    assert isinstance(dialog, FindInvoiceDialog) and dialog.isVisible()
    # A person types (a burst as fast as a scanner's would end in a scan, not in Enter).
    qtbot.keyClicks(dialog.number, "INV-NOPE-1", delay=PERSON_MS)
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert "No invoice or credit note has the number INV-NOPE-1" in dialog.errors.text("number")
    assert dialog.isVisible() and reports.preview is None
    dialog.number.clear()
    qtbot.keyClicks(dialog.number, f" {issued.number.lower()} ", delay=PERSON_MS)
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    preview = reports.preview
    assert isinstance(preview, InvoicePreviewDialog) and preview.isVisible()
    _shown(qtbot, preview)
    assert preview.number == issued.number and preview.copy
    assert preview.page_label.text() == "Page 1 of 1"


def test_return_from_the_360_opens_the_return_of_that_sale(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    _sale(demo_services, "ACC-CASE")
    receipt = _sale(demo_services, "ACC-CHG")  # the newer sale is on top; choose this one
    _open_orders(qtbot, window, receipt)
    actions = window.customers.order_actions
    qtbot.mouseClick(actions.return_button, Qt.MouseButton.LeftButton)
    dialog = actions.return_dialog
    assert isinstance(dialog, ReturnDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.lines.rowCount() == 1, timeout=3000)
    assert receipt in dialog.sale.text()
    assert dialog.lines.item(0, 0).text().startswith("USB-C")
    dialog.set_quantity(0, 1)
    qtbot.keyClicks(dialog.reason, "not needed", delay=TYPING_MS)
    qtbot.mouseClick(dialog.refund_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "give back" in dialog.done_label.text(), timeout=3000)
    # The 360 reloaded behind the dialog; the order's row is still there to act on.
    assert window.customers.view.orders.rowCount() == 2


class _FakeInvoices:
    """Three A4 pages, each saying its number: enough to page through."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, bool]] = []

    def pdf(self, number: str, *, copy: bool = False) -> bytes:
        self.asked.append((number, copy))
        out = io.BytesIO()
        canvas = Canvas(out)
        for page in range(1, 4):
            canvas.setFont("Helvetica", 40)
            canvas.drawString(100, 700, f"Page {page}")
            canvas.showPage()
        canvas.save()
        return out.getvalue()


def test_paging_through_a_long_invoice(qtbot: QtBot) -> None:
    invoices = _FakeInvoices()
    services = cast(Services, SimpleNamespace(invoices=invoices))
    preview = InvoicePreviewDialog(services, Runner(inline=True), number="INV-LONG", copy=True)
    qtbot.addWidget(preview)
    preview.show()
    _shown(qtbot, preview)
    assert invoices.asked == [("INV-LONG", True)]
    assert preview.page_label.text() == "Page 1 of 3"
    assert not preview.prev_button.isEnabled() and preview.next_button.isEnabled()
    first = preview.shown_image
    qtbot.keyClick(preview, Qt.Key.Key_PageDown)
    assert preview.page_label.text() == "Page 2 of 3" and preview.shown_image != first
    qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    assert preview.page_label.text() == "Page 3 of 3" and not preview.next_button.isEnabled()
    qtbot.keyClick(preview, Qt.Key.Key_PageDown)  # past the end: stays
    assert preview.page_label.text() == "Page 3 of 3"
    qtbot.keyClick(preview, Qt.Key.Key_PageUp)
    qtbot.keyClick(preview, Qt.Key.Key_PageUp)
    assert preview.page_label.text() == "Page 1 of 3" and preview.shown_image == first
    assert preview.shown_image is not None and preview.shown_image.width() == 794
    qtbot.mouseClick(preview.zoom_in_button, Qt.MouseButton.LeftButton)
    assert preview.zoom_label.text() == "125%"
    assert preview.shown_image is not None and preview.shown_image.width() == 993
    assert invoices.asked == [("INV-LONG", True)]  # pages come from the one PDF
