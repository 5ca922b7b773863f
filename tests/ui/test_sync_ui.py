"""The sync indicator and the sync panel with a real SyncService whose centre is not there.

The terminal is provisioned for a central database that cannot be reached — a closed
local port (refused at once) or a "black hole" that accepts TCP and never answers — so
the texts are the worker's real messages, and the worker really runs (``run_once`` in the
test, or its thread). The online case against a real PostgreSQL is in
tests/sync/test_sync_ui.py.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest
from logged_in_window import logged_in
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bootstrap import Services, build
from app.paths import AppPaths
from app.settings import load_settings
from app.sync.worker import SyncWorker
from ui.main_window import MainWindow
from ui.screens.sync_panel import SyncPanel

CLOSED_PORT = 1  # nothing listens there: the connection is refused at once


def central_url(port: int) -> str:
    return f"postgresql://storedesk_store_s001@127.0.0.1:{port}/central"


@pytest.fixture
def provision(paths: AppPaths) -> Iterator[Callable[[int], Services]]:
    """``provision(port)``: a demo terminal provisioned for a centre at 127.0.0.1:port."""
    made: list[Services] = []

    def make(port: int) -> Services:
        loaded = load_settings(
            paths,
            env={"STOREDESK_CENTRAL_PASSWORD": "not-used"},
            cli={"printer.kind": "simulated", "central.url": central_url(port)},
        )
        assert not loaded.problems, loaded.problems
        services = build(loaded.settings, paths)
        made.append(services)
        services.demo.ensure(customers=0)
        return services

    yield make
    for services in made:
        services.close()


def worker_of(services: Services) -> SyncWorker:
    worker = services.sync._worker
    assert worker is not None, services.sync.status()
    return worker


def sell_a_case(services: Services) -> None:
    anna = services.auth.login("anna", "1111")
    basket = services.sales.start(customer_id=None, user=anna)
    services.sales.add_code(basket.order_id, "ACC-CASE", user=anna)
    services.sales.pay_cash(basket.order_id, "20", user=anna)


def open_panel_by_click(qtbot: QtBot, win: MainWindow) -> SyncPanel:
    qtbot.mouseClick(win.status.sync, Qt.MouseButton.LeftButton)
    panel = win.sync_panel
    assert isinstance(panel, SyncPanel) and panel.isVisible()
    return panel


def history_results(panel: SyncPanel) -> list[str]:
    return [panel.history.item(r, 5).text() for r in range(panel.history.rowCount())]


def test_an_unprovisioned_terminal_says_sync_off_and_cannot_sync_now(
    qtbot: QtBot, demo_services: Services
) -> None:
    win = logged_in(qtbot, demo_services, "anna", "1111")
    assert win.status.sync.text().startswith("Sync off")
    assert "[central] url" in win.status.sync.toolTip()
    panel = open_panel_by_click(qtbot, win)
    assert not panel.sync_now_button.isEnabled()
    assert "Sync off" in panel.state.text()


def test_offline_shows_the_real_error_the_queue_and_the_history(
    qtbot: QtBot, provision: Callable[[int], Services]
) -> None:
    services = provision(CLOSED_PORT)
    sell_a_case(services)
    win = logged_in(qtbot, services, "anna", "1111")
    assert win.status.sync.text().startswith("Sync starting")

    worker_of(services).run_once()  # what the worker thread does, here in the test
    waiting = services.sync.engine.pusher.waiting()
    assert waiting > 0
    # The status bar reads the new state by itself within its one-second tick.
    qtbot.waitUntil(lambda: win.status.sync.text().startswith("Offline"), timeout=3000)
    text, error = win.status.sync.text(), services.sync.status().error
    assert f"{waiting} waiting" in text and "never synced" in text
    assert "127.0.0.1:1/central cannot be reached" in error and "refused" in error
    assert text.endswith("…") and error not in text  # shortened in the bar …
    assert win.status.sync.toolTip() == error  # … in full in the tooltip

    panel = open_panel_by_click(qtbot, win)
    assert error in panel.state.text().replace("&quot;", '"')
    queue = {
        panel.queue.item(r, 0).text(): int(panel.queue.item(r, 1).text())
        for r in range(panel.queue.rowCount())
    }
    assert {"order", "order_line", "payment"} <= set(queue)
    assert sum(queue.values()) == waiting
    assert history_results(panel) == [error]
    assert panel.history.item(0, 2).text() == "0"  # nothing sent


def test_sync_now_wakes_the_waiting_worker_and_the_panel_shows_the_new_attempt(
    qtbot: QtBot, provision: Callable[[int], Services]
) -> None:
    services = provision(CLOSED_PORT)
    worker = worker_of(services)
    for _ in range(8):  # eight failures: the next try is two minutes or more away
        worker.run_once()
    win = logged_in(qtbot, services, "anna", "1111")
    services.sync.start()  # the real thread: it tries once at once, then backs off
    qtbot.waitUntil(lambda: worker.status().failures == 9, timeout=5000)
    due = worker.status().next_attempt_at
    assert due is not None and due - time.monotonic() > 60
    panel = open_panel_by_click(qtbot, win)
    qtbot.waitUntil(lambda: panel.history.rowCount() == 9, timeout=3000)

    qtbot.mouseClick(panel.sync_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: worker.status().failures == 10, timeout=5000)
    # The panel notices the ended cycle and reads the history again by itself.
    qtbot.waitUntil(lambda: panel.history.rowCount() == 10, timeout=3000)
    assert "cannot be reached" in history_results(panel)[0]


def test_the_panel_reloads_when_a_cycle_ends_without_being_asked(
    qtbot: QtBot, provision: Callable[[int], Services]
) -> None:
    services = provision(CLOSED_PORT)
    win = logged_in(qtbot, services, "anna", "1111")
    panel = open_panel_by_click(qtbot, win)
    assert panel.history.rowCount() == 0 and panel.queue.rowCount() > 0
    sell_a_case(services)
    worker_of(services).run_once()  # a background cycle the panel did not start
    qtbot.waitUntil(lambda: panel.history.rowCount() == 1, timeout=3000)
    entities = {panel.queue.item(r, 0).text() for r in range(panel.queue.rowCount())}
    assert "payment" in entities


def test_the_settings_area_and_the_shortcut_open_the_panel(
    qtbot: QtBot, provision: Callable[[int], Services]
) -> None:
    services = provision(CLOSED_PORT)
    win = logged_in(qtbot, services, "anna", "1111")
    win.go(7)
    assert win.pages.currentWidget() is win.settings_screen
    qtbot.mouseClick(win.settings_screen.open_sync, Qt.MouseButton.LeftButton)
    first = win.sync_panel
    assert isinstance(first, SyncPanel) and first.isVisible()
    first.reject()  # closed: deleted, its once-a-second timer with it
    qtbot.waitUntil(lambda: not win.findChildren(SyncPanel), timeout=3000)

    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    qtbot.keyClick(
        win, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert isinstance(win.sync_panel, SyncPanel) and win.sync_panel.isVisible()


class BlackHole:
    """A centre behind a dead route: TCP connects (the kernel's backlog), nothing answers.

    Closing the listening socket resets the waiting connections, so the client fails at
    once instead of after its connect timeout.
    """

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port: int = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


def test_the_window_stays_responsive_while_the_centre_does_not_answer(
    qtbot: QtBot, provision: Callable[[int], Services]
) -> None:
    hole = BlackHole()
    try:
        services = provision(hole.port)
        sell_a_case(services)
        win = logged_in(qtbot, services, "anna", "1111")
        services.sync.start()  # the worker's first cycle hangs in connect
        qtbot.waitUntil(lambda: win.status.sync.text().startswith("Syncing…"), timeout=3000)

        panel = open_panel_by_click(qtbot, win)
        assert panel.queue.rowCount() > 0 and "Syncing" in panel.state.text()
        started = time.perf_counter()
        qtbot.mouseClick(panel.sync_now_button, Qt.MouseButton.LeftButton)
        assert time.perf_counter() - started < 0.5
        ticks: list[float] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start(10)
        qtbot.wait(500)
        timer.stop()
        assert len(ticks) >= 20, "the GUI thread did not get to run while the worker waited"
        assert services.sync.status().state == "syncing"  # still waiting for the centre
    finally:
        hole.close()
    qtbot.waitUntil(lambda: services.sync.status().state == "offline", timeout=5000)
    qtbot.waitUntil(lambda: win.status.sync.text().startswith("Offline"), timeout=3000)
    assert f"127.0.0.1:{hole.port}/central" in services.sync.status().error
