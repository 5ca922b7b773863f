"""Return or exchange goods from a completed sale (Sell, Ctrl+R; or Return… on an order in the
customer's 360, which opens it with that sale looked up).

Scan the receipt's barcode (or type the receipt or order number) and press Enter; the
sale's lines appear with what can still come back. For each line the consultant sets the
quantity and the condition; lines that cannot come back say why. *Refund* gives the money
back the way it was paid; *Exchange* turns it into credit on a new basket in Sell. A
refund above the store's limit asks for a manager's approval, or *Hand on* sends it to the
second line (the goods stay in the store, nothing is refunded yet).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from app.services.basket_views import ApprovalRequired
from app.services.returns import ReturnItem
from domain.money import Money
from domain.returns import Condition, unit_refund
from ui.approval import ApprovalDialog
from ui.forms import FieldErrors, error_label
from ui.ops import Lane, Runner, op

if TYPE_CHECKING:
    import uuid

    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.card_payments import CardPaymentResult
    from app.services.returns import ReturnableOrder, ReturnResult

COLUMNS = ("Item", "Sold", "Returned", "Paid", "Return", "Condition", "Note")


class ReturnDialog(QDialog):
    exchange_started = Signal(object)  # the new basket's order id
    returned = Signal(object)  # ReturnResult

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        user: UserInfo,
        customer_id: uuid.UUID | None = None,
        receipt: str = "",
        parent: QWidget | None = None,
    ) -> None:
        """``receipt``: a receipt or order number to look up at once (the 360's Return…)."""
        super().__init__(parent)
        self.setObjectName("return_dialog")
        self.setWindowTitle("Return or exchange")
        self.resize(860, 520)
        self._services = services
        self._runner = runner
        self._user = user
        self._order: ReturnableOrder | None = None
        self.result_: ReturnResult | None = None
        self.approval_dialog: ApprovalDialog | None = None

        self.general = error_label()
        self.general.setObjectName("return_error")
        self.errors = FieldErrors(self.general)
        self.receipt = QLineEdit()
        self.receipt.setObjectName("return_receipt")
        self.receipt.setPlaceholderText("Scan the receipt or type its number, then Enter")
        self.receipt.returnPressed.connect(self.find_sale)
        receipt_error = error_label()
        self.errors.bind("receipt", receipt_error, self.receipt)
        self.recent = QComboBox()
        self.recent.setObjectName("return_recent")
        self.recent.activated.connect(self._recent_chosen)
        self.recent.hide()
        self._recent: list[ReturnableOrder] = []
        self.sale = QLabel()
        self.sale.setObjectName("return_sale")
        self.lines = QTableWidget(0, len(COLUMNS))
        self.lines.setObjectName("return_lines")
        self.lines.setHorizontalHeaderLabels(list(COLUMNS))
        self.lines.verticalHeader().hide()
        self.lines.horizontalHeader().setStretchLastSection(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("return_reason")
        self.reason.setPlaceholderText("Why the customer brings it back")
        reason_error = error_label()
        self.errors.bind("reason", reason_error, self.reason)
        self.refund = QLabel()
        self.refund.setObjectName("return_refund")
        self.done_label = QLabel()
        self.done_label.setObjectName("return_done")
        self.done_label.setWordWrap(True)
        self.refund_button = QPushButton("&Refund")
        self.refund_button.setObjectName("refund")
        self.refund_button.clicked.connect(lambda: self.submit())
        self.exchange_button = QPushButton("&Exchange for a new sale")
        self.exchange_button.setObjectName("exchange")
        self.exchange_button.clicked.connect(lambda: self.submit(exchange=True))
        self.credit_button = QPushButton("&Credit note")
        self.credit_button.setObjectName("store_credit")
        self.credit_button.setToolTip("No money back: a credit note the customer spends later")
        self.credit_button.clicked.connect(lambda: self.submit(store_credit=True))
        self.hand_on_button = QPushButton("&Hand on to the second line")
        self.hand_on_button.setObjectName("hand_on")
        self.hand_on_button.clicked.connect(lambda: self.submit(hand_on=True))
        self.hand_on_button.hide()
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        for button in (self.refund_button, self.exchange_button, self.credit_button):
            button.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Receipt or order number"))
        layout.addWidget(self.receipt)
        layout.addWidget(receipt_error)
        layout.addWidget(self.recent)
        layout.addWidget(self.sale)
        layout.addWidget(self.lines, 1)
        layout.addWidget(QLabel("Reason"))
        layout.addWidget(self.reason)
        layout.addWidget(reason_error)
        layout.addWidget(self.refund)
        layout.addWidget(self.general)
        layout.addWidget(self.done_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hand_on_button)
        buttons.addStretch(1)
        buttons.addWidget(self.exchange_button)
        buttons.addWidget(self.credit_button)
        buttons.addWidget(self.refund_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.receipt.setFocus()
        if receipt:
            self.receipt.setText(receipt)
            self.find_sale()
        elif customer_id is not None:  # no receipt? the customer's latest sales
            op(runner, lambda: services.returns.orders_of(customer_id)).success(
                self._show_recent
            ).run()

    def _show_recent(self, orders: list[ReturnableOrder]) -> None:
        self._recent = orders
        self.recent.clear()
        self.recent.addItem("… or choose one of the customer's sales")
        for order in orders:
            items = ", ".join(line.description for line in order.lines[:3])
            self.recent.addItem(f"{order.sold_on.isoformat()} {order.number}: {items}")
        self.recent.setVisible(bool(orders))

    def _recent_chosen(self, index: int) -> None:
        if 1 <= index <= len(self._recent):
            self._show(self._recent[index - 1])

    # -- finding the sale ----------------------------------------------------------------
    def find_sale(self) -> None:
        self.errors.clear()
        text = self.receipt.text()
        op(self._runner, lambda: self._services.returns.find(text)).success(self._show).failure(
            self._failed
        ).run()

    def _show(self, order: ReturnableOrder) -> None:
        self._order = order
        self.hand_on_button.hide()
        window = (
            f"returns until {order.last_day.isoformat()}"
            if order.window_open
            else f"the return window ended on {order.last_day.isoformat()}"
        )
        self.sale.setText(
            f"<b>{order.number}</b> · receipt {order.receipt_number} · {order.customer_name} · "
            f"sold {order.sold_on.isoformat()} · paid by {order.tender} · {window}"
        )
        self.lines.setRowCount(len(order.lines))
        for row, line in enumerate(order.lines):
            name = f"{line.description} {line.serial}".strip()
            cells = (name, str(line.sold), str(line.returned), line.paid.format())
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.lines.setItem(row, col, item)
            left = line.sold - line.returned
            quantity = QSpinBox()
            quantity.setObjectName(f"return_quantity_{row}")
            quantity.setRange(0, max(left, 0))
            quantity.valueChanged.connect(self._update_refund)
            condition = QComboBox()
            condition.setObjectName(f"return_condition_{row}")
            for choice in Condition:
                condition.addItem(choice.label, choice.value)
            usable = not line.why_not and left > 0 and order.window_open
            quantity.setEnabled(usable)
            condition.setEnabled(usable)
            self.lines.setCellWidget(row, 4, quantity)
            self.lines.setCellWidget(row, 5, condition)
            note = line.why_not or ("all returned" if left <= 0 else "")
            self.lines.setItem(row, 6, QTableWidgetItem(note))
        self.lines.resizeColumnsToContents()
        self._update_refund()

    # -- choosing ------------------------------------------------------------------------
    def set_quantity(
        self, row: int, quantity: int, condition: Condition = Condition.UNOPENED
    ) -> None:
        spin = self.lines.cellWidget(row, 4)
        combo = self.lines.cellWidget(row, 5)
        assert isinstance(spin, QSpinBox) and isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(condition.value))
        spin.setValue(quantity)

    def _items(self) -> list[ReturnItem]:
        order, items = self._order, []
        if order is None:
            return []
        for row, line in enumerate(order.lines):
            spin = self.lines.cellWidget(row, 4)
            combo = self.lines.cellWidget(row, 5)
            if isinstance(spin, QSpinBox) and isinstance(combo, QComboBox) and spin.value():
                items.append(ReturnItem(line.line_id, spin.value(), Condition(combo.currentData())))
        return items

    def _update_refund(self) -> None:
        order = self._order
        items = self._items()
        if order is None or not items:
            self.refund.setText("Choose how many of each item come back.")
            self.refund_button.setEnabled(False)
            self.exchange_button.setEnabled(False)
            self.credit_button.setEnabled(False)
            return
        by_id = {line.line_id: line for line in order.lines}
        total = sum(
            unit_refund(by_id[i.line_id].paid.minor, by_id[i.line_id].sold,
                        by_id[i.line_id].returned, i.quantity)
            for i in items
        )  # fmt: skip
        money = Money.from_minor(total, order.lines[0].paid.currency)
        self.refund.setText(f"<b>Refund {money.format()}</b> to {order.tender}")
        self.refund_button.setEnabled(True)
        self.exchange_button.setEnabled(True)
        self.credit_button.setEnabled(True)

    # -- the return ----------------------------------------------------------------------
    def submit(
        self, *, exchange: bool = False, hand_on: bool = False,
        approved_by: uuid.UUID | None = None, store_credit: bool = False,
    ) -> None:  # fmt: skip
        order = self._order
        if order is None:
            return
        self.errors.clear()
        items, reason, user = self._items(), self.reason.text(), self._user

        def run() -> ReturnResult:
            return self._services.returns.create_return(
                order.order_id, items, reason=reason, user=user, approved_by=approved_by,
                hand_on_above_limit=hand_on, exchange=exchange, store_credit=store_credit,
            )  # fmt: skip

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ApprovalRequired):
                self.hand_on_button.show()
                self._ask_approval(exc.message, exchange=exchange, store_credit=store_credit)
            else:
                self._failed(exc)

        op(self._runner, run).success(self._done).failure(failed).run()

    def _ask_approval(self, message: str, *, exchange: bool, store_credit: bool = False) -> None:
        order = self._order
        assert order is not None
        dialog = ApprovalDialog(
            self._services, self._runner, requested_by=self._user, action="refund",
            subject=f"Return from sale {order.number}",
            explanation=f"{message}\nA manager enters their PIN here, or close this and hand "
            "the refund on to the second line.",
            parent=self,
        )  # fmt: skip
        self.approval_dialog = dialog

        def approved() -> None:
            if dialog.record is not None:
                self.submit(
                    exchange=exchange, approved_by=dialog.record.approved_by.id,
                    store_credit=store_credit,
                )  # fmt: skip

        dialog.accepted.connect(approved)
        dialog.open()

    def _done(self, result: ReturnResult) -> None:
        self.result_ = result
        if result.status == "awaiting_approval":
            text = (
                f"Return {result.number}: {result.refund.format()} handed on to the second "
                "line for approval. The goods stay in the store; nothing was refunded yet."
            )
        elif result.tender == "credit_note":
            text = (
                f"Return {result.number}: credit note {result.credit_note_number} for "
                f"{result.refund.format()} — give it to the customer; it pays later sales."
            )
        elif result.exchange_order_id is not None:
            text = (
                f"Return {result.number}: {result.refund.format()} credited to the new sale "
                f"(credit note {result.credit_note_number})."
            )
        else:
            text = (
                f"Return {result.number}: give back {result.refund.format()} ({result.tender}); "
                f"credit note {result.credit_note_number}."
            )
        self.done_label.setText(text)
        if (
            result.status == "completed"
            and result.tender == "card"
            and (result.exchange_order_id is None)
        ):
            self._refund_to_card(text)
        self.refund_button.setEnabled(False)
        self.exchange_button.setEnabled(False)
        self.credit_button.setEnabled(False)
        self.hand_on_button.hide()
        self.returned.emit(result)
        if result.exchange_order_id is not None:
            self.exchange_started.emit(result.exchange_order_id)
            self.accept()

    def _refund_to_card(self, text: str) -> None:
        """The card refund goes through the terminal now; the consultant sees its answer."""
        assert self._order is not None
        order_id, user, cards = self._order.order_id, self._user, self._services.cards
        self.done_label.setText(text + " Refunding to the card on the terminal…")

        def run() -> list[CardPaymentResult]:
            return cards.refund_to_card(order_id, user=user)

        def shown(results: list[CardPaymentResult]) -> None:
            answers = "; ".join(r.message for r in results) or "nothing to refund"
            self.done_label.setText(f"{text} {answers}.")

        def failed(exc: BaseException) -> None:
            message = getattr(exc, "message", str(exc))
            self.done_label.setText(f"{text} The card refund waits: {message}")

        op(self._runner, run, lane=Lane.IO).success(shown).failure(failed).run()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        elif isinstance(exc, DomainError):
            self.errors.show_message("", exc.message)
        else:
            raise exc
