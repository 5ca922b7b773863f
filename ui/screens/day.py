"""Till and Reports: today's figures for this terminal, refreshed when a sale completes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.reports import DaySummary


class DayFiguresScreen(QWidget):
    """Shared by the Till and Reports areas; ``title`` says which one it is."""

    def __init__(
        self, services: Services, runner: Runner, *, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self.heading = QLabel(f"<h2>{title}</h2>")
        self.figures = QLabel("…")
        self.figures.setObjectName("day_figures")
        refresh = QPushButton("&Refresh")
        refresh.clicked.connect(self.refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.figures)
        layout.addWidget(refresh)
        layout.addStretch(1)

    def refresh(self) -> None:
        op(self._runner, self._services.reports.day_summary).success(self._show).run()

    def _show(self, day: DaySummary) -> None:
        rows = [
            f"<p><b>{day.day.isoformat()}</b>: {day.orders} completed sales, "
            f"<b>{day.revenue.format()}</b></p>",
            "<p>By tender:</p><ul>",
            *(f"<li>{tender}: {amount.format()}</li>" for tender, amount in day.by_tender),
            "</ul><p>By consultant:</p><ul>",
            *(
                f"<li>{name}: {count} sales, {amount.format()}</li>"
                for name, count, amount in day.by_consultant
            ),
            f"</ul><p>Changes waiting to sync: {day.outbox_waiting}</p>",
        ]
        self.figures.setText("".join(rows))
