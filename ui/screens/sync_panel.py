"""The sync panel: what the status bar says in full, what waits, what happened, "Sync now".

Opened from the status bar's sync label or with Ctrl+Shift+Y. The queue and the history
are read off the GUI thread; the status comes from the worker's in-memory copy. F5 asks the
worker to sync at once and reloads after a moment; the lists also reload whenever the
once-a-second status shows that a cycle has ended (a slow centre, a long push). Closing the
panel deletes it (and its timer); a list that arrives later is dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.keys import shortcut
from ui.ops import Runner, op
from ui.statusbar import sync_text

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.sync import QueueRow, SyncRunView

RELOAD_AFTER_MS = 1_500


class SyncPanel(QDialog):
    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Sync with the central database")
        self.resize(820, 520)
        self._services = services
        self._runner = runner
        self._cycle: tuple[datetime | None, int] | None = None  # the last ended cycle seen
        self.state = QLabel()
        self.state.setObjectName("sync_state")
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.queue = _table("sync_queue", ["Waiting to send", "Rows", "Oldest"])
        self.history = _table(
            "sync_history", ["Started", "Seconds", "Sent", "Fetched", "Conflicts", "Result"]
        )
        self.sync_now_button = QPushButton("&Sync now (F5)")
        self.sync_now_button.setObjectName("sync_now")
        self.sync_now_button.setEnabled(services.sync.enabled)
        self.sync_now_button.clicked.connect(self.sync_now)
        shortcut(Qt.Key.Key_F5, self, self.sync_now)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(QLabel("<b>Queue</b>"))
        layout.addWidget(self.queue, 1)
        layout.addWidget(QLabel("<b>History</b> (newest first)"))
        layout.addWidget(self.history, 2)
        layout.addWidget(self.sync_now_button)
        layout.addWidget(close)
        self._tick = QTimer(self)
        self._tick.setInterval(1_000)
        self._tick.timeout.connect(self._show_state)
        self._tick.start()
        self.reload()

    def reload(self) -> None:
        self._show_state()
        self._load_lists()

    def _load_lists(self) -> None:
        sync = self._services.sync
        op(self._runner, lambda: (sync.queue(), sync.history(limit=50))).success(
            self._show_lists
        ).guard(lambda: shiboken6.isValid(self)).run()

    def sync_now(self) -> None:
        if not self._services.sync.enabled:
            return
        self._services.sync.sync_now()
        self.state.setText("Syncing…")
        QTimer.singleShot(RELOAD_AFTER_MS, self.reload)

    def _show_state(self) -> None:
        status = self._services.sync.status()
        text, tip = sync_text(status)
        detail = f"<br>{_escape(status.error)}" if status.error else ""
        self.state.setText(f"<b>{_escape(text)}</b>{detail}")
        self.state.setToolTip(tip)
        if status.state != "syncing":
            cycle = (status.last_attempt, status.failures)
            if self._cycle is not None and cycle != self._cycle:
                self._load_lists()  # a cycle ended since the last look: new history, queue
            self._cycle = cycle

    def _show_lists(self, lists: tuple[list[QueueRow], list[SyncRunView]]) -> None:
        queue, history = lists
        _fill(self.queue, [(q.entity, str(q.count), q.oldest) for q in queue])
        _fill(self.history, [_run_row(r) for r in history])


def _run_row(r: SyncRunView) -> tuple[str, ...]:
    result = "ok" if r.ok else r.error
    return (
        r.started_at,
        f"{r.seconds:.1f}",
        str(r.pushed),
        str(r.pulled),
        str(r.conflicts),
        result,
    )


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            table.setItem(r, c, item)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
