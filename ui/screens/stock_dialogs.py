"""The Stock area's dialogs: receive a delivery, send to another store, adjust, count.

Each dialog runs its service call on the database lane (``ui.ops``), stays open with the
service's message when it is refused, and emits ``saved`` with the result when it worked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from domain.stock import AdjustmentReason
from ui.forms import FieldErrors, error_label
from ui.ops import Runner, op

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.stock import TransferResult


class _StockDialog(QDialog):
    saved = Signal(object)  # the service's result

    def __init__(self, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.general = error_label()
        self.general.setObjectName("stock_dialog_error")
        self.errors = FieldErrors(self.general)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.body.addWidget(self.general)
        self.body.addWidget(self.buttons)

    def bind(self, field: str, widget: QWidget, label: str) -> None:
        err = error_label()
        self.errors.bind(field, err, widget)
        self.form.addRow(label, widget)
        self.form.addRow("", err)

    def confirm(self) -> None:
        raise NotImplementedError

    def _run(self, runner: Runner, fn: Callable[[], Any], *, close: bool = True) -> None:
        self.errors.clear()

        def ok(result: object) -> None:
            self.saved.emit(result)
            if close:
                self.accept()

        op(runner, fn).success(ok).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        elif isinstance(exc, DomainError):
            self.errors.show_message("", exc.message)
        elif isinstance(exc, OSError):
            self.errors.show_message("file", f"The file cannot be read: {exc.strerror or exc}")
        else:
            raise exc


class ReceiveDialog(_StockDialog):
    """A supplier's delivery file (or another store's transfer file), taken whole."""

    def __init__(
        self, services: Services, runner: Runner, *, user: UserInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__("Receive a delivery", "Receive", parent)
        self.setObjectName("receive_dialog")
        self._services, self._runner, self._user = services, runner, user
        self.path = QLineEdit()
        self.path.setObjectName("delivery_file")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.browse)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.path)
        line.addWidget(browse)
        self.bind("file", row, "Delivery file (CSV)")
        self.reference = QLineEdit()
        self.reference.setObjectName("delivery_reference")
        self.reference.setPlaceholderText("Delivery note or transfer number")
        self.bind("reference", self.reference, "Reference")
        self.from_store = QLineEdit()
        self.from_store.setObjectName("from_store")
        self.from_store.setPlaceholderText("Only for goods from another store, e.g. S002")
        self.bind("from_store", self.from_store, "From store")

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Delivery file", "", "CSV files (*.csv *.txt)")
        if name:
            self.path.setText(name)

    def confirm(self) -> None:
        path, reference = self.path.text().strip(), self.reference.text()
        from_store, user = self.from_store.text().strip().upper(), self._user
        if not path:
            self.errors.show_message("file", "Choose the delivery file.")
            return
        stock = self._services.stock

        def run() -> object:
            text = Path(path).read_text(encoding="utf-8-sig")  # on the worker, not the GUI
            return stock.receive(text, reference=reference, user=user, from_store=from_store)

        self._run(self._runner, run)


class TransferDialog(_StockDialog):
    """Send units (scanned serials) and quantities to another store."""

    def __init__(
        self, services: Services, runner: Runner, *, user: UserInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__("Send to another store", "Send", parent)
        self.setObjectName("transfer_dialog")
        self._services, self._runner, self._user = services, runner, user
        self.result_: TransferResult | None = None
        self.store = QLineEdit()
        self.store.setObjectName("transfer_store")
        self.bind("store", self.store, "To store")
        self.serials = QPlainTextEdit()
        self.serials.setObjectName("transfer_serials")
        self.serials.setPlaceholderText("Scan each SIM or phone (one per line)")
        self.bind("items", self.serials, "Units")
        self.quantities = QPlainTextEdit()
        self.quantities.setObjectName("transfer_quantities")
        self.quantities.setPlaceholderText("SKU and quantity per line, e.g. ACC-CASE 5")
        self.bind("quantity", self.quantities, "Quantities")
        self.note = QLineEdit()
        self.note.setObjectName("transfer_note")
        self.bind("note", self.note, "Note")
        self.sent = QLabel()
        self.sent.setObjectName("transfer_sent")
        self.save_button = QPushButton("Save the transfer file…")
        self.save_button.setObjectName("save_transfer")
        self.save_button.clicked.connect(self.save_file)
        self.save_button.hide()
        self.saved.connect(self._sent)
        self.body.insertWidget(2, self.sent)
        self.body.insertWidget(3, self.save_button)

    def confirm(self) -> None:
        serials = self.serials.toPlainText().split()
        quantities: dict[str, str | int] = {}
        for raw in self.quantities.toPlainText().splitlines():
            parts = raw.split()
            if not parts:
                continue
            if len(parts) != 2:
                self.errors.show_message("quantity", f"Write “SKU quantity”, not “{raw}”.")
                return
            quantities[parts[0].upper()] = parts[1]
        store, note, user = self.store.text(), self.note.text(), self._user
        stock = self._services.stock

        def run() -> TransferResult:
            return stock.transfer_out(
                to_store=store, serials=serials, quantities=quantities, note=note, user=user
            )

        self._run(self._runner, run, close=False)

    def _sent(self, result: object) -> None:
        from app.services.stock import TransferResult

        assert isinstance(result, TransferResult)
        self.result_ = result
        self.sent.setText(
            f"Transfer {result.number} to {result.to_store}: {result.units} units, "
            f"{result.quantity} pieces. Save the file for the receiving store."
        )
        self.save_button.show()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")

    def save_file(self, path: str = "") -> None:
        result = self.result_
        if result is None:
            return
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Transfer file", f"{result.number}.csv", "CSV files (*.csv)"
            )
        if not path:
            return
        target, text = Path(path), result.file_text

        def run() -> Path:
            target.write_text(text, encoding="utf-8")
            return target

        op(self._runner, run).success(
            lambda saved: self.sent.setText(f"{self.sent.text()} Saved to {saved}.")
        ).failure(self._failed).run()


class AdjustDialog(_StockDialog):
    """A unit damaged, lost, found, or back to stock after inspection — with a note."""

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        user: UserInfo,
        serial: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Adjust a unit", "Record", parent)
        self.setObjectName("adjust_dialog")
        self._services, self._runner, self._user = services, runner, user
        self.serial = QLineEdit(serial)
        self.serial.setObjectName("adjust_serial")
        self.serial.setPlaceholderText("Scan the SIM or phone")
        self.bind("serial", self.serial, "Serial")
        self.reason = QComboBox()
        self.reason.setObjectName("adjust_reason")
        for reason in AdjustmentReason:
            if reason is not AdjustmentReason.COUNT:
                self.reason.addItem(reason.label, reason.value)
        self.bind("reason", self.reason, "What happened")
        self.note = QLineEdit()
        self.note.setObjectName("adjust_note")
        self.bind("note", self.note, "Note")

    def confirm(self) -> None:
        serial, note, user = self.serial.text(), self.note.text(), self._user
        reason = AdjustmentReason(self.reason.currentData())
        stock = self._services.stock
        self._run(self._runner, lambda: stock.adjust_unit(serial, reason, note=note, user=user))


class LevelDialog(_StockDialog):
    """A stock count (``mode="count"``) or a reorder level (``mode="reorder"``) for one item."""

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        user: UserInfo,
        sku: str,
        name: str,
        mode: str,
        parent: QWidget | None = None,
    ) -> None:
        counting = mode == "count"
        super().__init__(
            f"Count {name}" if counting else f"Reorder level of {name}",
            "Correct the stock" if counting else "Save",
            parent,
        )
        self.setObjectName("count_dialog" if counting else "reorder_dialog")
        self._services, self._runner, self._user = services, runner, user
        self._sku, self._counting = sku, counting
        self.value = QLineEdit()
        self.value.setObjectName("level_value")
        self.bind(
            "count" if counting else "level",
            self.value,
            "Counted on the shelf" if counting else "Warn at (empty: store default)",
        )
        self.note = QLineEdit()
        self.note.setObjectName("level_note")
        if counting:
            self.bind("note", self.note, "Note")

    def confirm(self) -> None:
        value, note, user, sku = self.value.text(), self.note.text(), self._user, self._sku
        stock = self._services.stock
        if self._counting:
            self._run(self._runner, lambda: stock.count(sku, value, note=note, user=user))
        else:
            self._run(self._runner, lambda: stock.set_reorder_level(sku, value, user=user))
