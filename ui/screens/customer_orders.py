"""What the consultant does with one of the customer's orders, under the 360's Orders tab.

- **Invoice…** (Alt+I): the order's invoice in the preview — print or save it again,
  marked as a copy.
- **Issue invoice** (Alt+V): for a completed sale that has none yet; the preview then shows
  the original.
- **Return…** (Alt+U): the returns dialog with this sale already looked up.

The buttons follow the selected row; the profile is reloaded after an invoice is issued or
goods come back (:attr:`OrderActions.changed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidget, QWidget

from app.errors import DomainError
from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.customer_profile import OrderView
    from app.services.invoices import IssuedInvoice
    from ui.screens.invoice_preview import InvoicePreviewDialog
    from ui.screens.returns import ReturnDialog


class OrderActions(QWidget):
    changed = Signal()  # an invoice was issued or goods came back
    basket_opened = Signal(object)  # an exchange's new basket (order id), continued in Sell

    def __init__(
        self,
        services: Services,
        runner: Runner,
        table: QTableWidget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("order_actions")
        self._services = services
        self._runner = runner
        self._table = table
        self._user: UserInfo | None = None
        self._orders: tuple[OrderView, ...] = ()
        self.preview: InvoicePreviewDialog | None = None
        self.return_dialog: ReturnDialog | None = None

        self.invoice_button = QPushButton("&Invoice…")
        self.invoice_button.setObjectName("order_invoice")
        self.invoice_button.setToolTip("Preview, print or save the invoice again (a copy)")
        self.invoice_button.clicked.connect(self.show_invoice)
        self.issue_button = QPushButton("Issue in&voice")
        self.issue_button.setObjectName("order_issue_invoice")
        self.issue_button.clicked.connect(self.issue_invoice)
        self.return_button = QPushButton("Ret&urn…")
        self.return_button.setObjectName("order_return")
        self.return_button.clicked.connect(self.return_goods)
        self.status = QLabel()
        self.status.setObjectName("order_actions_status")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.invoice_button)
        row.addWidget(self.issue_button)
        row.addWidget(self.return_button)
        row.addWidget(self.status, 1)
        table.itemSelectionChanged.connect(self._update)
        self._update()

    def set_user(self, user: UserInfo | None) -> None:
        self._user = user
        self._update()

    def set_orders(self, orders: tuple[OrderView, ...]) -> None:
        """The orders the table shows, row by row (call after the table is filled)."""
        self._orders = orders
        self.status.clear()
        self._update()

    def selected(self) -> OrderView | None:
        rows = self._table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._orders):
            return None
        return self._orders[rows[0].row()]

    def _update(self) -> None:
        order = self.selected()
        completed = order is not None and order.status == "completed"
        self.invoice_button.setEnabled(order is not None and bool(order.invoice_number))
        self.issue_button.setEnabled(
            completed and order is not None and not order.invoice_number and self._user is not None
        )
        self.return_button.setEnabled(completed and self._user is not None)

    # -- invoices --------------------------------------------------------------------------
    def show_invoice(self) -> None:
        order = self.selected()
        if order is not None and order.invoice_number:
            self.open_preview(order.invoice_number, copy=True)

    def issue_invoice(self) -> None:
        order, user = self.selected(), self._user
        if order is None or user is None:
            return
        invoices, order_id = self._services.invoices, order.id

        def issued(invoice: IssuedInvoice) -> None:
            self.status.setText(f"Invoice {invoice.number} issued.")
            self.changed.emit()
            self.open_preview(invoice.number, copy=not invoice.new)

        op(self._runner, lambda: invoices.issue(order_id, user=user)).success(issued).failure(
            self._failed
        ).run()

    def open_preview(self, number: str, *, copy: bool) -> None:
        from ui.screens.invoice_preview import InvoicePreviewDialog

        dialog = InvoicePreviewDialog(
            self._services, self._runner, number=number, copy=copy, parent=self
        )
        self.preview = dialog
        dialog.open()

    # -- returns ---------------------------------------------------------------------------
    def return_goods(self) -> None:
        order, user = self.selected(), self._user
        if order is None or user is None or order.status != "completed":
            return
        from ui.screens.returns import ReturnDialog

        dialog = ReturnDialog(
            self._services, self._runner, user=user, receipt=order.receipt_number or order.number,
            parent=self,
        )  # fmt: skip
        dialog.returned.connect(lambda _result: self.changed.emit())
        dialog.exchange_started.connect(self.basket_opened)
        self.return_dialog = dialog
        dialog.open()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError):
            self.status.setText(exc.message)
        else:
            raise exc
