"""The list of areas at the left of the main window, each with its shortcut at the right."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

SHORTCUT_ROLE = Qt.ItemDataRole.UserRole + 1
_GAP = 12  # pixels between an area's name and its shortcut, at the least


class _ShortcutAtRight(QStyledItemDelegate):
    """Draws the item as usual, then its shortcut right-aligned in the same row (a tab in
    the text aligned the shortcuts only while every name was shorter than a tab stop)."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        keys = index.data(SHORTCUT_ROLE)
        if not keys:
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setPen(option.palette.color(role))
        rect = option.rect.adjusted(0, 0, -6, 0)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, keys)
        painter.restore()


class AreaList(QListWidget):
    """Area names; each row shows its shortcut (``Ctrl+3``) at its right edge."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(_ShortcutAtRight(self))

    def add_area(self, name: str, keys: str) -> QListWidgetItem:
        item = QListWidgetItem(name, self)
        item.setData(SHORTCUT_ROLE, keys)
        item.setToolTip(f"{name} ({keys})")
        return item

    def fits(self, row: int) -> bool:
        """Whether the row's name and shortcut both fit the list's width."""
        item = self.item(row)
        metrics = self.fontMetrics()
        needed = (
            metrics.horizontalAdvance(item.text())
            + metrics.horizontalAdvance(str(item.data(SHORTCUT_ROLE)))
            + _GAP
        )
        return needed <= self.viewport().width()
