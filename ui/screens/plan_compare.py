"""Plans side by side: fee, allowances, cost now with and without a phone, cost over the term.

The figures come from the pricing engine (promotions included) on the database lane; the
consultant changes the term, the phone or the instalments and the columns follow. "Choose"
under a column puts that plan (and the phone) in the basket.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from domain.catalog import Offering, OfferingKind
from domain.catalog_search import UNLIMITED_MB
from ui.ops import Runner, op
from ui.screens.catalog import data_text

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.catalog import CatalogSnapshot
    from domain.plan_compare import PlanColumn

ROWS = (
    "Monthly fee",
    "Data",
    "Minutes",
    "SMS",
    "Roaming",
    "Commitment",
    "Due now (no phone)",
    "Due now with phone",
    "Monthly with phone",
    "Total over term (no phone)",
    "Total over term with phone",
    "Notes",
)


def _allowance(value: int | None) -> str:
    return "Unlimited" if value is None else f"{value:,}"


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


class PlanCompareDialog(QDialog):
    chosen = Signal(str, int, str, int)  # plan, commitment, device ("" none), instalments

    def __init__(
        self,
        services: Services,
        runner: Runner,
        plan_codes: list[str],
        snapshot: CatalogSnapshot,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("plan_compare")
        self.setWindowTitle("Compare plans")
        self._services = services
        self._runner = runner
        self._plans = plan_codes
        self.columns: list[PlanColumn] = []

        self.commitment = QComboBox()
        self.commitment.setObjectName("compare_commitment")
        for months in (0, 12, 24):
            self.commitment.addItem("No commitment" if not months else f"{months} months", months)
        self.commitment.setCurrentIndex(2)
        self.device = QComboBox()
        self.device.setObjectName("compare_device")
        self.device.addItem("No phone", "")
        catalog = snapshot.catalog
        devices: list[Offering] = sorted(
            (
                o
                for o in catalog.offerings.values()
                if o.kind is OfferingKind.DEVICE and o.sellable_on(date.today())
            ),
            key=lambda o: o.name,
        )
        for device in devices:
            self.device.addItem(device.name, device.code)
        self.instalments = QComboBox()
        self.instalments.setObjectName("compare_instalments")
        for months in (0, 12, 24):
            self.instalments.addItem(
                "Pay in full" if not months else f"{months} instalments", months
            )

        self.table = QTableWidget(len(ROWS), len(plan_codes))
        self.table.setObjectName("compare_table")
        self.table.setVerticalHeaderLabels(list(ROWS))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.choose_buttons: list[QPushButton] = []
        choose = QHBoxLayout()
        choose.addSpacing(self.table.verticalHeader().sizeHint().width())
        for n, code in enumerate(plan_codes):
            button = QPushButton(f"Choose {catalog.require(code).name}")
            button.setObjectName(f"compare_choose_{n}")
            button.clicked.connect(lambda _=False, c=code: self._choose(c))
            self.choose_buttons.append(button)
            choose.addWidget(button)
        self.status = QLabel()
        self.status.setObjectName("compare_status")

        form = QFormLayout()
        form.addRow("Commitment", self.commitment)
        form.addRow("Phone", self.device)
        form.addRow("Phone paid", self.instalments)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addLayout(choose)
        layout.addWidget(self.status)
        self.resize(220 + 200 * len(plan_codes), 520)

        for combo in (self.commitment, self.device, self.instalments):
            combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        catalog = self._services.catalog
        commitment = int(self.commitment.currentData())
        device = str(self.device.currentData()) or None
        instalments = int(self.instalments.currentData()) if device else 0
        plans = list(self._plans)
        self.status.setText("Pricing…")
        op(
            self._runner,
            lambda: catalog.compare(
                plans,
                commitment=commitment,
                day=date.today(),
                device=device,
                instalments=instalments,
            ),
        ).success(self._show).run()

    def _show(self, columns: list[PlanColumn]) -> None:
        self.columns = columns
        self.table.setHorizontalHeaderLabels([c.plan.name for c in columns])
        for col, column in enumerate(columns):
            spec = column.plan.plan
            term = "none" if not column.commitment else f"{column.commitment} months"
            values = (
                f"{column.monthly:.2f}",
                data_text(None if spec is None else (spec.data_mb or UNLIMITED_MB)),
                _allowance(spec.minutes) if spec else "",
                _allowance(spec.sms) if spec else "",
                "Included" if spec and spec.roaming else "No",
                term,
                _money(column.upfront),
                _money(column.device_upfront),
                _money(column.device_monthly),
                f"{_money(column.total)} over {column.term} months",
                _money(column.device_total),
                "\n".join(p.message for p in column.problems) or "",
            )
            for row, text in enumerate(values):
                item = QTableWidgetItem(text)
                if row not in (1, 2, 3, 4, 5, 11):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        self.status.setText("Prices include the promotions that apply today.")

    def _choose(self, code: str) -> None:
        device = str(self.device.currentData())
        instalments = int(self.instalments.currentData()) if device else 0
        self.chosen.emit(code, int(self.commitment.currentData()), device, instalments)
        self.accept()
