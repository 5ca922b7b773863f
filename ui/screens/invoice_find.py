"""Find an invoice or credit note by its number (typed or scanned) and open its preview.

Reached from Reports (Ctrl+I). A document found here was handed out before, so its
preview, print and PDF are marked as a copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from ui.forms import FieldErrors, error_label
from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.invoices import IssuedInvoice


class FindInvoiceDialog(QDialog):
    found = Signal(str)  # the document's number, as stored

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("find_invoice")
        self.setWindowTitle("Find invoice")
        self._services = services
        self._runner = runner
        self.number = QLineEdit()
        self.number.setObjectName("invoice_number")
        self.number.setPlaceholderText("INV-S001-T01-000042 or CRN-…, then Enter")
        self.number.setMaxLength(40)
        self.number.setMinimumWidth(320)
        self.number.returnPressed.connect(self.search)
        self.general = error_label()
        self.errors = FieldErrors(self.general)
        number_error = error_label()
        number_error.setObjectName("invoice_number_error")
        self.errors.bind("number", number_error, self.number)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.search)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Invoice or credit note number"))
        layout.addWidget(self.number)
        layout.addWidget(number_error)
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        self.number.setFocus()

    def search(self) -> None:
        self.errors.clear()
        text, invoices = self.number.text(), self._services.invoices
        op(self._runner, lambda: invoices.find(text)).success(self._found).failure(
            self._failed
        ).run()

    def _found(self, issued: IssuedInvoice) -> None:
        self.found.emit(issued.number)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        elif isinstance(exc, DomainError):
            self.errors.show_message("number", exc.message)
        else:
            raise exc
