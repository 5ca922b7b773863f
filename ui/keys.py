"""Keyboard shortcuts, created one way everywhere."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


def shortcut(key: str | Qt.Key, parent: QWidget, slot: Callable[[], object]) -> QShortcut:
    made = QShortcut(QKeySequence(key), parent)
    made.activated.connect(slot)
    return made
