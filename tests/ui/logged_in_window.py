"""A main window logged in as a demo user, for the screens' tests."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import Services
from ui.errors import ErrorRouter
from ui.main_window import MainWindow
from ui.ops import Runner


def logged_in(qtbot: QtBot, services: Services, username: str, pin: str) -> MainWindow:
    win = MainWindow(services, Runner(inline=True), ErrorRouter(quiet=True))
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.start()
    win.show()
    qtbot.waitExposed(win)
    edit = win.login.username.lineEdit()
    edit.clear()
    qtbot.keyClicks(edit, username)
    qtbot.keyClicks(win.login.pin, pin)
    qtbot.keyClick(win.login.pin, Qt.Key.Key_Return)
    assert win.user is not None
    return win
