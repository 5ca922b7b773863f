"""Invoice preview: the stored invoice or credit note as its A4 pages, to print or save.

The PDF is rendered by the invoice service and its pages turned into pixels with PDFium
(:mod:`app.documents.pdf_raster`), all on the I/O lane; the dialog only shows images. A
copy (anything but the original handed out when the document was issued) says "COPY" on
every page, and that is exactly what is printed and saved.

Keys: PgDown / PgUp next and previous page, Ctrl++ / Ctrl+- zoom, Ctrl+P print,
Ctrl+S save as PDF, Esc close.

Tests replace the two things that would open a native modal dialog, as constructor
arguments or attributes: ``ask_save`` (the file dialog, :func:`ask_save_path`; return "" to
cancel) and ``printer_set_up`` (the print dialog, :func:`set_up_printer`; configure the
QPrinter, e.g. to write a PDF file, and return False to cancel).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.documents.pdf_raster import PageImage, page_count, render_page
from app.errors import DeviceError, DomainError
from ui.keys import shortcut
from ui.ops import Lane, Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services

ZOOMS = (50, 75, 100, 125, 150, 200)  # percent of the page's size at SCREEN_DPI
SCREEN_DPI = 96.0
PRINT_DPI_MAX = 300.0

SavePath = Callable[[QWidget, str], str]
PrinterSetUp = Callable[[QPrinter, QWidget], bool]


def ask_save_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Save as PDF", suggested, "PDF files (*.pdf)")
    return path


def set_up_printer(printer: QPrinter, parent: QWidget) -> bool:
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print")
    return dialog.exec() == QDialog.DialogCode.Accepted


def to_qimage(page: PageImage) -> QImage:
    """A QImage that owns its pixels (the PageImage's bytes may go away)."""
    image = QImage(page.pixels, page.width, page.height, page.stride, QImage.Format.Format_RGBX8888)
    return image.copy()


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Paint every page of ``pdf`` onto ``printer``, each fitted to the printable area.

    Runs on a worker thread: Qt supports painting on a QPrinter outside the GUI thread
    (unlike widgets and pixmaps). Returns the number of pages printed.
    """
    count = page_count(pdf)
    dpi = min(float(printer.resolution()), PRINT_DPI_MAX)
    painter = QPainter()
    if not painter.begin(printer):
        raise DeviceError("Printer", "did not accept the document (is it installed?)")
    try:
        area = painter.viewport()  # the printable area, in the printer's pixels
        for index in range(count):
            if index and not printer.newPage():
                raise DeviceError("Printer", f"stopped after page {index}")
            image = to_qimage(render_page(pdf, index, dpi=dpi))
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(area.topLeft(), size), image)
    finally:
        painter.end()
    return count


class InvoicePreviewDialog(QDialog):
    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        number: str,
        copy: bool,
        ask_save: SavePath = ask_save_path,
        printer_set_up: PrinterSetUp = set_up_printer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("invoice_preview")
        self.number = number
        self.copy = copy
        self.setWindowTitle(f"{number}{' (copy)' if copy else ''}")
        self.resize(900, 760)
        self._services = services
        self._runner = runner
        self.ask_save = ask_save
        self.printer_set_up = printer_set_up
        self.pdf: bytes | None = None
        self.page_count = 0
        self.page = 0
        self._zoom = ZOOMS.index(100)
        self._images: dict[tuple[int, float], QImage] = {}
        self.printer: QPrinter | None = None
        self.shown_image: QImage | None = None

        self.image = QLabel("Rendering…")
        self.image.setObjectName("invoice_page")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QScrollArea()
        self.pages.setWidget(self.image)
        self.pages.setWidgetResizable(True)
        self.pages.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.setStyleSheet("QScrollArea { background: #7a7a7a; }")
        self.page_label = QLabel()
        self.page_label.setObjectName("invoice_page_label")
        self.status = QLabel()
        self.status.setObjectName("invoice_status")
        self.status.setWordWrap(True)
        self.prev_button = QPushButton("◀ &Previous (PgUp)")
        self.prev_button.setObjectName("invoice_prev")
        self.prev_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_button = QPushButton("&Next (PgDown) ▶")
        self.next_button.setObjectName("invoice_next")
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))
        self.zoom_out_button = QPushButton("−")
        self.zoom_out_button.setToolTip("Zoom out (Ctrl+-)")
        self.zoom_out_button.clicked.connect(lambda: self.zoom(-1))
        self.zoom_label = QLabel("100%")
        self.zoom_in_button = QPushButton("+")
        self.zoom_in_button.setToolTip("Zoom in (Ctrl++)")
        self.zoom_in_button.clicked.connect(lambda: self.zoom(1))
        for button in (self.zoom_in_button, self.zoom_out_button):
            button.setMaximumWidth(36)
        self.print_button = QPushButton("&Print… (Ctrl+P)")
        self.print_button.setObjectName("invoice_print")
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton("&Save as PDF… (Ctrl+S)")
        self.save_button.setObjectName("invoice_save")
        self.save_button.clicked.connect(self.save_pdf)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        for button in self._document_buttons:
            button.setEnabled(False)
        shortcut("PgDown", self, lambda: self.show_page(self.page + 1))
        shortcut("PgUp", self, lambda: self.show_page(self.page - 1))
        shortcut("Ctrl++", self, lambda: self.zoom(1))
        shortcut("Ctrl+=", self, lambda: self.zoom(1))
        shortcut("Ctrl+-", self, lambda: self.zoom(-1))
        shortcut("Ctrl+P", self, self.print_document)
        shortcut("Ctrl+S", self, self.save_pdf)

        bar = QHBoxLayout()
        bar.addWidget(self.prev_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in_button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)
        layout.addLayout(bar)
        self._load()

    @property
    def _document_buttons(self) -> tuple[QPushButton, ...]:
        return (self.prev_button, self.next_button, self.print_button, self.save_button,
                self.zoom_in_button, self.zoom_out_button)  # fmt: skip

    @property
    def dpi(self) -> float:
        return SCREEN_DPI * ZOOMS[self._zoom] / 100

    # -- loading and paging --------------------------------------------------------------
    def _load(self) -> None:
        invoices, number, copy, dpi = self._services.invoices, self.number, self.copy, self.dpi

        def run() -> tuple[bytes, PageImage]:
            pdf = invoices.pdf(number, copy=copy)
            return pdf, render_page(pdf, 0, dpi=dpi)

        def loaded(result: tuple[bytes, PageImage]) -> None:
            self.pdf, first = result
            self.page_count = first.count
            self._shown(first)

        op(self._runner, run, lane=Lane.IO).success(loaded).failure(self._failed).with_progress(
            "Rendering the invoice…", parent=self
        ).run()

    def show_page(self, index: int) -> None:
        """Show page ``index`` (from 0); rendered in the background the first time."""
        pdf = self.pdf
        if pdf is None or not 0 <= index < self.page_count:
            return
        self.page = index
        self._update_bar()
        cached = self._images.get((index, self.dpi))
        if cached is not None:
            self._display(cached)
            return
        dpi = self.dpi
        op(self._runner, lambda: render_page(pdf, index, dpi=dpi), lane=Lane.IO).guard(
            lambda: self.page == index and self.dpi == dpi  # the consultant moved on
        ).success(self._shown).failure(self._failed).run()

    def zoom(self, step: int) -> None:
        self._zoom = max(0, min(len(ZOOMS) - 1, self._zoom + step))
        self.zoom_label.setText(f"{ZOOMS[self._zoom]}%")
        self.show_page(self.page)

    def _shown(self, page: PageImage) -> None:
        image = to_qimage(page)
        self._images[(page.index, page.dpi)] = image
        self._display(image)
        for button in self._document_buttons:
            button.setEnabled(True)
        self._update_bar()

    def _display(self, image: QImage) -> None:
        self.image.setPixmap(QPixmap.fromImage(image))
        self.shown_image = image

    def _update_bar(self) -> None:
        self.page_label.setText(f"Page {self.page + 1} of {self.page_count}")
        self.prev_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page + 1 < self.page_count)

    # -- print and save ------------------------------------------------------------------
    def print_document(self) -> None:
        pdf = self.pdf
        if pdf is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        printer.setFullPage(False)
        if not self.printer_set_up(printer, self):
            return
        self.printer = printer  # kept alive until the worker is done with it
        self.status.setText("Printing…")

        def printed(pages: int) -> None:
            self.status.setText(f"Sent {pages} page{'s' if pages != 1 else ''} to the printer.")

        op(self._runner, lambda: print_pdf(pdf, printer), lane=Lane.IO).success(printed).failure(
            self._failed
        ).with_progress("Printing…", parent=self).run()

    def save_pdf(self) -> None:
        pdf = self.pdf
        if pdf is None:
            return
        suggested = f"{self.number}{'-copy' if self.copy else ''}.pdf"
        chosen = self.ask_save(self, suggested)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")

        def saved(_: int) -> None:
            self.status.setText(f"Saved to {path}.")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OSError):
                self.status.setText(f"Not saved: {exc.strerror or exc} ({path}).")
            else:
                self._failed(exc)

        op(self._runner, lambda: path.write_bytes(pdf), lane=Lane.IO).success(saved).failure(
            failed
        ).run()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError):
            message = exc.message
        elif isinstance(exc, DeviceError):
            message = f"Not printed: {exc.message}"
        else:
            raise exc
        self.status.setText(message)
        if self.pdf is None:
            self.image.setText(message)
