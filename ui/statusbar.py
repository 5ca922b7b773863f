"""The status bar: store/terminal, user, each device's state, and sync state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.settings import Settings

REFRESH_MS = 5_000


class StatusBar(QStatusBar):
    def __init__(self, settings: Settings, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services: Services | None = None
        self._runner = runner
        self.store = QLabel(f"{settings.store.name} · {settings.store.id}/{settings.terminal.id}")
        self.user = QLabel("Not logged in")
        self.user.setObjectName("status_user")
        self.devices = QLabel()
        self.devices.setObjectName("status_devices")
        self.sync = QLabel()
        self.sync.setObjectName("status_sync")
        self.busy = QLabel()
        for widget in (self.store, self.user, self.devices, self.sync):
            self.addPermanentWidget(widget)
        self.addWidget(self.busy)
        runner.progress_shown.connect(self.busy.setText)
        runner.progress_hidden.connect(self.busy.clear)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def attach(self, services: Services) -> None:
        self._services = services
        self.refresh()
        self._timer.start()

    def set_user(self, user: UserInfo | None) -> None:
        self.user.setText(f"{user.display_name} ({user.role.value})" if user else "Not logged in")

    def refresh(self) -> None:
        services = self._services
        if services is None or self._runner.closed:  # a late tick while the app closes
            return
        self.devices.setText(" · ".join(f"{s.name}: {s.state}" for s in services.devices.states()))
        central = services.settings.central.url
        op(self._runner, services.reports.outbox_waiting).success(
            lambda waiting: self.sync.setText(
                f"Sync: {'offline' if central else 'no central database set'}, {waiting} waiting"
            )
        ).run()
