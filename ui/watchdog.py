"""Debug-mode watchdog: logs every GUI-thread stall longer than the threshold (100 ms).

A QTimer on the GUI thread stamps the time every few milliseconds; a plain Python thread
checks the stamp. When the stamp is older than the threshold the GUI thread is stuck in
something (I/O that should be on a worker, a slow query): the watchdog logs the stall once
with the GUI thread's current stack, and logs its full length when it ends.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger("storedesk.ui.watchdog")


class GuiStallWatchdog(QObject):
    def __init__(
        self, *, threshold_ms: int = 100, tick_ms: int = 20, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.threshold = threshold_ms / 1000
        self._tick_s = tick_ms / 1000
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._beat)
        self._last = time.monotonic()
        self._gui_thread = threading.get_ident()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stalls: list[float] = []  # seconds, newest last (for diagnostics and tests)

    def start(self) -> None:
        """Call on the GUI thread."""
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

    def _beat(self) -> None:
        self._last = time.monotonic()

    def _watch(self) -> None:
        stalled_since: float | None = None
        while not self._stop.wait(self._tick_s):
            last = self._last
            age = time.monotonic() - last
            if age > self.threshold and stalled_since is None:
                stalled_since = last
                frame = sys._current_frames().get(self._gui_thread)
                stack = "".join(traceback.format_stack(frame, limit=8)) if frame else "(no stack)"
                log.warning(
                    "GUI thread stalled for %d ms so far; it is here:\n%s", age * 1000, stack
                )
            elif stalled_since is not None and last > stalled_since:
                total = last - stalled_since
                self.stalls.append(total)
                log.warning("GUI thread stalled for %d ms in all", total * 1000)
                stalled_since = None
