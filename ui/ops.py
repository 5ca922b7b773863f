"""The one way StoreDesk runs work off the GUI thread (cf. Anki's CollectionOp/QueryOp).

    op(runner, lambda: services.sales.pay_cash(...)) \\
        .success(show_receipt).failure(show_error).with_progress("Completing…").run()

Threading contract:

- ``fn`` runs on a worker thread and must NEVER touch a widget. It gets plain values in
  and returns plain values (services guarantee that).
- ``success`` / ``failure`` callbacks run on the GUI thread, posted back through a queued
  Qt signal.
- Lanes: :attr:`Lane.DB` is ONE serial worker (the local SQLite has one writer, and order
  of writes must be the order of clicks); :attr:`Lane.IO` is a small pool for printing,
  PDF, network and device work, so a slow printer never delays the database.
- Progress is shown only if the work is still running after ``progress_delay_ms`` (~0.5 s),
  as a status-bar text and, with a parent widget, a progress dialog (cancellable when asked).
- ``guard(is_current)`` drops a late result when the user has moved on (callbacks not run).
- A failure with no failure callback, or an exception raised inside a callback, goes to the
  default failure handler (the app's ErrorRouter); nothing is swallowed.
- ``Runner(inline=True)`` runs everything synchronously on the calling thread: tests use it
  to be deterministic.
"""

from __future__ import annotations

import concurrent.futures
import enum
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")
log = logging.getLogger("storedesk.ui.ops")


class Lane(enum.Enum):
    DB = "db"
    IO = "io"


class CancelToken:
    """Set when the user presses Cancel; long work checks :attr:`cancelled` between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


def _log_unhandled(exc: BaseException) -> None:
    log.error("unhandled background failure", exc_info=(type(exc), exc, exc.__traceback__))


_default_failure: Callable[[BaseException], None] = _log_unhandled


def set_default_failure_handler(
    handler: Callable[[BaseException], None],
) -> Callable[[BaseException], None]:
    """Route unhandled failures to ``handler``; returns the previous handler."""
    global _default_failure
    previous, _default_failure = _default_failure, handler
    return previous


def _route(exc: BaseException) -> None:
    _default_failure(exc)


class Runner(QObject):
    """Owns the worker threads. One per application window; ``shutdown()`` on exit."""

    progress_shown = Signal(str)
    progress_hidden = Signal()
    _finished = Signal(object, object, object)  # op, result, exception

    def __init__(
        self, parent: QObject | None = None, *, inline: bool = False, progress_delay_ms: int = 500
    ) -> None:
        super().__init__(parent)
        self.inline = inline
        self.progress_delay_ms = progress_delay_ms
        self._pools: dict[Lane, concurrent.futures.ThreadPoolExecutor] = {}
        if not inline:
            self._pools = {
                Lane.DB: concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="db"),
                Lane.IO: concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="io"),
            }
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def submit(self, operation: Op[Any]) -> None:
        if self._closed:
            raise RuntimeError("runner is shut down")
        if self.inline:
            try:
                result = operation.call()
            except Exception as exc:
                self._deliver(operation, None, exc)
            else:
                self._deliver(operation, result, None)
            return
        operation.start_progress()

        def work() -> None:
            try:
                result = operation.call()
            except Exception as exc:
                self._finished.emit(operation, None, exc)
            else:
                self._finished.emit(operation, result, None)

        self._pools[operation.lane].submit(work)

    @Slot(object, object, object)
    def _deliver(self, operation: Op[Any], result: Any, exc: BaseException | None) -> None:
        operation.finish(result, exc)

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        for pool in self._pools.values():
            pool.shutdown(wait=wait, cancel_futures=True)


class Op(Generic[T]):
    def __init__(self, runner: Runner, fn: Callable[..., T], *, lane: Lane, wants_token: bool):
        self.runner = runner
        self.lane = lane
        self.token = CancelToken()
        self._fn = fn
        self._wants_token = wants_token
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._is_current: Callable[[], bool] = lambda: True
        self._label: str | None = None
        self._parent: QWidget | None = None
        self._cancellable = False
        self._timer: QTimer | None = None
        self._dialog: QProgressDialog | None = None
        self._shown = False

    def success(self, cb: Callable[[T], None]) -> Op[T]:
        self._success = cb
        return self

    def failure(self, cb: Callable[[BaseException], None]) -> Op[T]:
        self._failure = cb
        return self

    def guard(self, is_current: Callable[[], bool]) -> Op[T]:
        self._is_current = is_current
        return self

    def with_progress(
        self, label: str, *, parent: QWidget | None = None, cancellable: bool = False
    ) -> Op[T]:
        self._label, self._parent, self._cancellable = label, parent, cancellable
        return self

    def run(self) -> CancelToken:
        self.runner.submit(self)
        return self.token

    # -- used by Runner ------------------------------------------------------------------
    def call(self) -> T:
        return self._fn(self.token) if self._wants_token else self._fn()

    def start_progress(self) -> None:
        if self._label is None:
            return
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_progress)
        self._timer.start(self.runner.progress_delay_ms)

    def _show_progress(self) -> None:
        self._shown = True
        assert self._label is not None
        self.runner.progress_shown.emit(self._label)
        if self._parent is not None:
            dialog = QProgressDialog(
                self._label, "Cancel" if self._cancellable else "", 0, 0, self._parent
            )
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            if self._cancellable:
                dialog.canceled.connect(self.token.cancel)
            else:
                dialog.setCancelButton(None)
            dialog.show()
            self._dialog = dialog

    def finish(self, result: Any, exc: BaseException | None) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._dialog is not None:
            self._dialog.reset()
            self._dialog.deleteLater()
            self._dialog = None
        if self._shown:
            self.runner.progress_hidden.emit()
        if not self._is_current():
            log.debug("dropping a late result for a context the user has left")
            return
        try:
            if exc is None:
                if self._success is not None:
                    self._success(result)
            elif self._failure is not None:
                self._failure(exc)
            else:
                _route(exc)
        except Exception as callback_exc:
            _route(callback_exc)


def op(runner: Runner, fn: Callable[[], T], *, lane: Lane = Lane.DB) -> Op[T]:
    return Op(runner, fn, lane=lane, wants_token=False)


def op_cancellable(
    runner: Runner, fn: Callable[[CancelToken], T], *, lane: Lane = Lane.DB
) -> Op[T]:
    """Like :func:`op`, but ``fn`` receives the CancelToken to check between steps."""
    return Op(runner, fn, lane=lane, wants_token=True)
