"""ui.watchdog: a real GUI-thread stall is logged with its length and stack; idle is quiet."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from ui.watchdog import GuiStallWatchdog

LOGGER = "storedesk.ui.watchdog"


@pytest.fixture
def watchdog(qtbot: QtBot) -> Iterator[GuiStallWatchdog]:
    made = GuiStallWatchdog(threshold_ms=100)
    made.start()
    qtbot.wait(60)  # let the timer tick
    yield made
    made.stop()
    assert not any(t.name == "gui-watchdog" for t in threading.enumerate())


def _stall_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def test_a_stall_is_logged_once_with_its_length_and_stack(
    qtbot: QtBot, watchdog: GuiStallWatchdog, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        time.sleep(0.3)  # the GUI thread is stuck
        qtbot.waitUntil(lambda: len(watchdog.stalls) == 1, timeout=3000)
        qtbot.wait(100)
    messages = _stall_messages(caplog)
    assert len(messages) == 1
    match = re.match(r"GUI thread stalled for (\d+) ms", messages[0])
    assert match is not None and int(match.group(1)) >= 290
    assert "time.sleep(0.3)" in messages[0]
    assert "test_a_stall_is_logged_once_with_its_length_and_stack" in messages[0]
    assert watchdog.stalls[0] >= 0.29


def test_an_idle_gui_thread_logs_nothing(
    qtbot: QtBot, watchdog: GuiStallWatchdog, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        qtbot.wait(500)  # the event loop runs: the GUI thread is responsive
    assert _stall_messages(caplog) == []
    assert list(watchdog.stalls) == []


def test_a_hang_is_logged_while_it_lasts(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    watchdog = GuiStallWatchdog(threshold_ms=50, hang_ms=150)
    watchdog.start()
    try:
        qtbot.wait(60)
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            time.sleep(0.4)
            qtbot.waitUntil(lambda: len(watchdog.stalls) == 1, timeout=3000)
    finally:
        watchdog.stop()
    messages = _stall_messages(caplog)
    assert len(messages) == 2
    assert "and counting" in messages[0] and "time.sleep(0.4)" in messages[0]
    assert messages[1].startswith("GUI thread stalled for")


def test_start_is_idempotent_and_stop_ends_watching(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    watchdog = GuiStallWatchdog(threshold_ms=50)
    watchdog.start()
    watchdog.start()
    assert watchdog.running
    assert sum(t.name == "gui-watchdog" for t in threading.enumerate()) == 1
    watchdog.stop()
    assert not watchdog.running
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        time.sleep(0.2)
        qtbot.wait(100)
    assert _stall_messages(caplog) == []
