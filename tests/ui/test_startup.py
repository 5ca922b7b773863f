"""Start-up: the login window comes first, the services follow; bad databases are explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.bootstrap import Services
from ui import main as ui_main
from ui.errors import ErrorRouter
from ui.main_window import MainWindow
from ui.ops import Runner


def test_login_typed_before_the_services_are_ready_goes_through(
    qtbot: QtBot, demo_services: Services
) -> None:
    runner = Runner(inline=True)
    window = MainWindow(None, runner, ErrorRouter(quiet=True), settings=demo_services.settings)
    qtbot.addWidget(window)
    window.start()
    window.show()
    assert window.login.login_button.text() == "Starting…"
    qtbot.keyClicks(window.login.username.lineEdit(), "anna", delay=40)
    qtbot.keyClicks(window.login.pin, "1111", delay=40)
    qtbot.keyClick(window.login.pin, Qt.Key.Key_Return)
    assert window.user is None
    assert "still starting" in window.login.general_error.text()

    window.attach(demo_services)
    assert window.user is not None and window.user.username == "anna"
    assert window.root.currentIndex() == 1
    window.close()
    runner.shutdown()


def test_a_corrupt_database_is_explained_and_left_alone(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database at all" * 200)
    before = bad.read_bytes()
    shown: list[str] = []

    def critical(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", critical)
    code = ui_main.main(
        ["--home", str(tmp_path / "home"), "--set", f"database.url=sqlite:///{bad}"]
    )
    assert code == 1
    assert shown and "cannot be read" in shown[0] and "has not been changed" in shown[0]
    assert bad.read_bytes() == before


def test_unwritable_home_is_explained(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "home"
    blocker.write_text("a file where the folder should be")
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "critical",
        lambda _p, _t, text: shown.append(text) or QMessageBox.StandardButton.Ok,
    )
    assert ui_main.main(["--home", str(blocker)]) == 2
    assert shown and "cannot use the folder" in shown[0]
