"""Receipt printers over python-escpos connections: network (TCP 9100), serial, USB, file.

All I/O runs on the printer's own :class:`~devices.worker.DeviceWorker` with a deadline.
The connection opens lazily on the first job and is dropped after an I/O error, so the
next job reconnects (a printer switched off and on again just works).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from escpos.exceptions import DeviceNotFoundError

from devices.errors import DeviceError, DeviceOffline, DeviceTimeout, PaperOut
from devices.printer.base import PrinterStatus, ReceiptDoc
from devices.printer.render import columns_for, render_drawer_kick, render_receipt
from devices.worker import DeviceWorker

log = logging.getLogger(__name__)
Connect = Callable[[], Any]  # returns a python-escpos printer object (not yet opened)


class EscposReceiptPrinter:
    def __init__(
        self,
        connect: Connect,
        *,
        name: str,
        profile: str,
        width_mm: int,
        timeout: float = 10.0,
        can_read: bool = False,
    ) -> None:
        self.name = name
        self.columns = columns_for(width_mm, profile)
        self._connect = connect
        self._profile = profile
        self._timeout = timeout
        self._can_read = can_read
        self._conn: Any = None
        self._worker = DeviceWorker(name)

    # -- the protocol ----------------------------------------------------------------------
    def print_receipt(self, doc: ReceiptDoc) -> None:
        data = render_receipt(doc, profile=self._profile)
        self._worker.call(lambda: self._send(data), timeout=self._timeout)

    def kick_drawer(self) -> None:
        data = render_drawer_kick(profile=self._profile)
        self._worker.call(lambda: self._send(data), timeout=self._timeout)

    def status(self) -> PrinterStatus:
        if not self._can_read:
            return PrinterStatus(online=True, paper="unknown", detail="model does not report")
        return self._worker.call(self._read_status, timeout=self._timeout)

    def close(self) -> None:
        try:
            self._worker.call(self._drop, timeout=self._timeout)
        finally:
            self._worker.close()

    # -- on the device thread --------------------------------------------------------------
    def _device(self) -> Any:
        if self._conn is None:
            try:
                conn = self._connect()
                conn.open()
            except DeviceNotFoundError as exc:
                raise DeviceOffline(self.name, f"cannot be reached ({exc.msg})") from exc
            except TimeoutError as exc:
                raise DeviceTimeout(self.name, "did not accept the connection in time") from exc
            except OSError as exc:
                raise DeviceOffline(self.name, f"cannot be reached ({exc})") from exc
            self._conn = conn
        return self._conn

    @contextmanager
    def _link(self, silence: str) -> Iterator[Any]:
        """The open connection; an I/O error drops it (the next job reconnects) and is typed."""
        device = self._device()
        try:
            yield device
        except TimeoutError as exc:
            self._drop()
            raise DeviceTimeout(self.name, silence) from exc
        except OSError as exc:
            self._drop()
            raise DeviceOffline(self.name, f"connection lost ({exc})") from exc

    def _send(self, data: bytes) -> None:
        with self._link("stopped taking data") as device:
            device._raw(data)  # python-escpos' one write path for bytes already encoded

    def _read_status(self) -> PrinterStatus:
        with self._link("did not answer the status request") as device:
            online = bool(device.is_online())
            paper = int(device.paper_status())
        state = {2: "ok", 1: "near_end", 0: "out"}.get(paper, "unknown")
        if state == "out":
            raise PaperOut(self.name, "is out of paper")
        return PrinterStatus(online=online, paper=state)  # type: ignore[arg-type]

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception as exc:
                log.debug("closing %s: %s", self.name, exc)


def split_address(address: str, default_port: int = 9100) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep:
        return address, default_port
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise DeviceError("Printer", f"'{address}' is not host:port")
    return host, int(port)
