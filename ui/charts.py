"""A horizontal bar chart drawn with QPainter (QtCharts is not part of PySide6-Essentials).

One bar per label, longest value the full width, the value written after the bar. It only
paints what it is given: the screen that owns it computes the figures off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_COLOUR = QColor("#3b6ea5")
BAR_HEIGHT = 22
GAP = 8
PAD = 8


class BarChart(QWidget):
    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.bars: list[tuple[str, float, str]] = []  # label, value, value as text
        self.empty_text = "Nothing to show."
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)

    def set_bars(self, bars: list[tuple[str, float, str]], *, title: str | None = None) -> None:
        """Show ``bars`` (negative values are drawn as empty bars); repaints."""
        self.bars = list(bars)
        if title is not None:
            self.title = title
        self.setAccessibleDescription(
            "; ".join(f"{label}: {text}" for label, _value, text in self.bars) or self.empty_text
        )
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        rows = max(len(self.bars), 1)
        return QSize(240, self._top() + rows * (BAR_HEIGHT + GAP) + PAD)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.sizeHint()

    # -- geometry, shared by painting and tests --------------------------------------------
    def _top(self) -> int:
        return PAD + (self.fontMetrics().height() + GAP if self.title else 0)

    def _label_width(self) -> int:
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(label) for label, _v, _t in self.bars), default=0)
        return min(widest + 2 * GAP, self.width() // 3)

    def _value_width(self) -> int:
        metrics = self.fontMetrics()
        return max((metrics.horizontalAdvance(text) for _l, _v, text in self.bars), default=0) + GAP

    def bar_rect(self, index: int) -> QRectF:
        """Where bar ``index`` is drawn (zero width for a zero or negative value)."""
        top = self._top() + index * (BAR_HEIGHT + GAP)
        left = PAD + self._label_width()
        room = max(self.width() - left - self._value_width() - PAD, 1)
        highest = max((value for _l, value, _t in self.bars), default=0.0)
        value = self.bars[index][1]
        length = room * value / highest if highest > 0 and value > 0 else 0.0
        return QRectF(left, top, length, BAR_HEIGHT)

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().color(QPalette.ColorRole.Text)
        if self.title:
            bold = QFont(self.font())
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(text_colour)
            painter.drawText(PAD, PAD + self.fontMetrics().ascent(), self.title)
            painter.setFont(self.font())
        if not self.bars:
            painter.setPen(text_colour)
            painter.drawText(PAD, self._top() + self.fontMetrics().ascent(), self.empty_text)
            painter.end()
            return
        label_width = self._label_width()
        for index, (label, _value, text) in enumerate(self.bars):
            bar = self.bar_rect(index)
            painter.setPen(text_colour)
            label_box = QRectF(PAD, bar.top(), label_width - GAP, BAR_HEIGHT)
            align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
            elided = self.fontMetrics().elidedText(
                label, Qt.TextElideMode.ElideRight, int(label_box.width())
            )
            painter.drawText(label_box, int(align), elided)
            painter.fillRect(bar, BAR_COLOUR)
            value_box = QRectF(bar.right() + GAP / 2, bar.top(), self._value_width(), BAR_HEIGHT)
            painter.drawText(
                value_box, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text
            )
        painter.end()
