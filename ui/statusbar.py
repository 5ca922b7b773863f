"""The status bar: store/terminal, user, each device's state, and sync state.

The sync label is read every second from ``services.sync.status()`` — a copy of the
worker's last known state, no I/O — so it can never stall the window. Clicking it (or
Ctrl+Shift+Y anywhere) opens the sync panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.settings import Settings
    from app.sync.worker import SyncStatus

REFRESH_MS = 5_000
SYNC_REFRESH_MS = 1_000


class ClickableLabel(QLabel):
    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


def sync_text(status: SyncStatus) -> tuple[str, str]:
    """(label, tooltip) for a sync status."""
    if status.state == "off":
        return "Sync off (not provisioned)", "This terminal does not sync: no [central] url."
    waiting = f"{status.waiting} waiting"
    last = (
        f"synced {status.last_success.astimezone().strftime('%H:%M')}"
        if status.last_success
        else "never synced"
    )
    if status.state == "syncing":
        return f"Syncing… · {waiting}", "Sending and fetching changes now."
    if status.error or status.state == "offline":
        short = status.error if len(status.error) <= 60 else status.error[:57] + "…"
        return f"Offline · {waiting} · {last} · {short}", status.error
    if status.state == "starting":
        return f"Sync starting · {waiting}", ""
    return f"Online · {waiting} · {last}", "The last sync worked."


class StatusBar(QStatusBar):
    sync_panel_requested = Signal()

    def __init__(self, settings: Settings, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services: Services | None = None
        self._runner = runner
        self.store = QLabel(f"{settings.store.name} · {settings.store.id}/{settings.terminal.id}")
        self.user = QLabel("Not logged in")
        self.user.setObjectName("status_user")
        self.devices = QLabel()
        self.devices.setObjectName("status_devices")
        self.sync = ClickableLabel()
        self.sync.setObjectName("status_sync")
        self.sync.setCursor(Qt.CursorShape.PointingHandCursor)
        self.sync.clicked.connect(self.sync_panel_requested)
        self.busy = QLabel()
        for widget in (self.store, self.user, self.devices, self.sync):
            self.addPermanentWidget(widget)
        self.addWidget(self.busy)
        runner.progress_shown.connect(self.busy.setText)
        runner.progress_hidden.connect(self.busy.clear)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._sync_timer = QTimer(self)
        self._sync_timer.setInterval(SYNC_REFRESH_MS)
        self._sync_timer.timeout.connect(self.refresh_sync)

    def attach(self, services: Services) -> None:
        self._services = services
        self.refresh()
        self._timer.start()
        self._sync_timer.start()

    def set_user(self, user: UserInfo | None) -> None:
        self.user.setText(f"{user.display_name} ({user.role.value})" if user else "Not logged in")

    def refresh(self) -> None:
        services = self._services
        if services is None or self._runner.closed:  # a late tick while the app closes
            return
        self.devices.setText(" · ".join(f"{s.name}: {s.state}" for s in services.devices.states()))
        if not services.sync.enabled:  # no worker counts the queue: count it off the GUI thread
            self.sync.setToolTip(sync_text(services.sync.status())[1])
            op(self._runner, services.reports.outbox_waiting).success(
                lambda waiting: self.sync.setText(f"Sync off (not provisioned) · {waiting} waiting")
            ).run()
        else:
            self.refresh_sync()

    def refresh_sync(self) -> None:
        services = self._services
        if services is None or not services.sync.enabled:
            return
        text, tip = sync_text(services.sync.status())
        self.sync.setText(text)
        self.sync.setToolTip(tip)
