"""The background sync worker: one thread, one cycle at a time, backoff when the centre is away.

The GUI never waits for it. :meth:`SyncWorker.status` returns a copy of the last known
state (no I/O), which the status bar polls; :meth:`sync_now` wakes the thread early. After
a failure the next attempt waits ``min(cap, base * 2**failures)`` seconds times a random
factor between 0.5 and 1 (jitter, so a hundred terminals coming back after an outage do
not all knock at once); after a success it waits the normal interval.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from app.db.types import utcnow
from app.errors import SyncError
from app.sync.engine import CycleReport, SyncEngine

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0


@dataclass(frozen=True)
class SyncStatus:
    state: str  # "off", "starting", "syncing", "online", "offline"
    waiting: int = 0
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    error: str = ""
    failures: int = 0
    next_attempt_at: float | None = None  # time.monotonic()
    pushed: int = 0
    pulled: int = 0

    @property
    def online(self) -> bool:
        return self.state in ("online", "syncing") and not self.error


def backoff_delay(failures: int, rng: Callable[[], float] = random.random) -> float:
    raw: float = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** max(failures - 1, 0))
    return raw * (0.5 + rng() / 2)


class SyncWorker:
    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval_s: float = 30.0,
        on_cycle: Callable[[CycleReport], None] | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._engine = engine
        self._interval = interval_s
        self._on_cycle = on_cycle
        self._rng = rng
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = SyncStatus(state="starting")

    # -- GUI side: no I/O ---------------------------------------------------------------
    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def sync_now(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="storedesk-sync", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # -- the thread ---------------------------------------------------------------------
    def _set(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]

    def run_once(self) -> CycleReport | None:
        """One cycle in the calling thread (the worker's loop, or a test)."""
        self._set(state="syncing", last_attempt=utcnow())
        try:
            report = self._engine.cycle(should_stop=self._stop.is_set)
        except SyncError as exc:
            failures = self.status().failures + 1
            delay = backoff_delay(failures, self._rng)
            self._set(
                state="offline", error=str(exc), failures=failures,
                next_attempt_at=time.monotonic() + delay, waiting=self._waiting(),
            )  # fmt: skip
            log.warning("sync failed (%s); next try in %.0f s", exc, delay)
            return None
        except Exception as exc:
            log.exception("sync cycle crashed")
            failures = self.status().failures + 1
            delay = backoff_delay(failures, self._rng)
            self._set(
                state="offline", error=f"Sync stopped by an unexpected error: {exc}",
                failures=failures, next_attempt_at=time.monotonic() + delay,
            )  # fmt: skip
            return None
        self._set(
            state="online", error="", failures=0, last_success=utcnow(),
            next_attempt_at=time.monotonic() + self._interval, waiting=self._waiting(),
            pushed=report.push.rows, pulled=report.pull.rows,
        )  # fmt: skip
        if self._on_cycle is not None:
            try:
                self._on_cycle(report)
            except Exception:
                log.exception("after-sync hook failed")
        return report

    def _waiting(self) -> int:
        try:
            return self._engine.pusher.waiting()
        except Exception:
            return self.status().waiting

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            while not self._stop.is_set():
                due = self.status().next_attempt_at or 0.0
                remaining = due - time.monotonic()
                if remaining <= 0:
                    break
                if self._wake.wait(min(remaining, 2.0)):
                    self._wake.clear()
                    break
                self._set(waiting=self._waiting())
