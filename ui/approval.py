"""The manager-approval step: a manager enters their PIN on this screen and gives a reason.

``ApprovalDialog.ask(...)`` returns the recorded :class:`ApprovalRecord`, or None when the
consultant cancels. Flows that need approval (discounts, refunds, voids, till variances)
call it and pass the record on with their action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import AccessDenied, ValidationError
from ui.forms import FieldErrors, error_label
from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import ApprovalRecord, UserInfo


class ApprovalDialog(QDialog):
    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        requested_by: UserInfo,
        action: str,
        subject: str,
        explanation: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("approval_dialog")
        self.setWindowTitle("Manager approval")
        self._services = services
        self._runner = runner
        self._requested_by = requested_by
        self._action = action
        self._subject = subject
        self.record: ApprovalRecord | None = None

        self.manager = QLineEdit()
        self.manager.setObjectName("approval_manager")
        self.pin = QLineEdit()
        self.pin.setObjectName("approval_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason = QLineEdit()
        self.reason.setObjectName("approval_reason")
        self.general = error_label()
        self.errors = FieldErrors(self.general)
        labels = {name: error_label() for name in ("username", "pin", "reason")}
        self.errors.bind("username", labels["username"], self.manager)
        self.errors.bind("pin", labels["pin"], self.pin)
        self.errors.bind("reason", labels["reason"], self.reason)

        form = QFormLayout()
        form.addRow("&Manager", self.manager)
        form.addRow("", labels["username"])
        form.addRow("&PIN", self.pin)
        form.addRow("", labels["pin"])
        form.addRow("&Reason", self.reason)
        form.addRow("", labels["reason"])
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(explanation))
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        self.errors.clear()
        self.buttons.setEnabled(False)
        manager, pin, reason = self.manager.text(), self.pin.text(), self.reason.text()

        def run() -> ApprovalRecord:
            return self._services.auth.approve(
                action=self._action,
                subject=self._subject,
                requested_by=self._requested_by,
                manager_username=manager,
                pin=pin,
                reason=reason,
            )

        def done(record: ApprovalRecord) -> None:
            self.record = record
            self.buttons.setEnabled(True)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.pin.clear()
            if isinstance(exc, ValidationError):
                self.errors.show(exc)
            elif isinstance(exc, AccessDenied):
                self.errors.show_message("pin", exc.message)
            else:
                raise exc

        op(self._runner, run).success(done).failure(failed).run()
