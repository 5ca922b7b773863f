"""The wire to a receipt printer: python-escpos' Network, Serial, Usb and File connections,
each with deadlines on every operation and failures turned into typed device errors.

python-escpos opens the connection (its ``open()`` knows each transport's quirks); the
writes and status reads happen here because the library's own ``_read`` either waits for
ever (USB without timeout), cannot tell silence from an answer (serial), or keeps stale
bytes (network). A :class:`Link` is used from one thread only: the printer's
:class:`~devices.worker.DeviceWorker`.

What silence means differs by transport. A network interface answers real-time status
requests itself, so a peer on port 9100 that stays silent is a hung printer or not a printer
(:attr:`Link.silence_is_failure`); a serial or USB printer may simply have no back channel,
and then its status is "unknown", not an error.
"""

from __future__ import annotations

import select
import time
from typing import Any, Protocol

from devices.errors import DeviceOffline, DeviceTimeout


class ConnectionLost(DeviceOffline):
    """An open connection failed; the printer may be fine on a new one."""


class Link(Protocol):
    name: str
    reports_status: bool  # False: the transport cannot read at all (a file)
    silence_is_failure: bool

    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def ask(self, request: bytes) -> int | None:
        """Send a real-time status request; its answer byte, or None if none came in time."""
        ...

    def close(self) -> None: ...


def _opened(name: str, printer: Any, *, within: float | None = None) -> None:
    """``printer.open()`` with python-escpos' errors turned into :class:`DeviceOffline`."""
    from escpos.exceptions import DeviceNotFoundError

    try:
        printer.open()
    except DeviceNotFoundError as exc:
        if within is not None and isinstance(exc.__context__, TimeoutError):
            raise DeviceOffline(name, f"did not accept a connection within {within:g} s") from exc
        detail = str(exc.__context__ or exc.msg).strip()
        raise DeviceOffline(name, f"cannot be reached ({detail})") from exc
    except RuntimeError as exc:  # python-escpos: the transport's library is not installed
        raise DeviceOffline(name, f"cannot be used here: {exc}") from exc
    except OSError as exc:
        raise DeviceOffline(name, f"cannot be reached ({exc})") from exc


class NetworkLink:
    """A printer on TCP port 9100 (raw / JetDirect), through ``escpos.printer.Network``."""

    reports_status = True
    silence_is_failure = True

    def __init__(
        self, host: str, port: int, *, profile: str, connect: float, io: float, answer: float
    ) -> None:
        self.name = f"Printer {host}:{port}"
        self._host, self._port, self._profile = host, port, profile
        self._connect, self._io, self._answer = connect, io, answer
        self._printer: Any = None
        self._sock: Any = None

    def open(self) -> None:
        from escpos.printer import Network

        printer = Network(self._host, self._port, timeout=self._connect, profile=self._profile)
        _opened(self.name, printer, within=self._connect)
        self._printer, self._sock = printer, printer.device
        self._sock.settimeout(self._io)

    def write(self, data: bytes) -> None:
        try:
            self._sock.sendall(data)
        except TimeoutError as exc:
            raise DeviceTimeout(self.name, f"took no data for {self._io:g} s") from exc
        except OSError as exc:
            raise ConnectionLost(self.name, f"connection lost ({exc})") from exc

    def ask(self, request: bytes) -> int | None:
        self._drain()  # a late answer to an earlier request must not pass for this one
        self.write(request)
        deadline = time.monotonic() + self._answer
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([self._sock], [], [], left)[0]:
                break
            data = self._recv()
            return data[-1]
        return None

    def _recv(self) -> bytes:
        try:
            data: bytes = self._sock.recv(64)
        except OSError as exc:
            raise ConnectionLost(self.name, f"connection lost ({exc})") from exc
        if not data:
            raise ConnectionLost(self.name, "closed the connection")
        return data

    def _drain(self) -> None:
        while select.select([self._sock], [], [], 0)[0]:
            self._recv()

    def close(self) -> None:
        printer, self._printer, self._sock = self._printer, None, None
        if printer is not None:
            printer.close()


class SerialLink:
    """A printer on a serial port (``/dev/ttyUSB0``, ``COM3``), through ``escpos.printer.Serial``.

    python-escpos opens the port without a write timeout; with hardware flow control a
    printer that stops reading would block a write for ever, so one is set after opening.
    """

    reports_status = True
    silence_is_failure = False

    def __init__(
        self, device: str, baudrate: int, *, profile: str, io: float, answer: float
    ) -> None:
        self.name = f"Printer {device}"
        self._device, self._baudrate, self._profile = device, baudrate, profile
        self._io, self._answer = io, answer
        self._printer: Any = None
        self._port: Any = None

    def open(self) -> None:
        from escpos.printer import Serial

        printer = Serial(
            self._device, baudrate=self._baudrate, timeout=self._answer, profile=self._profile
        )
        _opened(self.name, printer)
        self._printer, self._port = printer, printer.device
        self._port.write_timeout = self._io

    def write(self, data: bytes) -> None:
        import serial

        try:
            self._port.write(data)
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout(self.name, f"took no data for {self._io:g} s") from exc
        except (serial.SerialException, OSError) as exc:
            raise ConnectionLost(self.name, f"port failed ({exc})") from exc

    def ask(self, request: bytes) -> int | None:
        import serial

        try:
            self._port.reset_input_buffer()
            self.write(request)
            data: bytes = self._port.read(1)  # waits at most the port's read timeout
        except (serial.SerialException, OSError) as exc:
            raise ConnectionLost(self.name, f"port failed ({exc})") from exc
        return data[-1] if data else None

    def close(self) -> None:
        printer, self._printer, self._port = self._printer, None, None
        if printer is not None:
            printer.close()


class UsbLink:
    """A printer on USB by vendor:product id, through ``escpos.printer.Usb`` (needs pyusb)."""

    reports_status = True
    silence_is_failure = False

    def __init__(
        self, vendor: int, product: int, *, profile: str, io: float, answer: float
    ) -> None:
        self.name = f"Printer USB {vendor:04x}:{product:04x}"
        self._vendor, self._product, self._profile = vendor, product, profile
        self._io, self._answer = io, answer
        self._printer: Any = None

    def open(self) -> None:
        from escpos.printer import Usb

        if not Usb.is_usable():  # checked first: a Usb object without pyusb fails even in __del__
            raise DeviceOffline(self.name, "cannot be used here: the pyusb package is missing")
        printer = Usb(
            self._vendor, self._product, timeout=int(self._io * 1000), profile=self._profile
        )
        _opened(self.name, printer)
        self._printer = printer

    def write(self, data: bytes) -> None:
        try:
            self._printer._raw(data)  # device.write(out_ep, data, timeout)
        except Exception as exc:  # pyusb's USBError (an OSError) or USBTimeoutError
            raise self._failure(exc) from exc

    def ask(self, request: bytes) -> int | None:
        self.write(request)
        try:
            data = self._printer.device.read(
                self._printer.in_ep, 16, timeout=int(self._answer * 1000)
            )
        except Exception as exc:
            if type(exc).__name__ == "USBTimeoutError":
                return None
            raise self._failure(exc) from exc
        return int(data[-1]) if len(data) else None

    def _failure(self, exc: Exception) -> DeviceOffline | DeviceTimeout:
        if type(exc).__name__ == "USBTimeoutError":
            return DeviceTimeout(self.name, f"took no data for {self._io:g} s")
        return ConnectionLost(self.name, f"USB transfer failed ({exc})")

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            printer.close()


class FileLink:
    """A device node (``/dev/usb/lp0``, a printer share) or a file, through ``escpos.printer.File``.

    Nothing can be read back, so there is no status. Writes to a device node block in the
    kernel when the printer stops; the printer's worker deadline bounds the caller's wait.
    """

    reports_status = False
    silence_is_failure = False

    def __init__(self, path: str, *, profile: str) -> None:
        self.name = f"Printer {path}"
        self._path, self._profile = path, profile
        self._printer: Any = None

    def open(self) -> None:
        from escpos.printer import File

        printer = File(self._path, profile=self._profile)
        _opened(self.name, printer)
        self._printer = printer

    def write(self, data: bytes) -> None:
        try:
            self._printer._raw(data)  # write and flush
        except OSError as exc:
            raise ConnectionLost(self.name, f"write failed ({exc})") from exc

    def ask(self, request: bytes) -> int | None:
        return None

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            printer.close()
