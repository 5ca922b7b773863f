"""A manual discount on one basket line: percentage or amount, always with a reason.

Up to the role's limit (catalog policies) the consultant gives it alone; above it the
service answers "needs a manager", the approval dialog opens, and the discount is applied
with the manager's approval recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.services.sales import ApprovalRequired
from ui.approval import ApprovalDialog
from ui.forms import FieldErrors, error_label
from ui.ops import Runner, op

if TYPE_CHECKING:
    import uuid

    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.sales import BasketLineView, BasketView


class DiscountDialog(QDialog):
    applied = Signal(object)  # BasketView

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        basket: BasketView,
        line: BasketLineView,
        user: UserInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("discount_dialog")
        self.setWindowTitle(f"Discount on {line.description}")
        self._services = services
        self._runner = runner
        self._basket = basket
        self._line = line
        self._user = user
        self.approval_dialog: ApprovalDialog | None = None

        self.percent = QLineEdit()
        self.percent.setObjectName("discount_percent")
        self.percent.setPlaceholderText("e.g. 10")
        self.amount = QLineEdit()
        self.amount.setObjectName("discount_amount")
        self.amount.setPlaceholderText("or an amount, e.g. 5.00")
        self.reason = QLineEdit()
        self.reason.setObjectName("discount_reason")
        self.monthly = QCheckBox("On the monthly fee")
        self.monthly.setObjectName("discount_monthly")
        self.monthly.setVisible(line.monthly_fee is not None)
        self.monthly.setChecked(line.monthly_fee is not None and line.total.is_zero())
        self.general = error_label()
        self.general.setObjectName("discount_error")
        self.errors = FieldErrors(self.general)
        labels = {name: error_label() for name in ("percent", "amount", "reason")}
        self.errors.bind("percent", labels["percent"], self.percent)
        self.errors.bind("amount", labels["amount"], self.amount)
        self.errors.bind("reason", labels["reason"], self.reason)

        form = QFormLayout()
        form.addRow("&Percent off", self.percent)
        form.addRow("", labels["percent"])
        form.addRow("&Amount off", self.amount)
        form.addRow("", labels["amount"])
        form.addRow("&Reason", self.reason)
        form.addRow("", labels["reason"])
        form.addRow("", self.monthly)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"List price now {line.unit_price.format()} × {line.quantity}"))
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)

    def submit(self, approved_by: uuid.UUID | None = None) -> None:
        self.errors.clear()
        self.buttons.setEnabled(False)
        sales = self._services.sales
        basket, line, user = self._basket, self._line, self._user
        percent, amount, reason = self.percent.text(), self.amount.text(), self.reason.text()
        monthly = self.monthly.isChecked()

        def run() -> BasketView:
            return sales.set_manual_discount(
                basket.order_id,
                line.id,
                user=user,
                reason=reason,
                percent=percent,
                amount=amount,
                monthly=monthly,
                approved_by=approved_by,
            )

        def done(view: BasketView) -> None:
            self.buttons.setEnabled(True)
            self.applied.emit(view)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            if isinstance(exc, ValidationError):
                self.errors.show(exc)
            elif isinstance(exc, ApprovalRequired):
                self._ask_manager(exc.message)
            else:
                raise exc

        op(self._runner, run).success(done).failure(failed).run()

    def _ask_manager(self, explanation: str) -> None:
        dialog = ApprovalDialog(
            self._services,
            self._runner,
            requested_by=self._user,
            action="manual_discount",
            subject=f"{self._basket.number} {self._line.sku}",
            explanation=explanation,
            parent=self,
        )
        self.approval_dialog = dialog

        def approved() -> None:
            if dialog.record is not None:
                self.submit(approved_by=dialog.record.approved_by.id)

        dialog.accepted.connect(approved)
        dialog.open()
