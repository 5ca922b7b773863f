"""The sync indicator in the status bar and the sync panel, driven by the real worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import Services
from app.sync.engine import make_central_engine
from tests.sync.terminals import Central, Terminal
from ui.errors import ErrorRouter
from ui.main_window import MainWindow
from ui.ops import Runner


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[Callable[[Services], MainWindow]]:
    made: list[tuple[MainWindow, Runner]] = []

    def make(services: Services) -> MainWindow:
        runner = Runner(inline=True)
        win = MainWindow(services, runner, ErrorRouter(quiet=True))
        qtbot.addWidget(win)
        win.start()
        win.show()
        qtbot.keyClicks(win.login.username.lineEdit(), "maria")
        qtbot.keyClicks(win.login.pin, "3333")
        qtbot.keyClick(win.login.pin, Qt.Key.Key_Return)
        made.append((win, runner))
        return win

    yield make
    for win, runner in made:
        win.close()
        runner.shutdown()


def test_a_terminal_that_is_not_provisioned_says_sync_off(
    qtbot: QtBot, demo_services: Services, open_window: Callable[[Services], MainWindow]
) -> None:
    win = open_window(demo_services)
    qtbot.waitUntil(lambda: "Sync off" in win.status.sync.text(), timeout=3000)
    assert "waiting" in win.status.sync.text()


@pytest.mark.postgres
def test_offline_then_online_and_the_panel(
    qtbot: QtBot,
    central: Central,
    terminal: Callable[..., Terminal],
    open_window: Callable[[Services], MainWindow],
) -> None:
    t = terminal("S001")
    t.open_till()
    t.receive("sku,serial,imsi,quantity\nACC-CASE,,,5\n", "DN-UI")
    worker = t.services.sync._worker
    assert worker is not None
    win = open_window(t.services)
    # Offline: the worker's real failure, with the reason, shown within a second.
    t.services.sync.engine.link.engine = make_central_engine(
        central.store_url("S001", port=1), "x", timeout_s=2
    )
    worker.run_once()
    qtbot.waitUntil(lambda: win.status.sync.text().startswith("Offline"), timeout=3000)
    assert "cannot be reached" in win.status.sync.toolTip()
    assert f"{t.waiting()} waiting" in win.status.sync.text()

    win.status.sync.clicked.emit()  # a click on the label opens the panel
    panel = win.sync_panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.queue.rowCount() > 0, timeout=3000)
    entities = {panel.queue.item(r, 0).text() for r in range(panel.queue.rowCount())}
    assert "stock_level" in entities
    assert "cannot be reached" in panel.history.item(0, 5).text()
    assert "cannot be reached" in panel.state.text()

    # Back online: the same worker, the right server.
    t.services.sync.engine.link.engine = make_central_engine(
        central.store_url("S001"), central.passwords["S001"], timeout_s=2
    )
    worker.run_once()
    qtbot.waitUntil(lambda: win.status.sync.text().startswith("Online"), timeout=3000)
    assert "0 waiting" in win.status.sync.text()
    panel.reload()
    qtbot.waitUntil(lambda: panel.queue.rowCount() == 0, timeout=3000)
    assert panel.history.item(0, 5).text() == "ok"
