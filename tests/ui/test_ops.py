"""ui.ops with real worker threads and a real event loop (and the inline mode tests rely on)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import shiboken6
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from ui.ops import CancelToken, Lane, Runner, op, op_cancellable, set_default_failure_handler

WAIT_MS = 5000


def _worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("storedesk-")]


@pytest.fixture
def runner() -> Iterator[Runner]:
    made = Runner(progress_delay_ms=50)
    yield made
    made.shutdown(wait=True)
    assert _worker_threads() == []


@pytest.fixture
def handled() -> Iterator[list[BaseException]]:
    seen: list[BaseException] = []
    previous = set_default_failure_handler(seen.append)
    yield seen
    set_default_failure_handler(previous)


def _raise(exc: BaseException) -> Callable[..., None]:
    def fn(*_args: object) -> None:
        raise exc

    return fn


def test_work_runs_off_the_gui_thread_and_callbacks_on_it(qtbot: QtBot, runner: Runner) -> None:
    gui = threading.get_ident()
    threads: dict[str, int] = {}

    def work() -> int:
        threads["worker"] = threading.get_ident()
        return 42

    def done(value: int) -> None:
        threads["success"] = threading.get_ident()
        assert value == 42

    def failed(_exc: BaseException) -> None:
        threads["failure"] = threading.get_ident()

    first = op(runner, work).success(done).run()
    second = op(runner, _raise(ValueError("x")), lane=Lane.IO).failure(failed).run()
    qtbot.waitUntil(lambda: first.done and second.done, timeout=WAIT_MS)
    assert threads["worker"] != gui
    assert threads["success"] == gui and threads["failure"] == gui


def test_db_lane_is_serial_and_keeps_click_order(qtbot: QtBot, runner: Runner) -> None:
    events: list[tuple[str, int]] = []

    def work(n: int) -> Callable[[], None]:
        def fn() -> None:
            events.append(("enter", n))
            time.sleep(0.05)
            events.append(("exit", n))

        return fn

    handles = [op(runner, work(n)).run() for n in range(4)]
    qtbot.waitUntil(lambda: all(h.done for h in handles), timeout=WAIT_MS)
    assert events == [(kind, n) for n in range(4) for kind in ("enter", "exit")]


def test_io_lane_runs_concurrently(qtbot: QtBot, runner: Runner) -> None:
    # Three ops meet at a barrier: that only works if they run at the same time.
    barrier = threading.Barrier(3, timeout=WAIT_MS / 1000)
    results: list[int] = []
    for _ in range(3):
        op(runner, barrier.wait, lane=Lane.IO).success(results.append).run()
    qtbot.waitUntil(lambda: len(results) == 3, timeout=WAIT_MS)
    assert sorted(results) == [0, 1, 2]


def test_a_failure_goes_to_the_failure_callback_not_the_handler(
    qtbot: QtBot, runner: Runner, handled: list[BaseException]
) -> None:
    caught: list[BaseException] = []
    handle = op(runner, _raise(ValueError("bad"))).failure(caught.append).run()
    qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)
    assert [type(e) for e in caught] == [ValueError]
    assert handled == []


def test_a_failure_without_callback_goes_to_the_default_handler(
    qtbot: QtBot, runner: Runner, handled: list[BaseException]
) -> None:
    op(runner, _raise(KeyError("missing"))).success(lambda _v: None).run()
    qtbot.waitUntil(lambda: len(handled) == 1, timeout=WAIT_MS)
    assert isinstance(handled[0], KeyError)


def test_a_raising_callback_goes_to_the_default_handler(
    qtbot: QtBot, runner: Runner, handled: list[BaseException]
) -> None:
    op(runner, lambda: 1).success(_raise(RuntimeError("in success"))).run()
    op(runner, _raise(ValueError())).failure(_raise(TypeError("in failure"))).run()
    qtbot.waitUntil(lambda: len(handled) == 2, timeout=WAIT_MS)
    assert [str(e) for e in handled] == ["in success", "in failure"]


def test_a_raising_default_handler_is_logged_not_lost(caplog: pytest.LogCaptureFixture) -> None:
    previous = set_default_failure_handler(_raise(OSError("handler broke")))
    try:
        inline = Runner(inline=True)
        with caplog.at_level(logging.ERROR, logger="storedesk.ui.ops"):
            op(inline, _raise(ValueError("original"))).run()
    finally:
        set_default_failure_handler(previous)
    logged = "\n".join(r.getMessage() + str(r.exc_info) for r in caplog.records)
    assert "handler broke" in logged and "original" in logged


@pytest.mark.parametrize("fails", [False, True])
def test_guard_drops_a_late_outcome(
    qtbot: QtBot, runner: Runner, handled: list[BaseException], fails: bool
) -> None:
    release = threading.Event()
    current = [True]
    called: list[object] = []

    def work() -> int:
        release.wait(WAIT_MS / 1000)
        if fails:
            raise ValueError("late")
        return 1

    handle = (
        op(runner, work).guard(lambda: current[0]).success(called.append).failure(called.append)
    ).run()
    current[0] = False  # the user left the basket
    release.set()
    qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)
    assert called == [] and handled == []


def test_guard_keeps_a_current_outcome(qtbot: QtBot, runner: Runner) -> None:
    got: list[int] = []
    op(runner, lambda: 5).guard(lambda: True).success(got.append).run()
    qtbot.waitUntil(lambda: got == [5], timeout=WAIT_MS)


def test_progress_is_shown_only_for_work_slower_than_the_delay(
    qtbot: QtBot, runner: Runner
) -> None:
    shown: list[str] = []
    runner.progress_shown.connect(shown.append)
    quick = op(runner, lambda: None).with_progress("quick").run()
    qtbot.waitUntil(lambda: quick.done, timeout=WAIT_MS)
    qtbot.wait(100)  # longer than the delay: a leftover timer would fire now
    assert shown == []
    with qtbot.waitSignal(runner.progress_hidden, timeout=WAIT_MS):
        op(runner, lambda: time.sleep(0.3)).with_progress("slow").run()
    assert shown == ["slow"]


def test_progress_dialog_cancel_button_sets_the_token(qtbot: QtBot, runner: Runner) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()

    def work(token: CancelToken) -> bool:
        deadline = time.monotonic() + WAIT_MS / 1000
        while not token.cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        return token.cancelled

    results: list[bool] = []
    handle = op_cancellable(runner, work, lane=Lane.IO).success(results.append)
    with qtbot.waitSignal(runner.progress_shown, timeout=WAIT_MS):
        handle.with_progress("Printing…", parent=parent, cancellable=True).run()
    dialog = parent.findChild(QProgressDialog, "op_progress")
    assert dialog is not None and dialog.isVisible()
    button = dialog.findChild(QPushButton)
    assert button is not None
    with qtbot.waitSignal(runner.progress_hidden, timeout=WAIT_MS):
        button.click()
    assert results == [True]
    assert not dialog.isVisible()


def test_progress_dialog_without_cancel_when_not_cancellable(qtbot: QtBot, runner: Runner) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    release = threading.Event()
    with qtbot.waitSignal(runner.progress_shown, timeout=WAIT_MS):
        handle = (
            op(runner, lambda: release.wait(WAIT_MS / 1000))
            .with_progress("Saving…", parent=parent)
            .run()
        )
    dialog = parent.findChild(QProgressDialog, "op_progress")
    assert dialog is not None and dialog.findChild(QPushButton) is None
    release.set()
    qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)


def test_a_progress_parent_deleted_mid_op_is_harmless(qtbot: QtBot, runner: Runner) -> None:
    parent = QWidget()
    release = threading.Event()
    got: list[str] = []
    with qtbot.waitSignal(runner.progress_shown, timeout=WAIT_MS):
        op(runner, lambda: release.wait(WAIT_MS / 1000) and "ok").with_progress(
            "Saving…", parent=parent
        ).success(got.append).run()
    parent.deleteLater()  # the screen closed (and took the progress dialog with it)
    qtbot.waitUntil(lambda: not shiboken6.isValid(parent), timeout=WAIT_MS)
    with qtbot.waitSignal(runner.progress_hidden, timeout=WAIT_MS):
        release.set()
    assert got == ["ok"]


def test_overlapping_progress_is_hidden_after_the_last_op(qtbot: QtBot, runner: Runner) -> None:
    signals: list[str] = []
    runner.progress_shown.connect(lambda label: signals.append(f"shown {label}"))
    runner.progress_hidden.connect(lambda: signals.append("hidden"))
    release_a, release_b = threading.Event(), threading.Event()
    a = op(runner, lambda: release_a.wait(WAIT_MS / 1000), lane=Lane.IO).with_progress("A").run()
    b = op(runner, lambda: release_b.wait(WAIT_MS / 1000), lane=Lane.IO).with_progress("B").run()
    qtbot.waitUntil(lambda: len(signals) == 2, timeout=WAIT_MS)
    release_a.set()
    qtbot.waitUntil(lambda: a.done, timeout=WAIT_MS)
    assert "hidden" not in signals
    release_b.set()
    qtbot.waitUntil(lambda: b.done, timeout=WAIT_MS)
    assert signals[-1] == "hidden" and signals.count("hidden") == 1


def test_cancel_sets_the_token_the_work_sees(qtbot: QtBot, runner: Runner) -> None:
    started = threading.Event()
    results: list[bool] = []

    def work(token: CancelToken) -> bool:
        started.set()
        deadline = time.monotonic() + WAIT_MS / 1000
        while not token.cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        return token.cancelled

    handle = op_cancellable(runner, work).success(results.append).run()
    assert started.wait(WAIT_MS / 1000)
    assert not handle.cancelled
    handle.cancel()
    assert handle.cancelled and handle.token.cancelled
    qtbot.waitUntil(lambda: results == [True], timeout=WAIT_MS)


def test_inline_runner_is_synchronous(handled: list[BaseException]) -> None:
    inline = Runner(inline=True, progress_delay_ms=0)
    shown: list[str] = []
    inline.progress_shown.connect(shown.append)
    threads: list[int] = []
    got: list[int] = []
    caught: list[BaseException] = []

    def work() -> int:
        threads.append(threading.get_ident())
        return 7

    handle = op(inline, work).with_progress("inline").success(got.append).run()
    assert handle.done and got == [7] and threads == [threading.get_ident()]
    op(inline, _raise(ValueError())).failure(caught.append).run()
    op(inline, _raise(KeyError())).run()
    assert [type(e) for e in caught] == [ValueError]
    assert [type(e) for e in handled] == [KeyError]
    assert shown == []
    inline.shutdown()


def test_shutdown_cancels_pending_work_drops_outcomes_and_refuses_more(qtbot: QtBot) -> None:
    runner = Runner(progress_delay_ms=50)
    started = threading.Event()
    called: list[object] = []

    def work(token: CancelToken) -> None:
        started.set()
        while not token.cancelled:
            time.sleep(0.01)

    running = op_cancellable(runner, work).success(called.append).run()
    queued = op(runner, lambda: called.append("ran")).run()  # behind it on the DB lane
    assert started.wait(WAIT_MS / 1000)
    runner.shutdown(wait=True)
    assert running.cancelled and running.done and queued.done
    assert _worker_threads() == []
    qtbot.wait(50)  # a queued delivery, if any, would arrive now
    assert called == []
    with pytest.raises(RuntimeError, match="runner is shut down"):
        op(runner, lambda: None).run()


def test_run_must_be_called_on_the_gui_thread(runner: Runner) -> None:
    errors: list[BaseException] = []

    def from_worker() -> None:
        try:
            op(runner, lambda: None).run()
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=from_worker)
    thread.start()
    thread.join()
    assert len(errors) == 1 and "GUI thread" in str(errors[0])


def test_an_op_runs_only_once() -> None:
    inline = Runner(inline=True)
    built = op(inline, lambda: None)
    built.run()
    with pytest.raises(RuntimeError, match="only once"):
        built.run()
