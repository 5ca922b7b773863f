"""The one way StoreDesk runs work off the GUI thread (cf. Anki's CollectionOp/QueryOp).

    op(runner, lambda: services.sales.pay_cash(...)).success(show_receipt) \\
        .failure(show_error).with_progress("Completing…", parent=self).run()

Threading contract:

- ``fn`` runs on a background worker thread and must NEVER touch a widget (nor any QObject
  of the GUI thread): plain values in, plain values out.
- ``success`` / ``failure`` / ``guard`` callbacks run on the GUI thread: the worker posts the
  outcome back through a Qt signal (queued connection). Call ``run()`` on the GUI thread.
- :attr:`Lane.DB` is ONE serial worker (one SQLite writer; writes in click order);
  :attr:`Lane.IO` is a pool of 4 for printing, PDF, network and device work.
- Progress appears only if the work outlasts ``progress_delay_ms``: ``progress_shown(label)``
  and, given a parent, a window-modal QProgressDialog (Cancel button if cancellable).
- ``run()`` returns an :class:`OpHandle`; its ``cancel()`` is cooperative: it sets the
  :class:`CancelToken` that :func:`op_cancellable` passes to ``fn``; the outcome still arrives.
- ``guard(is_current)`` drops a late outcome (no callback; a failure is only logged).
- A failure with no failure callback, or raised by a callback, goes to the default failure
  handler (:func:`set_default_failure_handler`). Nothing is swallowed.
- ``Runner(inline=True)`` runs ``fn`` and the callbacks before ``run()`` returns (tests).
- After ``shutdown()``, ``run()`` raises RuntimeError; undelivered outcomes are dropped.
"""

from __future__ import annotations

import concurrent.futures
import enum
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")
log = logging.getLogger("storedesk.ui.ops")


class Lane(enum.Enum):
    DB = "db"  # ONE serial worker thread for the local database
    IO = "io"  # a small pool for network, printing, PDF and device work


LANE_WORKERS = {Lane.DB: 1, Lane.IO: 4}


class CancelToken:
    """Set when the user (or shutdown) cancels; long work checks :attr:`cancelled`."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class OpHandle:
    """What ``run()`` returns: cooperative ``cancel()``; ``done`` once the outcome reached
    the GUI thread (delivered or dropped)."""

    def __init__(self, token: CancelToken) -> None:
        self.token, self.done = token, False

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled


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
    try:
        _default_failure(exc)
    except Exception:
        log.exception("the failure handler failed while handling %r", exc)
        _log_unhandled(exc)


class Runner(QObject):
    """Owns the worker threads. One per application, owned by the main window."""

    progress_shown = Signal(str)
    progress_hidden = Signal()
    _completed = Signal(object)  # the Op whose outcome is ready

    def __init__(
        self, parent: QObject | None = None, *, inline: bool = False, progress_delay_ms: int = 500
    ) -> None:
        super().__init__(parent)
        self.inline = inline
        self.progress_delay_ms = progress_delay_ms
        self._gui_thread = threading.get_ident()
        self._pools = {
            lane: concurrent.futures.ThreadPoolExecutor(n, f"storedesk-{lane.value}")
            for lane, n in ({} if inline else LANE_WORKERS).items()
        }
        self._closed = False
        self._pending: set[Op[Any]] = set()  # submitted, outcome not yet on the GUI thread
        self._showing: list[Op[Any]] = []  # ops whose progress is visible, newest last
        self._completed.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def closed(self) -> bool:
        """True after :meth:`shutdown`: timers that fire late must not start new work."""
        return self._closed

    def shutdown(self, wait: bool = True) -> None:
        """Refuse new work, cancel the tokens of pending ops, drop queued ones, stop threads."""
        self._closed = True
        pending, self._pending = list(self._pending), set()
        for operation in pending:
            operation.handle.cancel()
            operation._deliver(deliver=False)
        for pool in self._pools.values():
            pool.shutdown(wait=wait, cancel_futures=True)

    # -- used by Op ------------------------------------------------------------------------
    def _submit(self, operation: Op[Any]) -> None:
        if self._closed:
            raise RuntimeError("runner is shut down")
        if threading.get_ident() != self._gui_thread:
            raise RuntimeError("Op.run() must be called on the GUI thread")
        if self.inline:
            operation._execute()
            operation._deliver(deliver=True)
            return
        self._pending.add(operation)
        operation._start_progress()
        self._pools[operation.lane].submit(self._work, operation)

    def _work(self, operation: Op[Any]) -> None:  # on a worker thread
        operation._execute()
        self._completed.emit(operation)

    @Slot(object)
    def _deliver(self, operation: Op[Any]) -> None:  # on the GUI thread
        if operation in self._pending:  # else dropped by shutdown()
            self._pending.discard(operation)
            operation._deliver(deliver=True)

    def _progress_ended(self, operation: Op[Any]) -> None:
        if operation not in self._showing:
            return
        self._showing.remove(operation)
        if self._showing:
            self.progress_shown.emit(self._showing[-1]._label or "")
        else:
            self.progress_hidden.emit()


class Op(Generic[T]):
    """One piece of background work and its GUI-thread callbacks; build with :func:`op`."""

    def __init__(
        self, runner: Runner, fn: Callable[..., T], *, lane: Lane, wants_token: bool
    ) -> None:
        self.runner = runner
        self.lane = lane
        self.handle = OpHandle(CancelToken())
        self._fn = fn
        self._wants_token = wants_token
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._is_current: Callable[[], bool] = lambda: True
        self._label: str | None = None
        self._parent: QWidget | None = None
        self._cancellable = False
        self._started = False
        self._work_done = threading.Event()
        self._result: T | None = None
        self._error: BaseException | None = None
        self._timer: QTimer | None = None
        self._dialog: QProgressDialog | None = None

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

    def run(self) -> OpHandle:
        if self._started:
            raise RuntimeError("an Op runs only once")
        self._started = True
        self.runner._submit(self)
        return self.handle

    # -- internals: _execute on the worker thread, the rest on the GUI thread ---------------
    def _execute(self) -> None:
        try:
            self._result = self._fn(self.handle.token) if self._wants_token else self._fn()
        except BaseException as exc:  # delivered, never lost inside the executor
            self._error = exc
        finally:
            self._work_done.set()

    def _start_progress(self) -> None:
        if self._label is None:
            return
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_progress)
        self._timer.start(self.runner.progress_delay_ms)

    def _show_progress(self) -> None:
        if self._work_done.is_set() or self._label is None:
            return  # finished just now: the outcome is already on its way
        self.runner._showing.append(self)
        self.runner.progress_shown.emit(self._label)
        if self._parent is None or not shiboken6.isValid(self._parent):
            return
        dialog = QProgressDialog(self._label, "Cancel", 0, 0, self._parent)
        dialog.setObjectName("op_progress")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        if self._cancellable:
            dialog.canceled.connect(self.handle.cancel)
        else:
            dialog.setCancelButton(None)
        dialog.show()
        self._dialog = dialog

    def _end_progress(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._dialog is not None and shiboken6.isValid(self._dialog):  # else died with parent
            self._dialog.reset()
            self._dialog.hide()
            self._dialog.deleteLater()
        self._dialog = None
        self.runner._progress_ended(self)

    def _deliver(self, *, deliver: bool) -> None:
        self._end_progress()
        self.handle.done = True
        if not deliver:
            return
        try:
            if not self._is_current():
                if self._error is not None:
                    log.warning("dropped a late failure", exc_info=self._error)
                return
            if self._error is None:
                if self._success is not None:
                    self._success(cast(T, self._result))
            elif self._failure is not None:
                self._failure(self._error)
            else:
                _route(self._error)
        except Exception as callback_exc:
            _route(callback_exc)


def op(runner: Runner, fn: Callable[[], T], *, lane: Lane = Lane.DB) -> Op[T]:
    """Run ``fn()`` on ``lane``; chain callbacks, then ``.run()`` (on the GUI thread)."""
    return Op(runner, fn, lane=lane, wants_token=False)


def op_cancellable(
    runner: Runner, fn: Callable[[CancelToken], T], *, lane: Lane = Lane.DB
) -> Op[T]:
    """Like :func:`op`, but ``fn`` receives the CancelToken to check between steps."""
    return Op(runner, fn, lane=lane, wants_token=True)
