"""A printer that keeps what it is sent: for the demo, tests, and stores without hardware.

It renders exactly the bytes a real printer would get (same renderer), keeps every job,
counts drawer kicks, and can be told to fail, so the app's error paths can be exercised.
"""

from __future__ import annotations

import threading

from devices.errors import DeviceError, PaperOut
from devices.printer.base import PrinterStatus, ReceiptDoc
from devices.printer.render import columns_for, render_drawer_kick, render_receipt


class SimulatedPrinter:
    def __init__(self, *, profile: str = "TM-T20II", width_mm: int = 80, columns: int = 0) -> None:
        self.name = "Simulated printer"
        self.columns = columns_for(width_mm, profile, columns)
        self.profile = profile
        self.jobs: list[bytes] = []
        self.drawer_kicks = 0
        self.paper_out = False
        self._fail_next: DeviceError | None = None
        self._lock = threading.Lock()

    def fail_next(self, error: DeviceError) -> None:
        self._fail_next = error

    def _check(self) -> None:
        if self._fail_next is not None:
            error, self._fail_next = self._fail_next, None
            raise error
        if self.paper_out:
            raise PaperOut(self.name, "is out of paper")

    def print_receipt(self, doc: ReceiptDoc) -> None:
        data = render_receipt(doc, profile=self.profile, columns=self.columns)
        with self._lock:
            self._check()
            self.jobs.append(data)

    def kick_drawer(self) -> None:
        data = render_drawer_kick(profile=self.profile)
        with self._lock:
            self._check()
            self.jobs.append(data)
            self.drawer_kicks += 1

    def status(self) -> PrinterStatus:
        return PrinterStatus(
            online=True, paper="out" if self.paper_out else "ok", detail="simulated"
        )

    def close(self) -> None:
        pass
