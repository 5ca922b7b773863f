"""Change a customer's phone, e-mail or address — always with a reason, kept in history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from domain.customers import Address
from ui.forms import FieldErrors, error_label
from ui.ops import Runner, op

if TYPE_CHECKING:
    import uuid

    from app.bootstrap import Services
    from app.services.auth import UserInfo

FIELDS = (("Phone", "phone"), ("E-mail", "email"), ("Address", "address"))


class ContactEditDialog(QDialog):
    saved = Signal()

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        customer_id: uuid.UUID,
        user: UserInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("contact_edit")
        self.setWindowTitle("Change contact details")
        self._services = services
        self._runner = runner
        self._customer_id = customer_id
        self._user = user
        self.general = error_label()
        self.errors = FieldErrors(self.general)
        self.field = QComboBox()
        self.field.setObjectName("change_field")
        for label, key in FIELDS:
            self.field.addItem(label, key)
        self.values = QStackedWidget()
        self.field.currentIndexChanged.connect(self.values.setCurrentIndex)

        def line(form: QFormLayout, label: str, name: str) -> QLineEdit:
            edit = QLineEdit()
            edit.setObjectName(name)
            err = error_label()
            self.errors.bind(name, err, edit)
            form.addRow(label, edit)
            form.addRow("", err)
            return edit

        phone_page, email_page, address_page = QWidget(), QWidget(), QWidget()
        self.phone = line(QFormLayout(phone_page), "New phone", "phone")
        self.email = line(QFormLayout(email_page), "New e-mail", "email")
        address_form = QFormLayout(address_page)
        self.line1 = line(address_form, "Street and number", "address_line1")
        self.line2 = QLineEdit()
        address_form.addRow("Address line 2", self.line2)
        self.postcode = line(address_form, "Postcode", "address_postcode")
        self.city = line(address_form, "City", "address_city")
        self.country = line(address_form, "Country", "address_country")
        self.country.setText("DE")
        for page in (phone_page, email_page, address_page):
            self.values.addWidget(page)
        form = QFormLayout()
        form.addRow("Change", self.field)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("Why, e.g. 'new number', 'moved'")
        reason_error = error_label()
        self.errors.bind("reason", reason_error, self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.values)
        reason_form = QFormLayout()
        reason_form.addRow("Reason", self.reason)
        reason_form.addRow("", reason_error)
        layout.addLayout(reason_form)
        layout.addWidget(self.general)
        layout.addWidget(buttons)

    def save(self) -> None:
        self.errors.clear()
        key = self.field.currentData()
        value: str | Address
        if key == "phone":
            value = self.phone.text()
        elif key == "email":
            value = self.email.text()
        else:
            value = Address(
                self.line1.text(), self.city.text(), self.postcode.text(), self.country.text(),
                self.line2.text(),
            )  # fmt: skip
        reason, user, cid = self.reason.text(), self._user, self._customer_id

        def change() -> None:
            self._services.customers.change_contact(
                cid, field=key, value=value, reason=reason, user=user
            )

        def done(_: None) -> None:
            self.saved.emit()
            self.accept()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.errors.show(exc)
            elif isinstance(exc, DomainError):
                self.errors.show_message("", exc.message)
            else:
                raise exc

        op(self._runner, change).success(done).failure(failed).run()
