"""Sell: the basket. Scan or type a code, pick from the catalog, pay, see the receipt."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from domain.users import Permission
from ui.approval import ApprovalDialog
from ui.forms import FieldErrors, error_label
from ui.keys import shortcut
from ui.ops import Lane, Runner, op
from ui.screens.payment import CashDialog, ReceiptDialog

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.catalog import OfferingView
    from app.services.receipts import Receipt
    from app.services.sales import BasketView, SaleResult

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class SellScreen(QWidget):
    sale_completed = Signal(object)  # SaleResult

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sell_screen")
        self._services = services
        self._runner = runner
        self._user: UserInfo | None = None
        self._basket: BasketView | None = None
        self._pending_customer: tuple[uuid.UUID | None, str] = (None, "Walk-in customer")
        self.last_receipt_dialog: ReceiptDialog | None = None
        self.cash_dialog: CashDialog | None = None
        self.approval_dialog: ApprovalDialog | None = None

        self.customer = QLabel("Walk-in customer")
        self.customer.setObjectName("sell_customer")
        self.code = QLineEdit()
        self.code.setObjectName("sell_code")
        self.code.setPlaceholderText("Scan or type SKU, EAN or ICCID and press Enter  (F3)")
        self.code.returnPressed.connect(self.add_code)
        self.code_error = error_label()
        self.code_error.setObjectName("sell_code_error")
        self.errors = FieldErrors(self.code_error)
        self.errors.bind("code", self.code_error, self.code)
        self.catalog = QListWidget()
        self.catalog.setObjectName("sell_catalog")
        self.catalog.itemActivated.connect(self._catalog_activated)
        self.lines = QTableWidget(0, 4)
        self.lines.setObjectName("basket_lines")
        self.lines.setHorizontalHeaderLabels(["Item", "Serial", "Price", "Monthly"])
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.lines.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.total = QLabel()
        self.total.setObjectName("basket_total")
        self.pay_cash_button = QPushButton("Pay &cash (F9)")
        self.pay_cash_button.setObjectName("pay_cash")
        self.pay_cash_button.clicked.connect(self.pay_cash)
        self.void_button = QPushButton("&Void basket")
        self.void_button.setObjectName("void_basket")
        self.void_button.clicked.connect(self.void)
        self.remove_button = QPushButton("&Remove line (Del)")
        self.remove_button.clicked.connect(self.remove_selected)
        shortcut(Qt.Key.Key_F9, self, self.pay_cash)
        shortcut(Qt.Key.Key_F3, self, self.focus_code)
        shortcut(Qt.Key.Key_Delete, self.lines, self.remove_selected)

        left = QVBoxLayout()
        left.addWidget(self.customer)
        left.addWidget(self.code)
        left.addWidget(self.code_error)
        left.addWidget(self.lines, 1)
        totals = QHBoxLayout()
        totals.addWidget(self.total, 1)
        totals.addWidget(self.remove_button)
        totals.addWidget(self.void_button)
        totals.addWidget(self.pay_cash_button)
        left.addLayout(totals)
        right = QVBoxLayout()
        right.addWidget(QLabel("Catalog (Enter adds)"))
        right.addWidget(self.catalog)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self._render()

    # -- context -------------------------------------------------------------------------
    def set_user(self, user: UserInfo | None) -> None:
        self._user = user

    def start_for(self, customer_id: uuid.UUID | None, name: str) -> None:
        """Start a basket for this customer (the current empty basket is reused)."""
        self._pending_customer = (customer_id, name)
        if self._basket is not None and not self._basket.lines:
            self._basket = None
        if self._basket is None:
            self.customer.setText(name)
        self.focus_code()

    def focus_code(self) -> None:
        self.code.setFocus()

    def load_catalog(self) -> None:
        op(self._runner, self._services.catalog.sellable).success(self._show_catalog).run()

    def _show_catalog(self, offerings: list[OfferingView]) -> None:
        self.catalog.clear()
        for offering in offerings:
            price = offering.price.format()
            monthly = f" + {offering.monthly_fee.format()}/month" if offering.monthly_fee else ""
            item = QListWidgetItem(f"{offering.name} — {price}{monthly}  [{offering.sku}]")
            item.setData(Qt.ItemDataRole.UserRole, offering)
            self.catalog.addItem(item)

    def _catalog_activated(self, item: QListWidgetItem) -> None:
        offering: OfferingView = item.data(Qt.ItemDataRole.UserRole)
        if offering.serial_kind:
            self.errors.show_message(
                "code", f"Scan the {offering.serial_kind.upper()} to sell {offering.name}."
            )
            return
        self._add(offering.sku)

    # -- basket --------------------------------------------------------------------------
    def handle_scan(self, code: str) -> None:
        self._add(code)

    def add_code(self) -> None:
        code = self.code.text()
        self._add(code)

    def _add(self, code: str) -> None:
        user = self._require_user()
        self.errors.clear()
        sales = self._services.sales
        customer_id = self._pending_customer[0]

        def run() -> BasketView:
            basket = self._basket
            if basket is None:
                basket = sales.start(customer_id=customer_id, user=user)
            return sales.add_code(basket.order_id, code, user=user)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.errors.show(exc)
            else:
                raise exc

        op(self._runner, run).success(self._added).failure(failed).run()

    def _added(self, basket: BasketView) -> None:
        self._basket = basket
        self.code.clear()
        self._render()

    def remove_selected(self) -> None:
        basket, user = self._basket, self._require_user()
        rows = self.lines.selectionModel().selectedRows()
        if basket is None or not rows:
            return
        line_id = basket.lines[rows[0].row()].id
        op(
            self._runner,
            lambda: self._services.sales.remove_line(basket.order_id, line_id, user=user),
        ).success(self._added).run()

    def void(self) -> None:
        basket, user = self._basket, self._require_user()
        if basket is None:
            return
        if basket.lines and not user.can(Permission.VOID):
            dialog = ApprovalDialog(
                self._services,
                self._runner,
                requested_by=user,
                action="void_basket",
                subject=basket.number,
                explanation=f"Voiding {basket.number} ({basket.total.format()}) needs a manager.",
                parent=self,
            )
            self.approval_dialog = dialog
            dialog.accepted.connect(lambda: self._cancel(basket, user))
            dialog.open()
            return
        self._cancel(basket, user)

    def _cancel(self, basket: BasketView, user: UserInfo) -> None:
        op(self._runner, lambda: self._services.sales.cancel(basket.order_id, user=user)).success(
            lambda _changes: self._reset()
        ).run()

    def _reset(self) -> None:
        self._basket = None
        self.code.clear()
        self.errors.clear()
        self._pending_customer = (None, "Walk-in customer")
        self.customer.setText("Walk-in customer")
        self._render()

    # -- payment -------------------------------------------------------------------------
    def pay_cash(self) -> None:
        basket, user = self._basket, self._require_user()
        if basket is None or not basket.lines:
            self.errors.show_message("code", "The basket is empty.")
            return
        dialog = CashDialog(
            self._services,
            self._runner,
            order_id=basket.order_id,
            total=basket.total,
            user=user,
            parent=self,
        )
        self.cash_dialog = dialog

        def accepted() -> None:
            if dialog.result_ is not None:
                self._completed(dialog.result_)

        dialog.accepted.connect(accepted)
        dialog.open()

    def _completed(self, result: SaleResult) -> None:
        self._reset()
        self.sale_completed.emit(result)
        receipts = self._services.receipts
        op(self._runner, lambda: receipts.for_order(result.order_id)).success(
            self._show_receipt
        ).run()

    def _show_receipt(self, receipt: Receipt) -> None:
        dialog = ReceiptDialog(receipt.text, self)
        self.last_receipt_dialog = dialog
        devices = self._services.devices

        def printed(_: None) -> None:
            dialog.set_print_state("Printed.")

        def not_printed(exc: BaseException) -> None:
            message = getattr(exc, "message", str(exc))
            dialog.set_print_state(f"Not printed: {message}. The sale is saved.")

        op(
            self._runner,
            lambda: devices.print_receipt(receipt.doc, kick_drawer=receipt.cash),
            lane=Lane.IO,
        ).success(printed).failure(not_printed).run()
        dialog.open()

    # -- rendering -----------------------------------------------------------------------
    def _render(self) -> None:
        basket = self._basket
        lines = basket.lines if basket else ()
        self.lines.setRowCount(len(lines))
        for row, line in enumerate(lines):
            monthly = line.monthly_fee.format() if line.monthly_fee else ""
            cells = (line.description, line.serial, line.total.format(), monthly)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.lines.setItem(row, col, item)
        if basket:
            self.customer.setText(f"{basket.customer_name} · {basket.number}")
            per_month = basket.monthly_total
            extra = "" if per_month.is_zero() else f"   then {per_month.format()} / month"
            self.total.setText(f"<b>Total now: {basket.total.format()}</b>{extra}")
        else:
            self.total.setText("<b>Total now: 0.00</b>")
        self.pay_cash_button.setEnabled(bool(lines))
        self.void_button.setEnabled(basket is not None)

    def _require_user(self) -> UserInfo:
        if self._user is None:
            raise RuntimeError("no user is logged in")
        return self._user
