"""Debug-mode watchdog: logs every GUI-thread stall longer than a threshold (100 ms).

A QTimer on the GUI thread stamps ``time.monotonic()`` every ~25 ms; a daemon Python thread
checks the stamp every ~25 ms. When the stamp is older than the threshold, the GUI thread is
stuck in something (I/O that belongs on a worker, a slow query): the watcher samples the GUI
thread's stack right then, and when the GUI thread answers again it logs ONE warning,
"GUI thread stalled for NNN ms", with the whole duration and that stack (last 8 frames).
A stall that lasts longer than ``hang_ms`` (a hang) is logged once more while it lasts, so a
frozen window still leaves a stack in the log.
"""

from __future__ import annotations

import collections
import logging
import sys
import threading
import time
import traceback

from PySide6.QtCore import QObject, Qt, QTimer

log = logging.getLogger("storedesk.ui.watchdog")
STACK_FRAMES = 8


class GuiStallWatchdog(QObject):
    """Create and :meth:`start` on the GUI thread; :meth:`stop` before the app exits."""

    def __init__(
        self,
        *,
        threshold_ms: int = 100,
        tick_ms: int = 25,
        hang_ms: int = 5000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.threshold = threshold_ms / 1000
        self.hang = hang_ms / 1000
        self._tick_s = tick_ms / 1000
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._beat)
        self._last = time.monotonic()
        self._gui_thread = threading.get_ident()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Lengths of the stalls seen, in seconds, newest last (diagnostics and tests).
        self.stalls: collections.deque[float] = collections.deque(maxlen=100)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        """Start watching the calling thread (the GUI thread). Idempotent."""
        if self._thread is not None:
            return
        self._gui_thread = threading.get_ident()
        self._last = time.monotonic()
        self._stop.clear()
        self._timer.start()
        self._thread = threading.Thread(target=self._watch, name="gui-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._timer.stop()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)
            self._thread = None

    def _beat(self) -> None:  # GUI thread
        self._last = time.monotonic()

    def _gui_stack(self) -> str:
        frame = sys._current_frames().get(self._gui_thread)
        if frame is None:
            return "(no stack: the GUI thread is gone)"
        return "".join(traceback.format_stack(frame, limit=STACK_FRAMES))

    def _watch(self) -> None:  # watchdog thread
        stalled_since: float | None = None
        stack = ""
        hang_logged = False
        while not self._stop.wait(self._tick_s):
            last = self._last
            if stalled_since is None:
                if time.monotonic() - last > self.threshold:
                    stalled_since, stack, hang_logged = last, self._gui_stack(), False
            elif last > stalled_since:  # the GUI thread ticked again: the stall is over
                total = last - stalled_since
                log.warning("GUI thread stalled for %d ms; it was here:\n%s", total * 1000, stack)
                self.stalls.append(total)
                stalled_since = None
            elif not hang_logged and time.monotonic() - stalled_since > self.hang:
                hang_logged = True
                log.warning(
                    "GUI thread stalled for %d ms and counting; it is here:\n%s",
                    (time.monotonic() - stalled_since) * 1000,
                    self._gui_stack(),
                )
