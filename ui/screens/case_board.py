"""The case board (one column per status) and the case list, both sorted by due time.

Both show the same :class:`~app.services.case_views.CaseBoard` and emit ``opened`` with the
case id on Enter or a double click. Breached cases are red, near-breach amber, cases waiting
for the customer grey. On the board Left/Right move between columns (Up/Down inside one).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from domain.cases.sla import SlaState

if TYPE_CHECKING:
    from app.services.case_views import CaseBoard, CaseCard

# SLA state → (background, text colour); OK cases keep the default look.
SLA_COLOURS = {
    SlaState.BREACHED: ("#fde2e2", "#9b0014"),
    SlaState.NEAR: ("#fff1d0", "#7a4a00"),
    SlaState.PAUSED: ("#eeeeee", "#555555"),
}
SLA_WORDS = {
    SlaState.OK: "on time",
    SlaState.NEAR: "due soon",
    SlaState.BREACHED: "OVERDUE",
    SlaState.PAUSED: "paused",
    SlaState.STOPPED: "finished",
}
# Cards as boxes; the selected card in the focused column is outlined, not filled, so its
# SLA colour stays visible.
CARD_PADDING = 4
CARD_STYLE = (
    "QListWidget::item { border: 1px solid #b8b8b8; border-radius: 4px; padding: 4px; }"
    "QListWidget::item:selected { border: 2px solid #1f5fbf; color: black; }"
)
LIST_HEADERS = ["Case", "Type", "Summary", "Status", "Priority", "Customer", "Assignee", "Due"]


def due_text(card: CaseCard, now: datetime) -> str:
    """``due 14:30 (in 2 h)`` / ``overdue since 09:00`` / ``paused`` / ``finished``."""
    if card.due_at is None:
        return SLA_WORDS[card.sla]
    local = card.due_at.astimezone()
    when = local.strftime("%H:%M") if local.date() == now.astimezone().date() else (
        local.strftime("%d.%m. %H:%M")
    )  # fmt: skip
    minutes = int((card.due_at - now).total_seconds() // 60)
    if minutes < 0:
        return f"overdue since {when}"
    left = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"
    return f"due {when} (in {left})"


def assignee_text(card: CaseCard) -> str:
    return card.assignee_name or f"{card.assignee_group.replace('_', ' ')} (nobody yet)"


def paint_sla(item: QListWidgetItem | QTableWidgetItem, state: SlaState) -> None:
    colours = SLA_COLOURS.get(state)
    if colours is None:
        return
    item.setBackground(QBrush(QColor(colours[0])))
    item.setForeground(QBrush(QColor(colours[1])))


class _CardDelegate(QStyledItemDelegate):
    """Paints a card's SLA colour under the style sheet's box (which would drop it)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
        brush = index.data(Qt.ItemDataRole.BackgroundRole)
        if isinstance(brush, QBrush):
            painter.fillRect(option.rect.adjusted(1, 1, -1, -1), brush)
        super().paint(painter, option, index)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # type: ignore[override]  # noqa: N802
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + 2 * CARD_PADDING + 4)  # the box's padding


class _Column(QListWidget):
    """One status column; Left/Right hand the focus to the neighbouring column."""

    step = Signal(int)  # -1 left, +1 right

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Left:
            self.step.emit(-1)
        elif event.key() == Qt.Key.Key_Right:
            self.step.emit(1)
        else:
            super().keyPressEvent(event)


class CaseBoardView(QWidget):
    opened = Signal(object)  # case id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("case_board")
        self.columns: list[_Column] = []
        self.headers: list[QLabel] = []
        self.statuses: list[str] = []
        inner = QWidget()
        self._row = QHBoxLayout(inner)
        self._row.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def show_board(self, board: CaseBoard, workflow: Sequence[tuple[str, str]] = ()) -> None:
        """The cards in their status columns; ``workflow`` (status, label) in order: one
        type's statuses, shown even while empty (a board filtered to one type)."""
        focused = next((i for i, c in enumerate(self.columns) if c.hasFocus()), None)
        for column, header in zip(self.columns, self.headers, strict=True):
            column.deleteLater()
            header.parentWidget().deleteLater()  # type: ignore[union-attr]
        self.columns, self.headers = [], []
        counts = {c.status: (c.label, c.count) for c in board.columns}
        if workflow:
            shown = {status for status, _label in workflow}
            counts = {status: counts.get(status, (label, 0)) for status, label in workflow} | {
                c.status: (c.label, c.count) for c in board.columns if c.status not in shown
            }
        self.statuses = list(counts)
        for status in self.statuses:
            box = QWidget()
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            label, count = counts[status]
            header = QLabel(f"<b>{label}</b> ({count})")
            header.setObjectName(f"column_{status}")
            column = _Column()
            column.setObjectName(f"cards_{status}")
            column.setMinimumWidth(230)
            column.setWordWrap(True)
            column.setSpacing(4)
            column.setStyleSheet(CARD_STYLE)
            column.setItemDelegate(_CardDelegate(column))
            column.setTextElideMode(Qt.TextElideMode.ElideNone)
            column.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            column.itemActivated.connect(self._activated)
            index = len(self.columns)
            column.step.connect(lambda d, i=index: self.focus_column(i + d))
            col.addWidget(header)
            col.addWidget(column, 1)
            self._row.addWidget(box)
            self.columns.append(column)
            self.headers.append(header)
        for card in board.cards:
            if card.status in self.statuses:
                column = self.columns[self.statuses.index(card.status)]
                item = QListWidgetItem(self._card_text(card, board.as_of))
                item.setData(Qt.ItemDataRole.UserRole, card.id)
                item.setToolTip(f"{card.number}: {card.summary}")
                paint_sla(item, card.sla)
                column.addItem(item)
        if focused is not None and self.columns:
            self.focus_column(min(focused, len(self.columns) - 1))

    @staticmethod
    def _card_text(card: CaseCard, now: datetime) -> str:
        who = card.customer_name or "no customer"
        return (
            f"{card.number} · {card.type_title} · {card.priority.value}\n"
            f"{card.summary}\n{who} · {assignee_text(card)}\n{due_text(card, now)}"
        )

    def focus_column(self, index: int) -> None:
        """Focus a column (clamped), preferring one that holds cards in that direction."""
        if not self.columns:
            return
        index = max(0, min(index, len(self.columns) - 1))
        self.columns[index].setFocus()
        if self.columns[index].currentRow() < 0 and self.columns[index].count():
            self.columns[index].setCurrentRow(0)

    def current_id(self) -> uuid.UUID | None:
        for column in self.columns:
            if column.hasFocus() and column.currentItem() is not None:
                return column.currentItem().data(Qt.ItemDataRole.UserRole)  # type: ignore[no-any-return]
        return None

    def card_ids(self, status: str) -> list[uuid.UUID]:
        column = self.columns[self.statuses.index(status)]
        return [column.item(i).data(Qt.ItemDataRole.UserRole) for i in range(column.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        self.opened.emit(item.data(Qt.ItemDataRole.UserRole))


class CaseListView(QTableWidget):
    opened = Signal(object)  # case id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(LIST_HEADERS), parent)
        self.setObjectName("case_list")
        self.setHorizontalHeaderLabels(LIST_HEADERS)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setTabKeyNavigation(False)
        self.cellDoubleClicked.connect(lambda row, _col: self._open(row))
        self._ids: list[uuid.UUID] = []

    def show_board(self, board: CaseBoard) -> None:
        self._ids = [card.id for card in board.cards]
        self.setRowCount(len(board.cards))
        for r, card in enumerate(board.cards):
            values = [
                card.number, card.type_title, card.summary, card.status_label,
                card.priority.value, card.customer_name, assignee_text(card),
                due_text(card, board.as_of),
            ]  # fmt: skip
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                paint_sla(item, card.sla)
                self.setItem(r, c, item)
        if board.cards:
            self.selectRow(0)

    def current_id(self) -> uuid.UUID | None:
        row = self.currentRow()
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._open(self.currentRow())
        else:
            super().keyPressEvent(event)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self._ids):
            self.opened.emit(self._ids[row])
