"""SIM swap for one of the customer's lines: new SIM, identity check, reason — then confirm.

The new SIM's ICCID is scanned (or typed) into its field. The consultant picks the
document they checked (expired ones and ones awaiting review cannot be used) and ticks
that they compared it with the customer in person. After the swap, a basket with the
catalog's swap fee opens in *Sell* when the catalog has one.
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
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from app.services.sim_swaps import REASONS
from ui.forms import FieldErrors, error_label
from ui.ops import Runner, op

if TYPE_CHECKING:
    import uuid

    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.sim_swaps import SwapResult


class SimSwapDialog(QDialog):
    swapped = Signal(object)  # SwapResult

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        customer_id: uuid.UUID,
        subscription_id: uuid.UUID,
        line_text: str,
        user: UserInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sim_swap")
        self.setWindowTitle("SIM swap")
        self._services = services
        self._runner = runner
        self._subscription_id = subscription_id
        self._user = user
        self.general = error_label()
        self.errors = FieldErrors(self.general)
        form = QFormLayout()
        form.addRow("Line", QLabel(line_text))

        def bind(field: str, widget: QWidget, label: str) -> None:
            err = error_label()
            self.errors.bind(field, err, widget)
            form.addRow(label, widget)
            form.addRow("", err)

        self.iccid = QLineEdit()
        self.iccid.setObjectName("new_iccid")
        self.iccid.setPlaceholderText("Scan the new SIM card")
        bind("iccid", self.iccid, "New SIM (ICCID)")
        self.document = QComboBox()
        self.document.setObjectName("swap_document")
        bind("document", self.document, "Document checked")
        self.checked = QCheckBox("I compared this document with the customer in person")
        self.checked.setObjectName("checked_in_person")
        bind("checked", self.checked, "")
        self.reason = QComboBox()
        self.reason.setObjectName("swap_reason")
        self.reason.setEditable(True)
        self.reason.addItems(list(REASONS))
        self.reason.setCurrentIndex(-1)
        bind("reason", self.reason, "Reason")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Swap the SIM")
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)
        op(runner, lambda: services.sim_swaps.documents(customer_id)).success(
            self._show_documents
        ).run()

    def _show_documents(self, documents: list[tuple[uuid.UUID, str, bool]]) -> None:
        self.document.clear()
        for doc_id, label, usable in documents:
            self.document.addItem(label, doc_id if usable else None)
        if not documents:
            self.errors.show_message(
                "document", "No identity document on file: add one before a SIM swap."
            )

    def confirm(self) -> None:
        self.errors.clear()
        sub, user = self._subscription_id, self._user
        iccid, doc = self.iccid.text(), self.document.currentData()
        checked, reason = self.checked.isChecked(), self.reason.currentText()

        def run() -> SwapResult:
            return self._services.sim_swaps.swap(
                sub, iccid, document_id=doc, checked_in_person=checked, reason=reason, user=user
            )

        def done(result: SwapResult) -> None:
            self.swapped.emit(result)
            self.accept()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                field = "iccid" if exc.field in ("iccid", "code") else exc.field
                self.errors.show_message(field, exc.message)
            elif isinstance(exc, DomainError):
                self.errors.show_message("", exc.message)
            else:
                raise exc

        op(self._runner, run).success(done).failure(failed).run()
