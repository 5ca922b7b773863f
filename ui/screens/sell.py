"""Sell: the basket. Scan or type a code, pick from the catalog, pay, see the receipt.

Mixed in: :mod:`ui.screens.sell_table` (how the basket is shown), :mod:`ui.screens.sell_lines`
(what is done to the selected line) and :mod:`ui.screens.sell_basket` (void, hold, recall,
return).
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import DeviceError, DomainError, RuleViolation, ValidationError
from domain.catalog_search import headline_price
from ui.approval import ApprovalDialog
from ui.forms import FieldErrors, error_label
from ui.keys import shortcut
from ui.ops import Lane, Runner, op
from ui.screens.payment import PaymentDialog, ReceiptDialog
from ui.screens.sell_basket import SellBasketActions
from ui.screens.sell_lines import SellLineActions
from ui.screens.sell_table import SellTable

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.invoices import IssuedInvoice
    from app.services.print_queue import PrintJob
    from app.services.receipts import Receipt
    from app.services.sales import BasketView, SaleResult
    from domain.catalog import Offering
    from ui.screens.invoice_preview import InvoicePreviewDialog

log = logging.getLogger(__name__)


class SellScreen(SellTable, SellBasketActions, SellLineActions, QWidget):
    sale_completed = Signal(object)  # SaleResult
    print_queue_changed = Signal()

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sell_screen")
        self._services = services
        self._runner = runner
        self._user: UserInfo | None = None
        self._basket: BasketView | None = None
        self._pending_customer: tuple[uuid.UUID | None, str] = (None, "Walk-in customer")
        self.last_receipt_dialog: ReceiptDialog | None = None
        self.invoice_preview: InvoicePreviewDialog | None = None
        self.cash_dialog: PaymentDialog | None = None
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
        self.lines = QTableWidget(0, 5)
        self.lines.setObjectName("basket_lines")
        self.lines.setHorizontalHeaderLabels(["Item", "Serial", "Terms", "Now", "Monthly"])
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.lines.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.lines.itemSelectionChanged.connect(self._selection_changed)
        self._row_lines: list[int | None] = []  # table row → index in basket.lines
        self.commitment = QComboBox()
        self.commitment.setObjectName("line_commitment")
        for months in (0, 12, 24):
            self.commitment.addItem("No commitment" if not months else f"{months} months", months)
        self.commitment.activated.connect(self._commitment_chosen)
        self.instalments = QComboBox()
        self.instalments.setObjectName("line_instalments")
        for months in (0, 12, 24):
            self.instalments.addItem(
                "Pay in full" if not months else f"{months} instalments", months
            )
        self.instalments.activated.connect(self._instalments_chosen)
        self.discount_button = QPushButton("&Discount…")
        self.discount_button.setObjectName("line_discount")
        self.discount_button.clicked.connect(self.discount_selected)
        self.number_button = QPushButton("&Number… (Ctrl+M)")
        self.number_button.setObjectName("line_number")
        self.number_button.clicked.connect(self.choose_number)
        self.number_dialog: object | None = None
        self.port_dialog: object | None = None
        self.esim_confirmed = QCheckBox("Customer's phone takes eSIM")
        self.esim_confirmed.setObjectName("esim_confirmed")
        self.esim_confirmed.clicked.connect(self._esim_toggled)
        self.discount_dialog: object | None = None
        self.problems = QLabel()
        self.problems.setObjectName("basket_problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020;")
        self.total = QLabel()
        self.total.setObjectName("basket_total")
        self.total.setWordWrap(True)
        self.pay_cash_button = QPushButton("&Pay (F9)")
        self.pay_cash_button.setObjectName("pay_cash")
        self.pay_cash_button.clicked.connect(self.pay_cash)
        self.void_button = QPushButton("&Void basket")
        self.void_button.setObjectName("void_basket")
        self.void_button.clicked.connect(self.void)
        self.hold_button = QPushButton("&Hold (F7)")
        self.hold_button.setObjectName("hold_basket")
        self.hold_button.clicked.connect(self.hold)
        self.recall_button = QPushButton("Reca&ll… (Shift+F7)")
        self.recall_button.setObjectName("recall_basket")
        self.recall_button.clicked.connect(self.recall)
        self.recall_dialog: object | None = None
        self.return_button = QPushButton("Re&turn / exchange… (Ctrl+R)")
        self.return_button.setObjectName("return_goods")
        self.return_button.clicked.connect(self.return_goods)
        shortcut("Ctrl+R", self, self.return_goods)
        self.return_dialog: object | None = None
        shortcut(Qt.Key.Key_F7, self, self.hold)
        shortcut("Shift+F7", self, self.recall)
        self.remove_button = QPushButton("&Remove line (Del)")
        self.remove_button.clicked.connect(self.remove_selected)
        shortcut(Qt.Key.Key_F9, self, self.pay_cash)
        shortcut(Qt.Key.Key_F3, self, self.focus_code)
        shortcut("Ctrl+M", self, self.choose_number)
        shortcut("Ctrl+I", self, self.port_in)
        shortcut(Qt.Key.Key_Delete, self.lines, self.remove_selected)

        left = QVBoxLayout()
        left.addWidget(self.customer)
        left.addWidget(self.code)
        left.addWidget(self.code_error)
        left.addWidget(self.lines, 1)
        terms = QHBoxLayout()
        terms.addWidget(QLabel("Selected line:"))
        terms.addWidget(self.commitment)
        terms.addWidget(self.instalments)
        terms.addWidget(self.discount_button)
        terms.addWidget(self.number_button)
        terms.addStretch(1)
        terms.addWidget(self.esim_confirmed)
        left.addLayout(terms)
        left.addWidget(self.problems)
        left.addWidget(self.total)
        totals = QHBoxLayout()
        totals.addStretch(1)
        totals.addWidget(self.recall_button)
        totals.addWidget(self.return_button)
        totals.addWidget(self.hold_button)
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

    def open_basket(self, order_id: uuid.UUID) -> None:
        """Continue an existing basket (e.g. the fee basket a SIM swap started)."""
        op(self._runner, lambda: self._services.sales.basket(order_id)).success(
            self._added
        ).failure(self._failed).run()

    def focus_code(self) -> None:
        self.code.setFocus()

    def load_catalog(self) -> None:
        catalog = self._services.catalog
        op(self._runner, lambda: catalog.sellable(day=date.today())).success(
            self._show_catalog
        ).run()

    def _show_catalog(self, offerings: list[Offering]) -> None:
        self.catalog.clear()
        today = date.today()
        for offering in offerings:
            price = headline_price(offering, today)
            monthly = offering.plan is not None or offering.kind.value == "addon"
            per = " / month" if monthly else ""
            item = QListWidgetItem(f"{offering.name} — {price:.2f}{per}  [{offering.code}]")
            item.setData(Qt.ItemDataRole.UserRole, offering)
            self.catalog.addItem(item)

    def _catalog_activated(self, item: QListWidgetItem) -> None:
        offering: Offering = item.data(Qt.ItemDataRole.UserRole)
        if offering.serial == "iccid":
            self.errors.show_message("code", f"Scan the ICCID to sell {offering.name}.")
            return
        self._add(offering.code)

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

        selected = self.selected_line()
        waiting = selected if selected is not None and selected.needs_serial == "imei" else None
        imei = code.strip().replace(" ", "")
        fills = waiting is not None and imei.isdigit() and len(imei) in (15, 16)

        def run() -> BasketView:
            basket = self._basket
            if basket is None:
                basket = sales.start(customer_id=customer_id, user=user)
            if fills and waiting is not None:  # the selected phone line takes this unit
                return sales.fill_serial(basket.order_id, waiting.id, imei, user=user)
            return sales.add_code(basket.order_id, code, user=user)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.errors.show(exc)
            elif isinstance(exc, DomainError):
                self.errors.show_message("code", exc.message)
            else:
                raise exc

        op(self._runner, run).success(self._added).failure(failed).run()

    def _added(self, basket: BasketView) -> None:
        self._basket = basket
        self.code.clear()
        self._render()

    def remove_selected(self) -> None:
        basket, user = self._basket, self._require_user()
        line = self.selected_line()
        if basket is None or line is None:
            return
        line_id = line.id
        op(
            self._runner,
            lambda: self._services.sales.remove_line(basket.order_id, line_id, user=user),
        ).success(self._added).run()

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
        if basket.problems:
            self.errors.show_message("code", "Solve the problems under the basket first.")
            return
        dialog = PaymentDialog(
            self._services,
            self._runner,
            order_id=basket.order_id,
            total=basket.due_now,
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
        receipts, order_id = self._services.receipts, result.order_id
        op(self._runner, lambda: receipts.for_order(order_id)).success(
            lambda receipt: self._show_receipt(receipt, order_id)
        ).run()

    def invoice(self, order_id: uuid.UUID, parent: QWidget) -> None:
        """The sale's invoice, issued now (or the one issued before, as a copy), previewed."""
        from ui.screens.invoice_preview import InvoicePreviewDialog

        user, invoices = self._require_user(), self._services.invoices

        def issued(invoice: IssuedInvoice) -> None:
            self.invoice_preview = InvoicePreviewDialog(
                self._services, self._runner, number=invoice.number, copy=not invoice.new,
                parent=parent,
            )  # fmt: skip
            self.invoice_preview.open()

        op(self._runner, lambda: invoices.issue(order_id, user=user)).success(issued).failure(
            self._failed
        ).run()

    def _show_receipt(self, receipt: Receipt, order_id: uuid.UUID | None = None) -> None:
        on_invoice = None if order_id is None else lambda parent: self.invoice(order_id, parent)
        dialog = ReceiptDialog(receipt.text, self, on_invoice=on_invoice)
        self.last_receipt_dialog = dialog
        devices = self._services.devices

        queue = self._services.print_queue
        number = receipt.doc.barcode or ""

        def run() -> PrintJob:
            # The job is saved before the printer is touched: a failed print waits in the
            # queue (Till, Ctrl+5) and never undoes the sale. The drawer opens for cash
            # whether or not the paper came out.
            job = queue.submit("receipt", number, receipt.doc)
            if receipt.cash:
                try:
                    devices.kick_drawer()
                except DeviceError as exc:
                    log.warning("the drawer did not open: %s", exc.message)
            return job

        def printed(job: PrintJob) -> None:
            if job.printed:
                dialog.set_print_state("Printed.")
            else:
                dialog.set_print_state(
                    f"Not printed: {job.last_error}. It waits in the print queue (Till); "
                    "the sale is saved."
                )
            self.print_queue_changed.emit()

        op(self._runner, run, lane=Lane.IO).success(printed).run()
        dialog.open()

    # -- plan choice, results, failures --------------------------------------------------
    def add_plan_choice(self, plan: str, commitment: int, device: str, instalments: int) -> None:
        """Put a plan chosen in the comparison (and its phone) in the basket, with terms."""
        user = self._require_user()
        self.errors.clear()
        sales = self._services.sales
        customer_id = self._pending_customer[0]
        current = self._basket

        def run() -> BasketView:
            basket = current or sales.start(customer_id=customer_id, user=user)
            view = sales.add_code(basket.order_id, plan, user=user)
            plan_line = view.lines[-1]
            view = sales.set_terms(view.order_id, plan_line.id, user=user, commitment=commitment)
            if device:
                view = sales.add_code(view.order_id, device, user=user)
                if instalments:
                    view = sales.set_terms(
                        view.order_id, view.lines[-1].id, user=user, instalments=instalments
                    )
            return view

        op(self._runner, run).success(self._added).failure(self._failed).run()

    def _shown_with(self, basket: BasketView, position: int) -> None:
        self._added(basket)
        self.select_line(position)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        elif isinstance(exc, RuleViolation):
            self.errors.show_message("code", str(exc))
        else:
            raise exc

    def _require_user(self) -> UserInfo:
        if self._user is None:
            raise RuntimeError("no user is logged in")
        return self._user
