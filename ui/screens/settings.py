"""Settings and devices: each setting with where its value came from; printer test; the
way to the sync panel (:attr:`SettingsScreen.sync_panel_requested`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.documents.receipt import ReceiptData, build_receipt
from domain.money import Money
from ui.ops import Lane, Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services


class SettingsScreen(QWidget):
    sync_panel_requested = Signal()

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("settings_table")
        self.table.setHorizontalHeaderLabels(["Setting", "Value", "From"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.device_state = QLabel()
        self.device_state.setObjectName("device_state")
        self.test_print = QPushButton("&Test print")
        self.test_print.setObjectName("test_print")
        self.test_print.clicked.connect(self.print_test_page)
        self.open_sync = QPushButton("Sync with the central database… (Ctrl+Shift+Y)")
        self.open_sync.setObjectName("open_sync_panel")
        self.open_sync.clicked.connect(self.sync_panel_requested)
        problems = services.problems
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Devices</h2>"))
        layout.addWidget(self.device_state)
        layout.addWidget(self.test_print)
        layout.addWidget(self.open_sync)
        if problems:
            warning = QLabel("Settings problems:\n" + "\n".join(problems))
            warning.setWordWrap(True)
            warning.setStyleSheet("color: #b00020;")
            layout.addWidget(warning)
        layout.addWidget(QLabel("<h2>Settings</h2>"))
        layout.addWidget(self.table, 1)
        rows = services.settings.describe()
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        # Keys and sources whole (IT reads them to set a value); the value takes the rest.
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(2)
        self.table.verticalHeader().hide()
        self.show_states()

    def show_states(self) -> None:
        self.device_state.setText(
            "\n".join(
                f"{s.name}: {s.state}{' — ' + s.detail if s.detail else ''}"
                for s in self._services.devices.states()
            )
        )

    def print_test_page(self) -> None:
        store = self._services.store
        zero = Money.zero(store.currency)
        data = ReceiptData(
            store_name=store.name,
            store_address=store.address,
            tax_id=store.tax_id,
            terminal_id=f"{store.store_id}/{store.terminal_id}",
            cashier="",
            when=datetime.now().astimezone(),
            receipt_number="TEST",
            order_number="—",
            items=(),
            vat=(),
            total=zero,
            tenders=(),
        )
        doc = build_receipt(data, columns=self._services.devices.printer_columns)
        devices = self._services.devices
        self.test_print.setEnabled(False)

        def finished(_: object) -> None:
            self.test_print.setEnabled(True)
            self.show_states()

        def failed(exc: BaseException) -> None:
            finished(None)
            self.device_state.setText(f"Test print failed: {getattr(exc, 'message', exc)}")

        op(self._runner, lambda: devices.print_receipt(doc), lane=Lane.IO).success(
            finished
        ).failure(failed).run()
