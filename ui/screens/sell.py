"""Sell: the basket. Scan or type a code, pick from the catalog, pay, see the receipt."""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
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
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DeviceError, DomainError, RuleViolation, ValidationError
from domain.catalog_search import headline_price
from domain.users import Permission
from ui.approval import ApprovalDialog
from ui.forms import FieldErrors, error_label
from ui.keys import shortcut
from ui.ops import Lane, Runner, op
from ui.screens.payment import PaymentDialog, ReceiptDialog
from ui.screens.sell_lines import SellLineActions

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.card_payments import CardPaymentResult
    from app.services.invoices import IssuedInvoice
    from app.services.print_queue import PrintJob
    from app.services.receipts import Receipt
    from app.services.sales import BasketLineView, BasketView, SaleResult
    from domain.catalog import Offering
    from ui.screens.invoice_preview import InvoicePreviewDialog

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
log = logging.getLogger(__name__)


class SellScreen(SellLineActions, QWidget):
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
        order_id, cards = basket.order_id, self._services.cards

        def cancelled(_changes: object) -> None:
            self._reset()
            # A part payment by card goes back to the card through the terminal.
            op(
                self._runner, lambda: cards.refund_to_card(order_id, user=user), lane=Lane.IO
            ).success(self._card_refunds_done).failure(self._failed).run()

        op(self._runner, lambda: self._services.sales.cancel(order_id, user=user)).success(
            cancelled
        ).failure(self._failed).run()

    def _card_refunds_done(self, results: list[CardPaymentResult]) -> None:
        if results:
            self.errors.show_message("", "; ".join(r.message for r in results))

    def hold(self) -> None:
        """Put this basket aside (its items stay reserved) and start afresh."""
        basket, user = self._basket, self._require_user()
        if basket is None or not basket.lines:
            return
        op(self._runner, lambda: self._services.sales.hold(basket.order_id, user=user)).success(
            lambda _none: self._reset()
        ).failure(self._failed).run()

    def return_goods(self) -> None:
        """Take goods back from an earlier sale; an exchange continues here in Sell."""
        from ui.screens.returns import ReturnDialog

        basket = self._basket
        customer_id = basket.customer_id if basket is not None else self._pending_customer[0]
        dialog = ReturnDialog(
            self._services, self._runner, user=self._require_user(), customer_id=customer_id,
            parent=self,
        )  # fmt: skip
        dialog.exchange_started.connect(self.open_basket)
        self.return_dialog = dialog
        dialog.open()

    def recall(self) -> None:
        from ui.screens.held_baskets import HeldBasketsDialog

        dialog = HeldBasketsDialog(self._services, self._runner, parent=self)
        dialog.chosen.connect(self._recall)
        self.recall_dialog = dialog
        dialog.open()

    def _recall(self, order_id: uuid.UUID) -> None:
        user = self._require_user()
        current = self._basket
        sales = self._services.sales

        def run() -> BasketView:
            if current is not None and current.lines and current.order_id != order_id:
                sales.hold(current.order_id, user=user)  # the basket on screen is kept too
            return sales.recall(order_id, user=user)

        op(self._runner, run).success(self._added).failure(self._failed).run()

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

    # -- rendering -----------------------------------------------------------------------
    def _render(self) -> None:
        basket = self._basket
        lines = basket.lines if basket else ()
        rows: list[tuple[int | None, tuple[str, ...]]] = []
        for index, line in enumerate(lines):
            monthly = line.monthly_fee.format() if line.monthly_fee else ""
            if line.instalment is not None:
                extra = f"{line.instalment.format()} × {line.instalments}"
                monthly = f"{monthly} + {extra}" if monthly else extra
            terms = []
            if line.commitment:
                terms.append(f"{line.commitment} months")
            if line.instalments:
                terms.append(f"{line.instalments} instalments")
            serial = line.serial or (
                f"scan {line.needs_serial.upper()}" if line.needs_serial else ""
            )
            if line.kind == "plan" and line.port_in:
                temp = f"{line.msisdn}, then " if line.msisdn else ""
                serial = f"{temp}port-in {line.port_in}"
            elif line.kind == "plan":
                serial = line.msisdn or "number: next free (Ctrl+M) or port in (Ctrl+I)"
            elif line.kind == "topup":
                serial = line.msisdn or "number to top up: Ctrl+M"
            name = (
                line.description if line.quantity == 1 else f"{line.quantity} × {line.description}"
            )
            rows.append((index, (name, serial, ", ".join(terms), line.total.format(), monthly)))
            for d in line.discounts:
                now, per_month = (
                    ("", f"−{d.amount.format()}") if d.monthly else (f"−{d.amount.format()}", "")
                )
                rows.append((None, (f"    {d.reason}", "", "", now, per_month)))
        self._row_lines = [line_index for line_index, _ in rows]
        self.lines.setRowCount(len(rows))
        italic = QFont()
        italic.setItalic(True)
        for row, (line_index, cells) in enumerate(rows):
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 3:
                    item.setTextAlignment(RIGHT)
                if line_index is None:
                    item.setFont(italic)
                    item.setForeground(Qt.GlobalColor.darkGreen)
                self.lines.setItem(row, col, item)
        if basket:
            self.customer.setText(f"{basket.customer_name} · {basket.number}")
            monthly_total = basket.monthly_total
            extra = "" if monthly_total.is_zero() else f"   then {monthly_total.format()} / month"
            saved = basket.discount_total
            you_save = (
                f"   (you save {saved.format()})"
                if saved is not None and not saved.is_zero()
                else ""
            )
            credit = ""
            if basket.credit is not None:
                credit = (
                    f"<br>Credit from return: −{basket.credit.format()} · "
                    f"<b>To pay: {basket.due_now.format()}</b>"
                )
            self.total.setText(
                f"<b>Total now: {basket.total.format()}</b>{extra}{you_save}{credit}"
            )
            self.problems.setText("\n".join(f"⚠ {m}" for m in basket.messages))
            self.problems.setVisible(bool(basket.problems))
            self.esim_confirmed.setChecked(basket.esim_device_confirmed)
        else:
            self.total.setText("<b>Total now: 0.00</b>")
            self.problems.hide()
            self.esim_confirmed.setChecked(False)
        self.pay_cash_button.setEnabled(bool(lines) and not (basket and basket.problems))
        self.void_button.setEnabled(basket is not None)
        self.hold_button.setEnabled(bool(lines))
        self._selection_changed()

    # -- line terms and discounts --------------------------------------------------------
    def selected_line(self) -> BasketLineView | None:
        basket = self._basket
        rows = self.lines.selectionModel().selectedRows() if basket else []
        if basket is None or not rows:
            return None
        row = rows[0].row()
        # A discount row belongs to the line above it.
        while row >= 0 and self._row_lines[row] is None:
            row -= 1
        index = self._row_lines[row] if row >= 0 else None
        return None if index is None else basket.lines[index]

    def select_line(self, line_index: int) -> None:
        if line_index in self._row_lines:
            self.lines.clearSelection()
            self.lines.selectRow(self._row_lines.index(line_index))

    def _selection_changed(self) -> None:
        line = self.selected_line()
        kind = line.kind if line else ""
        self.commitment.setEnabled(kind in ("plan", "device"))
        self.instalments.setEnabled(kind == "device")
        self.discount_button.setEnabled(line is not None)
        self.number_button.setEnabled(kind in ("plan", "topup"))
        if line is not None:
            self.commitment.setCurrentIndex(max(0, self.commitment.findData(line.commitment)))
            self.instalments.setCurrentIndex(max(0, self.instalments.findData(line.instalments)))

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
