"""The till's dialogs: a count by denomination (float or closing) and a cash movement.

:class:`CountDialog` (opening float, closing count with the card total and the reason for
a difference) and :class:`MovementDialog` (cash in, cash out, no sale), opened by
:class:`ui.screens.till.TillScreen`. A refused submission shows its message next to the
field and leaves the dialog open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from ui.forms import FieldErrors, error_label

if TYPE_CHECKING:
    from collections.abc import Callable

EUR_DENOMINATIONS = ("500", "200", "100", "50", "20", "10", "5", "2", "1",
                     "0.50", "0.20", "0.10", "0.05", "0.02", "0.01")  # fmt: skip


def _show_failure(errors: FieldErrors, buttons: QDialogButtonBox, exc: BaseException) -> None:
    """A refused count or movement: the message next to its field, the dialog stays open."""
    buttons.setEnabled(True)
    if isinstance(exc, ValidationError):
        errors.show(exc)
    elif isinstance(exc, DomainError):
        errors.show_message("", exc.message)
    else:
        raise exc


class CountDialog(QDialog):
    """A count by denomination (opening float or closing count), with the running total."""

    def __init__(self, title: str, *, closing: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("till_count_dialog")
        self.setWindowTitle(title)
        self.pieces: dict[str, QLineEdit] = {}
        grid = QGridLayout()
        for i, name in enumerate(EUR_DENOMINATIONS):
            edit = QLineEdit()
            edit.setObjectName(f"count_{name}")
            edit.setPlaceholderText("0")
            edit.setMaximumWidth(70)
            edit.textChanged.connect(self._total)
            self.pieces[name] = edit
            grid.addWidget(QLabel(f"{name} ×"), i % 8, (i // 8) * 2)
            grid.addWidget(edit, i % 8, (i // 8) * 2 + 1)
        self.total = QLabel("Total: 0.00")
        self.total.setObjectName("count_total")
        self.total.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.reason = QLineEdit()
        self.reason.setObjectName("count_reason")
        self.card_total = QLineEdit()
        self.card_total.setObjectName("count_card_total")
        self.card_total.setPlaceholderText("from the terminal's end-of-day slip")
        self.general = error_label()
        self.errors = FieldErrors(self.general)
        reason_error, card_error = error_label(), error_label()
        self.errors.bind("reason", reason_error, self.reason)
        self.errors.bind("card_total", card_error, self.card_total)
        self.errors.bind("count", self.general)
        form = QFormLayout()
        self.ask_terminal = QPushButton("Ask the terminal (end of day)")
        self.ask_terminal.setObjectName("count_ask_terminal")
        if closing:
            card_row = QHBoxLayout()
            card_row.addWidget(self.card_total, 1)
            card_row.addWidget(self.ask_terminal)
            form.addRow("Card total (terminal)", card_row)
            form.addRow("", card_error)
            form.addRow("&Reason for a difference", self.reason)
            form.addRow("", reason_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept_count)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.total)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        self.submitted: Callable[[CountDialog], None] | None = None

    def counts(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.pieces.items()}

    def _total(self) -> None:
        total = 0
        for name, edit in self.pieces.items():
            text = edit.text().strip()
            if text.isdigit():
                total += int(text) * round(float(name) * 100)
        self.total.setText(f"Total: {total // 100}.{total % 100:02d}")

    def accept_count(self) -> None:
        self.errors.clear()
        if self.submitted is not None:
            self.submitted(self)

    def failed(self, exc: BaseException) -> None:
        _show_failure(self.errors, self.buttons, exc)


class MovementDialog(QDialog):
    """Cash in, cash out, or "no sale": an amount (not for no sale) and the reason."""

    def __init__(self, title: str, *, amount: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("till_movement_dialog")
        self.setWindowTitle(title)
        self.amount = QLineEdit()
        self.amount.setObjectName("movement_amount")
        self.reason = QLineEdit()
        self.reason.setObjectName("movement_reason")
        self.general = error_label()
        self.errors = FieldErrors(self.general)
        amount_error, reason_error = error_label(), error_label()
        self.errors.bind("amount", amount_error, self.amount)
        self.errors.bind("reason", reason_error, self.reason)
        form = QFormLayout()
        if amount:
            form.addRow("&Amount", self.amount)
            form.addRow("", amount_error)
        form.addRow("&Reason", self.reason)
        form.addRow("", reason_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        self.submitted: Callable[[MovementDialog], None] | None = None

    def _ok(self) -> None:
        self.errors.clear()
        if self.submitted is not None:
            self.submitted(self)

    def failed(self, exc: BaseException) -> None:
        _show_failure(self.errors, self.buttons, exc)
