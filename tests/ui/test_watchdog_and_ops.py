"""The background-work helper and the stall watchdog, with real threads and a real event loop."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from ui import ops
from ui.ops import CancelToken, Lane, Runner, op, op_cancellable
from ui.watchdog import GuiStallWatchdog


@pytest.fixture
def runner() -> Iterator[Runner]:
    made = Runner(progress_delay_ms=50)
    yield made
    made.shutdown()


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    seen: list[BaseException] = []
    monkeypatch.setattr(ops, "_default_failure", seen.append)
    return seen


def test_work_runs_off_the_gui_thread_and_results_come_back_on_it(
    qtbot: QtBot, runner: Runner
) -> None:
    gui = threading.get_ident()
    seen: dict[str, int] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    result: list[int] = []

    def done(value: int) -> None:
        seen["callback"] = threading.get_ident()
        result.append(value)

    op(runner, work).success(done).run()
    qtbot.waitUntil(lambda: result == [42], timeout=3000)
    assert seen["worker"] != gui and seen["callback"] == gui


@pytest.mark.parametrize(("lane", "expect_overlap"), [(Lane.DB, False), (Lane.IO, True)])
def test_db_lane_is_serial_and_io_lane_is_concurrent(
    qtbot: QtBot, runner: Runner, lane: Lane, expect_overlap: bool
) -> None:
    active, peak, done = [0], [0], []
    lock = threading.Lock()

    def work() -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.15)
        with lock:
            active[0] -= 1

    for _ in range(3):
        op(runner, work, lane=lane).success(done.append).run()
    qtbot.waitUntil(lambda: len(done) == 3, timeout=5000)
    assert (peak[0] > 1) is expect_overlap


def test_failures_go_to_the_callback_or_the_default_handler(
    qtbot: QtBot, runner: Runner, handled: list[BaseException]
) -> None:
    caught: list[BaseException] = []

    def boom() -> None:
        raise ValueError("bad")

    op(runner, boom).failure(caught.append).run()
    op(runner, boom).run()
    op(runner, lambda: 1).success(lambda _v: (_ for _ in ()).throw(KeyError("cb"))).run()
    qtbot.waitUntil(lambda: len(caught) == 1 and len(handled) == 2, timeout=3000)
    assert isinstance(caught[0], ValueError)
    assert {type(e) for e in handled} == {ValueError, KeyError}


def test_stale_results_are_dropped(qtbot: QtBot, runner: Runner) -> None:
    current = [True]
    got: list[int] = []
    op(runner, lambda: time.sleep(0.1) or 1).guard(lambda: current[0]).success(got.append).run()
    current[0] = False
    marker: list[int] = []
    op(runner, lambda: 2).success(marker.append).run()  # the DB lane is serial: runs after
    qtbot.waitUntil(lambda: marker == [2], timeout=3000)
    assert got == []


def test_progress_only_for_slow_work(qtbot: QtBot, runner: Runner) -> None:
    shown: list[str] = []
    runner.progress_shown.connect(shown.append)
    done: list[object] = []
    op(runner, lambda: None).with_progress("quick").success(done.append).run()
    qtbot.waitUntil(lambda: len(done) == 1, timeout=3000)
    op(runner, lambda: time.sleep(0.4)).with_progress("slow").success(done.append).run()
    with qtbot.waitSignal(runner.progress_hidden, timeout=3000):
        pass
    assert shown == ["slow"]


def test_cancel_token_reaches_the_work(qtbot: QtBot, runner: Runner) -> None:
    steps: list[int] = []

    def work(token: CancelToken) -> int:
        for step in range(100):
            if token.cancelled:
                break
            steps.append(step)
            time.sleep(0.01)
        return len(steps)

    result: list[int] = []
    token = op_cancellable(runner, work).success(result.append).run()
    time.sleep(0.05)
    token.cancel()
    qtbot.waitUntil(lambda: len(result) == 1, timeout=3000)
    assert result[0] < 100


def test_inline_runner_is_synchronous_and_shutdown_refuses_work() -> None:
    inline = Runner(inline=True)
    got: list[int] = []
    op(inline, lambda: 7).success(got.append).run()
    assert got == [7]
    inline.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        op(inline, lambda: 8).run()


def test_watchdog_logs_a_stall_and_stays_quiet_when_idle(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    watchdog = GuiStallWatchdog(threshold_ms=100)
    watchdog.start()
    try:
        with caplog.at_level(logging.WARNING, logger="storedesk.ui.watchdog"):
            qtbot.wait(300)  # an idle, responsive GUI thread
            assert not caplog.records
            time.sleep(0.35)  # the GUI thread is stuck
            qtbot.waitUntil(lambda: bool(watchdog.stalls), timeout=2000)
        messages = [r.getMessage() for r in caplog.records]
        assert messages[0].startswith("GUI thread stalled for")
        assert "time.sleep" in messages[0] or "test_watchdog" in messages[0]
        assert watchdog.stalls[0] >= 0.25
    finally:
        watchdog.stop()
