"""Receipt printers over a :class:`~devices.printer.connections.Link`: network, serial, USB, file.

All I/O runs on the printer's own :class:`~devices.worker.DeviceWorker`; each call has the
overall deadline ``timeout``, and every socket or port operation a shorter one inside it
(:class:`Deadlines`), so the worker thread itself comes back instead of hanging behind a
printer that stopped reading. The connection opens lazily on the first job and is dropped
after an I/O error, so the next job reconnects (a printer switched off and on again just
works); a kept connection found dead before anything of a job was sent is reopened once.

With ``check_status`` (the app turns it on) and a connection that reads, a job is sent only
to a printer that says it is online and has paper, and is followed by one more status
request: the answer proves the printer took every byte (a printer that accepts the
connection and never reads fails here, as a timeout, instead of the receipt vanishing into
socket buffers), and reports paper that ran out during the receipt. Without it the job's
bytes are all that is sent, for printers behind something that only forwards data. A
printer that does not answer status requests at all (no back channel on its serial or USB
line) is printed to without the checks and reports "unknown".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from devices.errors import DeviceError, DeviceOffline, DeviceTimeout, PaperOut
from devices.printer import status
from devices.printer.base import Paper, PrinterStatus, ReceiptDoc
from devices.printer.connections import ConnectionLost, Link
from devices.printer.render import columns_for, render_drawer_kick, render_receipt
from devices.worker import DeviceWorker

log = logging.getLogger(__name__)
T = TypeVar("T")
UNKNOWN = PrinterStatus(online=True, paper="unknown", detail="the printer does not report status")


@dataclass(frozen=True)
class Deadlines:
    """Seconds allowed for each step; all inside the call's overall ``timeout``."""

    connect: float
    io: float  # one write that makes no progress
    answer: float  # one status answer

    @classmethod
    def within(cls, timeout: float) -> Deadlines:
        return cls(
            connect=min(3.0, timeout * 0.3), io=timeout * 0.5, answer=min(2.0, timeout * 0.2)
        )


class EscposReceiptPrinter:
    def __init__(
        self,
        link: Link,
        *,
        profile: str,
        width_mm: int,
        columns: int = 0,
        timeout: float = 10.0,
        check_status: bool = False,
    ) -> None:
        self.name = link.name
        self.columns = columns_for(width_mm, profile, columns)
        self.last_status: PrinterStatus | None = None  # from the last job or status call
        self._link = link
        self._profile = profile
        self._timeout = timeout
        self._check = check_status
        self._open = False
        self._silent = False  # this connection did not answer a status request: stop asking
        self._worker = DeviceWorker(self.name)

    # -- the protocol ----------------------------------------------------------------------
    def print_receipt(self, doc: ReceiptDoc) -> None:
        data = render_receipt(doc, profile=self._profile, columns=self.columns)
        self._worker.call(lambda: self._print(data), timeout=self._timeout)

    def kick_drawer(self) -> None:
        data = render_drawer_kick(profile=self._profile)
        self._worker.call(
            lambda: self._guarded(lambda: self._link.write(data)), timeout=self._timeout
        )

    def status(self) -> PrinterStatus:
        """Online and paper as the printer reports them; "unknown" paper if it does not.

        A network printer that does not answer raises :class:`DeviceTimeout`.
        """
        return self._worker.call(self._ready, timeout=self._timeout)

    def close(self) -> None:
        try:
            self._worker.call(self._drop, timeout=self._timeout)
        finally:
            self._worker.close()

    # -- on the device thread --------------------------------------------------------------
    def _print(self, data: bytes) -> None:
        if not self._check:
            self._guarded(lambda: self._link.write(data))
            return
        before = self._ready()
        if before.paper == "out":
            raise PaperOut(self.name, "is out of paper")
        if not before.online:
            raise DeviceOffline(self.name, f"is offline ({before.detail})")
        self._guarded(lambda: self._link.write(data))
        if self._link.reports_status and not self._silent:
            paper = self._guarded(
                lambda: self._ask(status.ASK_PAPER, "the status request after the receipt")
            )
            state = "unknown" if paper is None else status.paper(paper)
            self.last_status = PrinterStatus(online=True, paper=state)
            if state == "out":
                raise PaperOut(self.name, "ran out of paper during the receipt")

    def _ready(self) -> PrinterStatus:
        """Open the link and read the printer's status (once more on a fresh connection if a
        kept one turns out dead: nothing has been sent yet, so nothing can print twice)."""
        for attempt in range(2):
            fresh = self._ensure_open()
            try:
                self.last_status = self._guarded(self._probe)
                return self.last_status
            except ConnectionLost:
                if fresh or attempt:
                    raise
                log.info("%s: kept connection was dead, reconnecting", self.name)
        raise AssertionError("unreachable")

    def _probe(self) -> PrinterStatus:
        if not self._link.reports_status or self._silent:
            return UNKNOWN
        printer = self._ask(status.ASK_PRINTER, "the status request")
        if printer is None:
            return UNKNOWN
        paper_byte = self._ask(status.ASK_PAPER, "the paper status request")
        paper: Paper = "unknown" if paper_byte is None else status.paper(paper_byte)
        if status.online(printer):
            return PrinterStatus(online=True, paper=paper)
        cause = self._ask(status.ASK_OFFLINE_CAUSE, "the offline status request")
        detail = status.offline_cause(cause) if cause is not None else "reason not given"
        return PrinterStatus(online=False, paper=paper, detail=detail)

    def _ask(self, request: bytes, what: str) -> int | None:
        """One status byte; None when this printer does not report (or answered nonsense)."""
        answer = self._link.ask(request)
        if answer is None:
            if self._link.silence_is_failure:
                raise DeviceTimeout(self.name, f"did not answer {what}")
            self._silent = True
            log.info("%s does not answer status requests; printing without checks", self.name)
            return None
        if not status.is_status(answer):
            log.warning("%s answered %s with 0x%02x", self.name, what, answer)
            return None
        return answer

    def _ensure_open(self) -> bool:
        """Open the link if needed; True if it was opened just now."""
        if self._open:
            return False
        self._link.open()
        self._open, self._silent = True, False
        return True

    def _guarded(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the open link; a failing link is dropped so the next job reconnects."""
        self._ensure_open()
        try:
            return fn()
        except (ConnectionLost, DeviceTimeout):
            self._drop()
            raise
        except DeviceError:
            raise
        except OSError as exc:  # anything the link did not translate
            self._drop()
            raise ConnectionLost(self.name, f"connection lost ({exc})") from exc

    def _drop(self) -> None:
        if not self._open:
            return
        self._open = False
        try:
            self._link.close()
        except Exception as exc:
            log.debug("closing %s: %s", self.name, exc)


def split_address(address: str, default_port: int = 9100) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep:
        return address, default_port
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise DeviceError("Printer", f"'{address}' is not host:port")
    return host, int(port)
