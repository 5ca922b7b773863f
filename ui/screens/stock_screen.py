"""Stock: what the store holds, what is running low, every movement, and the manager's tools.

The levels table lists every SIM, phone and accessory with units in stock, reserved,
returned and damaged, and its reorder level; low items are marked and counted in the
banner. **Enter** on a SIM or phone shows its units; scanning an ICCID or IMEI here finds
that unit (and says whose it is if not this store's), scanning anything else filters.
Receiving a delivery is open to everyone; sending to another store, adjusting a unit,
counting and reorder levels are the manager's (the service refuses others with a clear message).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.keys import shortcut
from ui.ops import Runner, op
from ui.screens.stock_dialogs import AdjustDialog, LevelDialog, ReceiveDialog, TransferDialog

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.stock import MoveView, StockLine, UnitView

LEVEL_COLUMNS = ("SKU", "Item", "Kind", "In stock", "Reserved", "Returned", "Damaged", "Reorder at")
MOVE_COLUMNS = ("When", "Movement", "SKU", "Serial", "Qty", "Status", "Reason", "Reference")
LOW = "#fde2e1"  # a colour name: no Qt object lives at module level (finalization order)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _table(name: str, columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class StockScreen(QWidget):
    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stock_screen")
        self._services = services
        self._runner = runner
        self._user: UserInfo | None = None
        self._lines: list[StockLine] = []
        self.dialog: object | None = None

        self.filter = QLineEdit()
        self.filter.setObjectName("stock_filter")
        self.filter.setPlaceholderText("Filter by SKU or name")
        self.filter.textChanged.connect(lambda _text: self._fill_levels())
        self.banner = QLabel()
        self.banner.setObjectName("low_stock_banner")
        self.banner.setStyleSheet("color: #b00020; font-weight: bold;")
        self.levels = _table("stock_levels", LEVEL_COLUMNS)
        self.levels.activated.connect(lambda _index: self.show_units())
        self.units = _table("stock_units", ("Serial", "SKU", "Status", "IMSI"))
        self.moves = _table("stock_moves", MOVE_COLUMNS)
        tabs = QTabWidget()
        tabs.addTab(self.units, "Units")
        tabs.addTab(self.moves, "Movements")
        self.tabs = tabs

        actions = (
            ("&Receive delivery… (Ctrl+D)", "receive", self.receive, "Ctrl+D"),
            ("&Send to store… (Ctrl+T)", "transfer", self.transfer, "Ctrl+T"),
            ("&Adjust unit… (Ctrl+J)", "adjust", self.adjust, "Ctrl+J"),
            ("C&ount… (Ctrl+K)", "count", self.count, "Ctrl+K"),
            ("Reorder &level…", "reorder", self.reorder, ""),
            ("Re&fresh (F5)", "refresh", self.refresh, "F5"),
        )
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for text, name, slot, key in actions:
            button = QPushButton(text)
            button.setObjectName(f"stock_{name}")
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[name] = button
            if key:
                shortcut(key, self, slot)
        buttons.addStretch(1)
        self.status = QLabel()
        self.status.setObjectName("stock_status")

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Stock</h2>"))
        layout.addWidget(self.filter)
        layout.addWidget(self.banner)
        layout.addWidget(self.levels, 2)
        layout.addWidget(tabs, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

    def set_user(self, user: UserInfo | None) -> None:
        self._user = user

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        stock = self._services.stock
        op(self._runner, stock.levels).success(self._show_levels).run()
        op(self._runner, stock.moves).success(self._show_moves).run()

    def _show_levels(self, lines: list[StockLine]) -> None:
        self._lines = lines
        low = [line for line in lines if line.low]
        self.banner.setText(
            f"{len(low)} item{'s' if len(low) != 1 else ''} low on stock: "
            + ", ".join(line.name for line in low[:5])
            + (" …" if len(low) > 5 else "")
            if low
            else ""
        )
        self.banner.setVisible(bool(low))
        self._fill_levels()

    def _fill_levels(self) -> None:
        needle = self.filter.text().strip().lower()
        shown = [
            line for line in self._lines
            if not needle or needle in line.sku.lower() or needle in line.name.lower()
        ]  # fmt: skip
        self.levels.setRowCount(len(shown))
        for row, line in enumerate(shown):
            cells = (
                line.sku, line.name, line.kind, str(line.in_stock), str(line.reserved),
                str(line.returned), str(line.damaged), str(line.reorder_level),
            )  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, line.sku)
                if col >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if line.low:
                    item.setBackground(QColor(LOW))
                    item.setToolTip("Low on stock")
                self.levels.setItem(row, col, item)
        self.levels.resizeColumnsToContents()

    def _show_moves(self, moves: list[MoveView]) -> None:
        self.moves.setRowCount(len(moves))
        for row, move in enumerate(moves):
            cells = (
                move.at.astimezone().strftime("%Y-%m-%d %H:%M"), move.kind.replace("_", " "),
                move.sku, move.serial, f"{move.quantity:+d}" if move.quantity else "0",
                move.status.replace("_", " "), move.reason, move.reference,
            )  # fmt: skip
            for col, text in enumerate(cells):
                self.moves.setItem(row, col, QTableWidgetItem(text))
        self.moves.resizeColumnsToContents()

    def selected(self) -> StockLine | None:
        rows = self.levels.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.levels.item(rows[0].row(), 0)
        sku = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return next((line for line in self._lines if line.sku == sku), None)

    def select_sku(self, sku: str) -> None:
        for row in range(self.levels.rowCount()):
            item = self.levels.item(row, 0)
            if item is not None and item.text() == sku:
                self.levels.selectRow(row)
                return

    def scan(self, code: str) -> None:
        """A scanner burst into this screen: find the unit, or filter by what was scanned."""
        code = code.strip()
        if not (code.isdigit() and len(code) in (15, 18, 19, 20)):
            self.filter.setText(code)
            return
        self.filter.clear()
        op(self._runner, lambda: self._services.stock.find_unit(code)).success(
            self._show_found
        ).failure(lambda exc: self.status.setText(str(exc))).run()

    def _show_found(self, unit: UnitView) -> None:
        self.select_sku(unit.sku)
        self._show_units([unit])
        self.units.selectRow(0)
        self.status.setText(f"{unit.serial}: {unit.sku}, {unit.status.replace('_', ' ')}.")

    def show_units(self) -> None:
        line = self.selected()
        if line is None or line.counted != "unit":
            self.status.setText("Counted by quantity: it has no units to list.")
            return
        sku = line.sku
        op(self._runner, lambda: self._services.stock.units(sku)).success(self._show_units).run()

    def _show_units(self, units: list[UnitView]) -> None:
        self.tabs.setCurrentWidget(self.units)
        self.units.setRowCount(len(units))
        for row, unit in enumerate(units):
            for col, text in enumerate((unit.serial, unit.sku, unit.status.replace("_", " "),
                                        unit.imsi)):  # fmt: skip
                self.units.setItem(row, col, QTableWidgetItem(text))
        self.units.resizeColumnsToContents()

    # -- actions -------------------------------------------------------------------------
    def _open(self, dialog: ReceiveDialog | TransferDialog | AdjustDialog | LevelDialog) -> None:
        dialog.saved.connect(self._changed)
        self.dialog = dialog
        dialog.open()

    def _changed(self, result: object) -> None:
        text = getattr(result, "summary", None)
        self.status.setText(f"Received: {text}." if text else "Saved.")
        self.refresh()

    def receive(self) -> None:
        if self._user is not None:
            self._open(ReceiveDialog(self._services, self._runner, user=self._user, parent=self))

    def transfer(self) -> None:
        if self._user is not None:
            self._open(TransferDialog(self._services, self._runner, user=self._user, parent=self))

    def adjust(self) -> None:
        if self._user is not None:
            self._open(AdjustDialog(self._services, self._runner, user=self._user, parent=self))

    def count(self) -> None:
        self._level("count")

    def reorder(self) -> None:
        self._level("reorder")

    def _level(self, mode: str) -> None:
        line = self.selected()
        if self._user is None:
            return
        if line is None:
            self.status.setText("Select the item first.")
            return
        if mode == "count" and line.counted != "quantity":
            self.status.setText(f"{line.name} is counted by serial: adjust its units one by one.")
            return
        self._open(
            LevelDialog(
                self._services, self._runner, user=self._user, sku=line.sku, name=line.name,
                mode=mode, parent=self,
            )
        )  # fmt: skip
