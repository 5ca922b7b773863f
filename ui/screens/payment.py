"""Cash payment dialog and the receipt preview shown after a sale."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from ui.forms import FieldErrors, error_label
from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.sales import SaleResult
    from domain.money import Money


class CashDialog(QDialog):
    """Asks for the cash given and completes the sale; stays open on bad input."""

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        order_id: uuid.UUID,
        total: Money,
        user: UserInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cash_dialog")
        self.setWindowTitle("Cash payment")
        self.setMinimumWidth(360)
        self._services = services
        self._runner = runner
        self._order_id = order_id
        self._user = user
        self.result_: SaleResult | None = None
        self.given = QLineEdit(f"{total.amount:.2f}")
        self.given.setObjectName("cash_given")
        self.given.selectAll()
        general = error_label()
        given_error = error_label()
        given_error.setObjectName("cash_given_error")
        self.errors = FieldErrors(general)
        self.errors.bind("cash_given", given_error, self.given)
        form = QFormLayout()
        total_label = QLabel(f"<b>{total.format()}</b>")
        total_label.setObjectName("cash_total")
        form.addRow("To pay", total_label)
        form.addRow("Cash &given", self.given)
        form.addRow("", given_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("cash_buttons")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        self.errors.clear()
        self.buttons.setEnabled(False)
        given = self.given.text()

        def done(result: SaleResult) -> None:
            self.result_ = result
            self.buttons.setEnabled(True)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            if isinstance(exc, ValidationError):
                self.errors.show(exc)
            elif isinstance(exc, DomainError):
                self.errors.show_message("", exc.message)
            else:
                raise exc

        op(
            self._runner,
            lambda: self._services.sales.pay_cash(self._order_id, given, user=self._user),
        ).success(done).failure(failed).with_progress("Completing the sale…", parent=self).run()


class ReceiptDialog(QDialog):
    """Shows the receipt exactly as laid out for the printer, plus the print state."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receipt_dialog")
        self.setWindowTitle("Receipt")
        self.preview = QPlainTextEdit(text)
        self.preview.setObjectName("receipt_preview")
        self.preview.setReadOnly(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setMinimumSize(420, 520)
        self.print_state = QLabel("Printing…")
        self.print_state.setObjectName("print_state")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview)
        layout.addWidget(self.print_state)
        layout.addWidget(buttons)

    def set_print_state(self, text: str) -> None:
        self.print_state.setText(text)
