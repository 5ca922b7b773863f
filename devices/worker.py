"""One I/O thread per physical device, and deadlines on every call.

Device libraries block; a device that hangs must never hang its caller forever. Each
device owns a :class:`DeviceWorker`; its jobs run one at a time on the worker's thread (a
device only does one thing at a time anyway), and :meth:`DeviceWorker.call` gives up with
:class:`~devices.errors.DeviceTimeout` when the deadline passes. Callers are background
threads, never the GUI thread.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from devices.errors import DeviceError, DeviceTimeout

T = TypeVar("T")
_Job = tuple[Callable[[], Any], "concurrent.futures.Future[Any]"]


class DeviceWorker:
    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name=f"device-{name}", daemon=True)
        self._closed = False
        self._thread.start()

    def submit(self, fn: Callable[[], T]) -> concurrent.futures.Future[T]:
        if self._closed:
            raise DeviceError(self.name, "is closed")
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((fn, future))
        return future

    def call(self, fn: Callable[[], T], *, timeout: float) -> T:
        """Run ``fn`` on the device thread; DeviceTimeout after ``timeout`` seconds."""
        future = self.submit(fn)
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise DeviceTimeout(self.name, f"no answer within {timeout:g} s") from None

    def _loop(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            fn, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except DeviceError as exc:
                future.set_exception(exc)
            except Exception as exc:
                wrapped = DeviceError(self.name, f"failed: {exc}")
                wrapped.__cause__ = exc
                future.set_exception(wrapped)
            else:
                future.set_result(result)

    def close(self, timeout: float = 2.0) -> None:
        if self._closed:
            return
        self._closed = True
        self._jobs.put(None)
        self._thread.join(timeout)
