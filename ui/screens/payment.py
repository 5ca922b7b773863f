"""The payment dialog (cash, card, account, split) and the receipt preview after a sale."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DeviceError, DomainError, ValidationError
from ui.forms import FieldErrors, error_label
from ui.keys import shortcut
from ui.ops import Lane, Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.card_payments import CardPaymentResult
    from app.services.sales import SaleResult
    from app.services.tendering import PaymentState, TenderLine, TenderResult
    from domain.money import Money


class _StatusRelay(QObject):
    """Carries the terminal's status texts from its I/O thread to the GUI thread."""

    text = Signal(str)


class PaymentDialog(QDialog):
    """Tendering, keyboard first: type an amount, pick the tender with one key.

    **Enter** or **F9** takes it as cash (all that is due, with change, or a part),
    **F10** charges it to a card on the terminal (its texts are shown live), **F11**
    puts what is due on a postpaid customer's account, **F12** spends a credit note whose
    number was typed or scanned into the amount field. Approved tenders are listed and
    kept; the sale completes when they cover the total. **Esc** closes the dialog at any
    point before an approval — the basket is as it was; after a part payment the order
    waits for the rest. While the terminal works, Esc asks it to abort.
    """

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        order_id: uuid.UUID,
        total: Money,
        user: UserInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cash_dialog")
        self.setWindowTitle("Payment")
        self.setMinimumWidth(440)
        self._services = services
        self._runner = runner
        self._order_id = order_id
        self._user = user
        self._busy = False
        self._card_running = False
        self.result_: SaleResult | None = None
        self._relay = _StatusRelay(self)
        self._relay.text.connect(self._terminal_text)

        self.due = QLabel()
        self.due.setObjectName("cash_total")
        self.due.setStyleSheet("font-size: 22pt; font-weight: bold;")
        self.tenders = QLabel()
        self.tenders.setObjectName("payment_tenders")
        self.terminal = QLabel()
        self.terminal.setObjectName("terminal_status")
        self.terminal.setStyleSheet("font-size: 14pt;")
        self.change = QLabel()
        self.change.setObjectName("payment_change")
        self.change.setStyleSheet("font-size: 28pt; font-weight: bold; color: #0b6e0b;")
        self.change.hide()
        self.given = QLineEdit(f"{total.amount:.2f}")
        self.given.setObjectName("cash_given")
        self.given.selectAll()
        general = error_label()
        given_error = error_label()
        given_error.setObjectName("cash_given_error")
        self.errors = FieldErrors(general)
        self.errors.bind("cash_given", given_error, self.given)
        self.errors.bind("amount", given_error, self.given)

        form = QFormLayout()
        form.addRow("Still due", self.due)
        form.addRow("Paid", self.tenders)
        form.addRow("&Amount", self.given)
        form.addRow("", given_error)
        self.cash_button = QPushButton("Cash (Enter / F9)")
        self.cash_button.setObjectName("tender_cash")
        self.cash_button.clicked.connect(self.submit)
        self.card_button = QPushButton("Card (F10)")
        self.card_button.setObjectName("tender_card")
        self.card_button.clicked.connect(self.pay_card)
        self.account_button = QPushButton("On account (F11)")
        self.account_button.setObjectName("tender_account")
        self.account_button.clicked.connect(self.pay_account)
        self.voucher_button = QPushButton("Credit note (F12)")
        self.voucher_button.setObjectName("tender_voucher")
        self.voucher_button.setToolTip("Type or scan the credit note number, then F12")
        self.voucher_button.clicked.connect(self.pay_voucher)
        self.close_button = QPushButton("Close (Esc)")
        self.close_button.clicked.connect(self.reject)
        keys = QHBoxLayout()
        for button in (self.cash_button, self.card_button, self.account_button,
                       self.voucher_button, self.close_button):  # fmt: skip
            button.setAutoDefault(False)
            keys.addWidget(button)
        self.buttons = self  # compatibility: tests and callers enable/disable the dialog
        shortcut(Qt.Key.Key_F9, self, self.submit)
        shortcut(Qt.Key.Key_F10, self, self.pay_card)
        shortcut(Qt.Key.Key_F11, self, self.pay_account)
        shortcut(Qt.Key.Key_F12, self, self.pay_voucher)
        self.given.returnPressed.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.terminal)
        layout.addWidget(self.change)
        layout.addWidget(general)
        layout.addLayout(keys)
        self._show_due(total, ())
        op(self._runner, lambda: services.sales.payment_state(order_id)).success(
            self._show_state
        ).run()

    # -- showing -------------------------------------------------------------------------
    def _show_due(self, remaining: Money, tenders: tuple[TenderLine, ...]) -> None:
        self.due.setText(remaining.format())
        self.tenders.setText(
            "<br>".join(
                f"{t.tender.replace('_', ' ')}: {t.amount.format()}"
                + (f" ({t.detail})" if t.detail else "")
                for t in tenders
            )
            or "nothing yet"
        )

    def _show_state(self, state: PaymentState) -> None:
        self._show_due(state.remaining, state.tenders)
        if state.remaining.amount > 0:
            self.given.setText(f"{state.remaining.amount:.2f}")
            self.given.selectAll()
        if state.unresolved_card:
            self.terminal.setText(
                "A card payment of this order is unclear: the manager checks it (Till)."
            )

    def _terminal_text(self, text: str) -> None:
        self.terminal.setText(text)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.cash_button, self.card_button, self.account_button,
                       self.voucher_button):  # fmt: skip
            button.setEnabled(not busy)
        self.given.setReadOnly(busy)

    # -- tenders -------------------------------------------------------------------------
    def submit(self) -> None:
        """Cash: the amount typed is what the customer handed over."""
        if self._busy:
            return
        given = self.given.text()
        self._run(
            lambda: self._services.sales.tender_cash(self._order_id, given, user=self._user),
            "Completing the sale…",
        )

    def pay_account(self) -> None:
        if self._busy:
            return
        self._run(
            lambda: self._services.sales.tender_account(self._order_id, user=self._user),
            "Completing the sale…",
        )

    def pay_voucher(self) -> None:
        """A credit note from an earlier return: its number is typed into the amount field."""
        if self._busy:
            return
        number = self.given.text()
        self._run(
            lambda: self._services.sales.tender_credit_note(
                self._order_id, number, user=self._user
            ),
            "Applying the credit note…",
        )

    def pay_card(self) -> None:
        if self._busy:
            return
        amount = self.given.text()
        if amount.strip() == self.due.text().split()[0]:
            amount = ""  # all that is due
        self.errors.clear()
        self._set_busy(True)
        self._card_running = True
        self.terminal.setText("Connecting to the card terminal…")
        relay = self._relay
        cards = self._services.cards

        def run() -> CardPaymentResult:
            return cards.pay(self._order_id, amount, user=self._user, on_status=relay.text.emit)

        def done(result: CardPaymentResult) -> None:
            self._card_running = False
            self.terminal.setText(result.message)
            self._tendered(result.tender)

        op(self._runner, run, lane=Lane.IO).success(done).failure(self._failed).run()

    def _run(self, fn: Callable[[], TenderResult], progress: str) -> None:
        self.errors.clear()
        self._set_busy(True)
        op(self._runner, fn).success(self._tendered).failure(self._failed).with_progress(
            progress, parent=self
        ).run()

    def _tendered(self, result: TenderResult) -> None:
        self._set_busy(False)
        if result.change is not None and result.change.amount > 0:
            self.change.setText(f"Change: {result.change.format()}")
            self.change.show()
        if result.sale is not None:
            self.result_ = result.sale
            self.accept()
            return
        self._show_state(result.state)

    def _failed(self, exc: BaseException) -> None:
        self._card_running = False
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        elif isinstance(exc, DomainError):
            self.errors.show_message("", exc.message)
        elif isinstance(exc, DeviceError):
            self.terminal.setText(exc.message)
        else:
            raise exc

    def reject(self) -> None:
        if self._card_running:  # Esc while the terminal works: ask it to abort, stay open
            cards = self._services.cards
            self.terminal.setText("Cancelling on the terminal…")
            op(self._runner, cards.abort, lane=Lane.IO).failure(self._failed).run()
            return
        if self._busy:
            return
        super().reject()


CashDialog = PaymentDialog  # the F9 dialog's former name


class ReceiptDialog(QDialog):
    """Shows the receipt exactly as laid out for the printer, plus the print state.

    ``on_invoice``: offers **Invoice…**, which calls it with this dialog (the parent for
    the invoice preview).
    """

    def __init__(
        self,
        text: str,
        parent: QWidget | None = None,
        *,
        on_invoice: Callable[[QWidget], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("receipt_dialog")
        self.setWindowTitle("Receipt")
        self.preview = QPlainTextEdit(text)
        self.preview.setObjectName("receipt_preview")
        self.preview.setReadOnly(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setMinimumSize(420, 520)
        self.print_state = QLabel("Printing…")
        self.print_state.setObjectName("print_state")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        self.invoice_button: QPushButton | None = None
        if on_invoice is not None:
            self.invoice_button = buttons.addButton(
                "&Invoice…", QDialogButtonBox.ButtonRole.ActionRole
            )
            self.invoice_button.setObjectName("receipt_invoice")
            self.invoice_button.clicked.connect(lambda: on_invoice(self))
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview)
        layout.addWidget(self.print_state)
        layout.addWidget(buttons)

    def set_print_state(self, text: str) -> None:
        self.print_state.setText(text)
