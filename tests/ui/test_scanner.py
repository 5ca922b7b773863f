from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from ui.scanner import WedgeScanner


def _press(scanner: WedgeScanner, target: QLineEdit, key: Qt.Key, text: str) -> bool:
    event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, text)
    return scanner.eventFilter(target, event)


def _focused_edit(qtbot: QtBot) -> QLineEdit:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    edit.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit, timeout=2000)
    return edit


def _send(
    scanner: WedgeScanner, target: QLineEdit, code: str, gap: float, clock: list[float]
) -> bool:
    for ch in code:
        clock[0] += gap
        _press(scanner, target, Qt.Key.Key_A, ch)
    clock[0] += gap
    return _press(scanner, target, Qt.Key.Key_Return, "\r")


def test_fast_burst_ending_in_enter_is_a_scan(qtbot: QtBot) -> None:
    scanner = WedgeScanner(max_interval_ms=30, min_length=6)
    clock = [100.0]
    scanner._clock = lambda: clock[0]  # type: ignore[method-assign]
    edit = _focused_edit(qtbot)
    with qtbot.waitSignal(scanner.scanned) as blocker:
        consumed = _send(scanner, edit, "8949100000000000075", 0.005, clock)
    assert consumed and blocker.args == ["8949100000000000075"]


def test_typing_is_not_a_scan(qtbot: QtBot) -> None:
    scanner = WedgeScanner(max_interval_ms=30, min_length=6)
    clock = [100.0]
    scanner._clock = lambda: clock[0]  # type: ignore[method-assign]
    edit = _focused_edit(qtbot)
    with qtbot.assertNotEmitted(scanner.scanned):
        assert not _send(scanner, edit, "PLAN-M", 0.120, clock)  # a person types
        assert not _send(scanner, edit, "1234", 0.005, clock)  # too short for a code


def test_keys_for_other_receivers_are_not_counted(qtbot: QtBot) -> None:
    scanner = WedgeScanner(max_interval_ms=30, min_length=6)
    clock = [100.0]
    scanner._clock = lambda: clock[0]  # type: ignore[method-assign]
    _focused_edit(qtbot)
    other = QLineEdit()  # not focused: a parent or the window seeing the same key
    qtbot.addWidget(other)
    with qtbot.assertNotEmitted(scanner.scanned):
        assert not _send(scanner, other, "8949100000000000075", 0.005, clock)
