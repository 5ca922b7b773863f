"""Catalog: find an offering as you type, see the stock, compare plans, add to the basket.

The catalog snapshot and the stock counts are read on the database lane once (and again
after a sale or an import); filtering is a pass over the in-memory index on every
keystroke, so it needs no thread.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from domain.catalog import OfferingKind
from domain.catalog_search import UNLIMITED_MB, CatalogQuery, CatalogRow
from ui.forms import error_label
from ui.keys import shortcut
from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.catalog import CatalogSnapshot

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
KINDS: tuple[tuple[str, OfferingKind | None], ...] = (
    ("All kinds", None),
    ("Plans", OfferingKind.PLAN),
    ("Add-ons", OfferingKind.ADDON),
    ("SIM cards", OfferingKind.SIM),
    ("Devices", OfferingKind.DEVICE),
    ("Accessories", OfferingKind.ACCESSORY),
    ("Bundles", OfferingKind.BUNDLE),
    ("Service fees", OfferingKind.SERVICE_FEE),
    ("Top-ups", OfferingKind.TOPUP),
)
DATA_STEPS: tuple[tuple[str, int | None], ...] = (
    ("Any data", None),
    ("5 GB or more", 5 * 1024),
    ("10 GB or more", 10 * 1024),
    ("30 GB or more", 30 * 1024),
    ("Unlimited", UNLIMITED_MB),
)


def data_text(data_mb: int | None) -> str:
    if data_mb is None:
        return ""
    if data_mb >= UNLIMITED_MB:
        return "Unlimited"
    return f"{data_mb / 1024:g} GB"


class CatalogModel(QAbstractTableModel):
    HEADERS = ("Offering", "Code", "Kind", "Price", "Data", "In stock")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[CatalogRow] = []
        self.stock: dict[str, int] = {}

    def set_rows(self, rows: list[CatalogRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802
        return len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802
        return len(self.HEADERS)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            offering = row.offering
            if col == 0:
                return offering.name
            if col == 1:
                return offering.code
            if col == 2:
                return offering.kind.value.replace("_", " ")
            if col == 3:
                monthly = offering.kind in (OfferingKind.PLAN, OfferingKind.ADDON)
                return f"{row.headline:.2f}{' / month' if monthly else ''}"
            if col == 4:
                return data_text(row.data_mb)
            if col == 5:  # units by serial, or the quantity of what the store counts
                if offering.serial or offering.code in self.stock:
                    return str(self.stock.get(offering.code, 0))
                return ""
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (3, 5):
            return RIGHT
        return None


class CatalogScreen(QWidget):
    add_requested = Signal(str)  # an offering code for the basket
    compare_chosen = Signal(str, int, str, int)  # plan, commitment, device ("" none), instalments

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("catalog_screen")
        self._services = services
        self._runner = runner
        self._snapshot: CatalogSnapshot | None = None
        self.compare_dialog: Any = None

        self.text = QLineEdit()
        self.text.setObjectName("catalog_filter")
        self.text.setPlaceholderText("Type to filter: name, brand, model, code, EAN")
        self.kind = QComboBox()
        self.kind.setObjectName("catalog_kind")
        for label, _kind in KINDS:
            self.kind.addItem(label)
        self.min_price = QLineEdit()
        self.min_price.setObjectName("catalog_min_price")
        self.min_price.setPlaceholderText("from")
        self.max_price = QLineEdit()
        self.max_price.setObjectName("catalog_max_price")
        self.max_price.setPlaceholderText("to")
        self.data = QComboBox()
        self.data.setObjectName("catalog_data")
        for label, _mb in DATA_STEPS:
            self.data.addItem(label)
        self.count = QLabel()
        self.count.setObjectName("catalog_count")
        self.message = error_label()
        self.message.setObjectName("catalog_message")

        self.model = CatalogModel(self)
        self.table = QTableView()
        self.table.setObjectName("catalog_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.activated.connect(lambda _index: self.add_selected())

        self.add_button = QPushButton("&Add to basket (Enter)")
        self.add_button.setObjectName("catalog_add")
        self.add_button.clicked.connect(self.add_selected)
        self.compare_button = QPushButton("Com&pare plans (Ctrl+P)")
        self.compare_button.setObjectName("catalog_compare")
        self.compare_button.clicked.connect(self.compare_selected)
        shortcut("Ctrl+P", self, self.compare_selected)

        for edit in (self.text, self.min_price, self.max_price):
            edit.textChanged.connect(self.apply_filter)
        self.kind.currentIndexChanged.connect(self.apply_filter)
        self.data.currentIndexChanged.connect(self.apply_filter)

        filters = QHBoxLayout()
        filters.addWidget(self.text, 3)
        filters.addWidget(self.kind, 1)
        filters.addWidget(QLabel("Price"))
        filters.addWidget(self.min_price)
        filters.addWidget(self.max_price)
        filters.addWidget(self.data, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    # -- loading and filtering -----------------------------------------------------------
    def load(self) -> None:
        catalog = self._services.catalog

        def read() -> tuple[CatalogSnapshot, dict[str, int]]:
            snapshot = catalog.snapshot()
            snapshot.index(date.today(), self._services.store.store_id)
            return snapshot, catalog.stock_counts()

        op(self._runner, read).success(self._loaded).run()

    def _loaded(self, result: tuple[CatalogSnapshot, dict[str, int]]) -> None:
        self._snapshot, self.model.stock = result
        # The code column as wide as the catalog's longest code (a code never wraps).
        codes = self._snapshot.catalog.offerings
        if codes:
            metrics = self.table.fontMetrics()
            widest = max(metrics.horizontalAdvance(code) for code in codes)
            self.table.setColumnWidth(1, widest + 16)
        self.apply_filter()

    def query(self) -> CatalogQuery | None:
        self.message.hide()
        kind = KINDS[self.kind.currentIndex()][1]
        try:
            low = _price(self.min_price.text())
            high = _price(self.max_price.text())
        except (InvalidOperation, ValueError):
            self.message.setText("Enter prices as numbers, e.g. 20 or 19.99.")
            self.message.show()
            return None
        return CatalogQuery(
            text=self.text.text(),
            kinds=frozenset({kind}) if kind else frozenset(),
            min_price=low,
            max_price=high,
            min_data_mb=DATA_STEPS[self.data.currentIndex()][1],
        )

    def apply_filter(self) -> None:
        if self._snapshot is None:
            return
        query = self.query()
        if query is None:
            return
        index = self._snapshot.index(date.today(), self._services.store.store_id)
        rows = index.filter(query)
        self.model.set_rows(rows)
        self.count.setText(f"{len(rows)} of {len(index)} offerings")

    def focus_filter(self) -> None:
        self.text.setFocus()
        self.text.selectAll()

    # -- actions -------------------------------------------------------------------------
    def selected_rows(self) -> list[CatalogRow]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r] for r in rows]

    def add_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            self._say("Select an offering first.")
            return
        self.add_requested.emit(rows[0].offering.code)

    def compare_selected(self) -> None:
        from ui.screens.plan_compare import PlanCompareDialog

        plans = [r.offering.code for r in self.selected_rows() if r.offering.plan is not None]
        if self._snapshot is None or not 2 <= len(plans) <= 4:
            self._say("Select 2 to 4 plans to compare (Ctrl+click or Shift+arrows).")
            return
        dialog = PlanCompareDialog(self._services, self._runner, plans, self._snapshot, parent=self)
        self.compare_dialog = dialog
        dialog.chosen.connect(self.compare_chosen.emit)
        dialog.open()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


def _price(text: str) -> Decimal | None:
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    value = Decimal(cleaned)
    if not value.is_finite() or value < 0:
        raise ValueError(text)
    return value
