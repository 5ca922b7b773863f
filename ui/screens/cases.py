"""Cases: work handed on to the second line from the counter (port-ins, refunds to approve).

Until the case system is installed this lists the hand-ons waiting for it, oldest first,
with the customer and the order they belong to (``app.services.handoffs``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from ui.keys import shortcut
from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.handoffs import HandoffView


class CasesScreen(QWidget):
    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self.queue = QListWidget()
        self.queue.setObjectName("case_queue")
        self.count = QLabel()
        self.count.setObjectName("case_count")
        refresh = QPushButton("Re&fresh (F5)")
        refresh.clicked.connect(self.refresh)
        shortcut("F5", self, self.refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("<h2>Cases</h2>Work handed on from the counter to the second line.")
        )
        layout.addWidget(self.count)
        layout.addWidget(self.queue)
        layout.addWidget(refresh)

    def refresh(self) -> None:
        op(self._runner, self._services.handoffs.waiting).success(self._show).run()

    def _show(self, waiting: list[HandoffView]) -> None:
        self.queue.clear()
        for item in waiting:
            when = item.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.queue.addItem(f"{when}  {item.title}: {item.summary}")
        self.count.setText(
            f"{len(waiting)} waiting for the second line" if waiting else "Nothing is waiting."
        )
