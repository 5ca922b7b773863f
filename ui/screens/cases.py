"""Cases: the second line's queue. Shows this terminal's queue (empty until cases exist)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget


class CasesScreen(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = QListWidget()
        self.queue.setObjectName("case_queue")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Cases</h2>Cases handed on from the counter appear here."))
        layout.addWidget(self.queue)
