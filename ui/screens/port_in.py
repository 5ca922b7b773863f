"""Port a number in on the selected plan line (Sell, Ctrl+I).

The consultant types the number the customer brings, picks the donor operator (or types
another), the porting code and the day; with "temporary number" the line starts on one
of ours (Ctrl+M picks it, otherwise the next free one) until the port is done. Nothing is
handed on until the sale is paid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from domain.porting import DONOR_OPERATORS, next_working_day
from ui.forms import FieldErrors, error_label
from ui.ops import Runner, op

if TYPE_CHECKING:
    import uuid
    from datetime import date

    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.sales import BasketView


class PortInDialog(QDialog):
    ported = Signal(object)  # BasketView

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        order_id: uuid.UUID,
        line_id: uuid.UUID,
        user: UserInfo,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("port_in")
        self.setWindowTitle("Port in a number")
        self._services = services
        self._runner = runner
        self._order_id = order_id
        self._line_id = line_id
        self._user = user
        self.general = error_label()
        self.errors = FieldErrors(self.general)
        form = QFormLayout()

        def bind(field: str, widget: QWidget, label: str) -> None:
            err = error_label()
            self.errors.bind(field, err, widget)
            form.addRow(label, widget)
            form.addRow("", err)

        self.msisdn = QLineEdit()
        self.msisdn.setObjectName("port_msisdn")
        self.msisdn.setPlaceholderText("The number the customer keeps")
        bind("port_msisdn", self.msisdn, "Number")
        self.donor = QComboBox()
        self.donor.setObjectName("donor")
        self.donor.setEditable(True)
        self.donor.addItems(list(DONOR_OPERATORS))
        self.donor.setCurrentIndex(-1)
        bind("donor", self.donor, "From operator")
        self.code = QLineEdit()
        self.code.setObjectName("porting_code")
        bind("porting_code", self.code, "Porting code")
        self.requested = QLineEdit(next_working_day(today).isoformat())
        self.requested.setObjectName("requested")
        bind("requested", self.requested, "Port on (YYYY-MM-DD)")
        self.temporary = QCheckBox("Start on a temporary number until the port")
        self.temporary.setObjectName("temporary")
        form.addRow("", self.temporary)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Port this number in")
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(buttons)

    def confirm(self) -> None:
        self.errors.clear()
        order_id, line_id, user = self._order_id, self._line_id, self._user
        donor, msisdn, code = self.donor.currentText(), self.msisdn.text(), self.code.text()
        requested, temporary = self.requested.text(), self.temporary.isChecked()

        def run() -> BasketView:
            return self._services.sales.set_port_in(
                order_id, line_id, donor=donor, msisdn=msisdn, porting_code=code,
                requested=requested, temporary=temporary, user=user,
            )  # fmt: skip

        def ok(view: BasketView) -> None:
            self.ported.emit(view)
            self.accept()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.errors.show(exc)
            elif isinstance(exc, DomainError):
                self.errors.show_message("", exc.message)
            else:
                raise exc

        op(self._runner, run).success(ok).failure(failed).run()
