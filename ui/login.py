"""The login screen: user + PIN, checked in the background; lockout messages inline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AccessDenied, ValidationError
from ui.forms import FieldErrors, error_label
from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.settings import Settings


class LoginScreen(QWidget):
    logged_in = Signal(object)  # UserInfo

    def __init__(self, settings: Settings, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("login")
        self._services: Services | None = None
        self._pending = False
        self._runner = runner
        title = QLabel(f"<h2>StoreDesk</h2>{settings.store.name} · {settings.terminal.id}")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.username = QComboBox()
        self.username.setObjectName("username")
        self.username.setEditable(True)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("PIN")
        self.pin.returnPressed.connect(self.submit)
        self.login_button = QPushButton("Starting…")
        self.login_button.setObjectName("login_button")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.submit)

        self.general_error = error_label()
        self.general_error.setObjectName("login_error")
        self.username_error = error_label()
        self.pin_error = error_label()
        self.errors = FieldErrors(self.general_error)
        self.errors.bind("username", self.username_error, self.username)
        self.errors.bind("pin", self.pin_error, self.pin)

        form = QFormLayout()
        form.addRow("&User", self.username)
        form.addRow("", self.username_error)
        form.addRow("&PIN", self.pin)
        form.addRow("", self.pin_error)
        box = QWidget()
        box.setMaximumWidth(360)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addLayout(form)
        inner.addWidget(self.general_error)
        inner.addWidget(self.login_button)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def attach(self, services: Services) -> None:
        """Services are ready: list the users, and log in if the person already pressed Enter."""
        self._services = services
        self.login_button.setText("&Log in")
        self.load_users()
        if self._pending:
            self._pending = False
            self.submit()

    def load_users(self) -> None:
        services = self._services
        if services is None:
            return

        def show(users: list[tuple[str, str]]) -> None:
            current = self.username.currentText()
            self.username.clear()
            for username, name in users:
                self.username.addItem(f"{username}", username)
                self.username.setItemData(
                    self.username.count() - 1, name, Qt.ItemDataRole.ToolTipRole
                )
            self.username.setEditText(current)

        op(self._runner, services.auth.users_for_login).success(show).run()

    def reset(self) -> None:
        self.pin.clear()
        self.errors.clear()
        self.username.setFocus()

    def submit(self) -> None:
        self.errors.clear()
        services = self._services
        if services is None:  # still starting: log in as soon as the services arrive
            self._pending = True
            self.general_error.setText("StoreDesk is still starting; logging you in shortly…")
            self.general_error.show()
            return
        username = self.username.currentText()
        pin = self.pin.text()
        self.login_button.setEnabled(False)

        def done(user: UserInfo) -> None:
            self.login_button.setEnabled(True)
            self.pin.clear()
            self.logged_in.emit(user)

        def failed(exc: BaseException) -> None:
            self.login_button.setEnabled(True)
            self.pin.clear()
            if isinstance(exc, ValidationError):
                self.errors.show(exc)
            elif isinstance(exc, AccessDenied):
                self.errors.show_message("pin", exc.message)
            else:
                raise exc

        op(self._runner, lambda: services.auth.login(username, pin)).success(done).failure(
            failed
        ).with_progress("Checking PIN…").run()
