"""Start-up: the login window comes first, the services follow; bad databases are explained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import Services
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


# main() owns the QApplication's event loop for the life of a process, so these tests run
# it in a child process of their own (as a person starting StoreDesk would), with message
# boxes recorded instead of shown.
RUN_MAIN = """
import json, sys
from PySide6.QtWidgets import QMessageBox
shown = []
def critical(_parent, _title, text):
    shown.append(text)
    return QMessageBox.StandardButton.Ok
QMessageBox.critical = critical
from ui.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "shown": shown}))
"""


def run_main(*argv: str) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", RUN_MAIN, *argv],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_corrupt_database_is_explained_and_left_alone(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database at all" * 200)
    before = bad.read_bytes()
    result = run_main("--home", str(tmp_path / "home"), "--set", f"database.url=sqlite:///{bad}")
    assert result["code"] == 1
    shown = result["shown"]
    assert isinstance(shown, list) and len(shown) == 1
    assert "cannot be read" in shown[0] and "has not been changed" in shown[0]
    assert bad.read_bytes() == before


def test_unwritable_home_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "home"
    blocker.write_text("a file where the folder should be")
    result = run_main("--home", str(blocker))
    assert result["code"] == 2
    shown = result["shown"]
    assert isinstance(shown, list) and "cannot use the folder" in shown[0]
    assert blocker.read_text() == "a file where the folder should be"
