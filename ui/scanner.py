"""Recognises a keyboard-wedge barcode scanner among ordinary typing.

A scanner "types" its code much faster than a person and ends with Enter. The detector
watches key presses application-wide (it does not swallow them) and, when Enter ends a
burst of at least ``min_length`` printable keys each within ``max_interval_ms`` of the
previous one, emits :attr:`scanned` with the code and consumes that Enter. The main window
then removes the burst from the focused line edit and hands the code to the current screen.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication


class WedgeScanner(QObject):
    scanned = Signal(str)

    def __init__(
        self, *, max_interval_ms: int = 30, min_length: int = 6, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._max_interval = max_interval_ms / 1000
        self._min_length = min_length
        self._buffer: list[str] = []
        self._last = 0.0
        self._clock = time.monotonic

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        # An application-wide filter sees one key press several times: first for the
        # QWindow, then for the focused widget, then for each parent it propagates to.
        # Count it once: when it reaches the widget that has the keyboard focus.
        receiver = QApplication.focusWidget() or QApplication.activeWindow()
        if watched is not receiver or event.isAutoRepeat():
            return False
        now = self._clock()
        fast = now - self._last <= self._max_interval
        self._last = now
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = "".join(self._buffer)
            self._buffer.clear()
            if fast and len(code) >= self._min_length:
                self.scanned.emit(code)
                return True
            return False
        text = event.text()
        if text and text.isprintable():
            if not fast:
                self._buffer.clear()
            self._buffer.append(text)
        else:
            self._buffer.clear()
        return False
