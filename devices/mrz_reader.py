"""ID-document readers that send the machine-readable zone as text over a serial line.

Desko, Access-IS, ARH and similar readers in serial (non-keyboard) mode send each MRZ
line as ASCII ending in CR, LF or CR LF, some framed by STX (0x02) … ETX (0x03), and go
quiet after the document. Contract of :meth:`MrzReader.read_document`:

- It waits up to ``deadline`` seconds for the first byte; then it returns the lines joined
  with "\\n" as soon as they form a whole TD1 (3×30), TD2 (2×36) or TD3 (2×44) zone, or
  when ``line_timeout`` passes without a byte after at least one line (a partial zone is
  returned as it is; :func:`domain.identifiers.mrz.parse_mrz` says what is wrong with it).
- Blank lines, STX/ETX and surrounding spaces are dropped. A byte that is not printable
  ASCII, or more than :data:`MAX_CHARS` characters without a whole zone, raises
  :class:`~devices.errors.DeviceProtocolError`.
- Nothing before the deadline: :class:`~devices.errors.DeviceTimeout`. A port that cannot
  be opened or fails while reading: :class:`~devices.errors.DeviceOffline`.
- :meth:`MrzReader.cancel` (from any thread) ends a waiting read within ``POLL`` seconds
  with a :class:`~devices.errors.DeviceError` saying it was cancelled.

The port is any pyserial URL: ``/dev/ttyUSB0``, ``COM3``, ``loop://`` in tests, or the
pseudo-terminal of :mod:`devices.mrz_reader_sim`.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

import serial

from devices.errors import DeviceError, DeviceOffline, DeviceProtocolError, DeviceTimeout

NAME = "Document reader"
MAX_CHARS = 300
POLL = 0.05
ZONES = {(3, 30), (2, 36), (2, 44)}
_FRAMING = {0x02, 0x03}


class MrzReader:
    def __init__(self, url: str, *, baudrate: int = 9600, line_timeout: float = 0.3) -> None:
        self.url = url
        self.baudrate = baudrate
        self.line_timeout = line_timeout
        self._port: serial.SerialBase | None = None
        self._cancel = threading.Event()

    def open(self) -> None:
        if self._port is not None:
            return
        try:
            self._port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=POLL)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceOffline(
                NAME, f"cannot open {self.url} ({exc}); check the cable and the port setting"
            ) from exc

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            port.close()

    def __enter__(self) -> MrzReader:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def cancel(self) -> None:
        self._cancel.set()

    def read_document(self, deadline: float) -> str:
        self.open()
        assert self._port is not None
        self._cancel.clear()
        started = time.monotonic()
        last_byte: float | None = None
        lines: list[str] = []
        current: list[str] = []
        seen = 0
        while True:
            if self._cancel.is_set():
                raise DeviceError(NAME, "reading was cancelled")
            now = time.monotonic()
            if last_byte is None and now - started > deadline:
                raise DeviceTimeout(
                    NAME,
                    f"No document was read within {deadline:g} s; place the document on the "
                    "reader.",
                )
            if last_byte is not None and now - last_byte > self.line_timeout:
                if current:
                    lines.append("".join(current).strip())
                    current = []
                if any(lines):
                    return "\n".join(line for line in lines if line)
            try:
                chunk = self._port.read(64)
            except (serial.SerialException, OSError) as exc:
                raise DeviceOffline(NAME, f"the connection on {self.url} failed ({exc})") from exc
            if not chunk:
                continue
            last_byte = time.monotonic()
            for byte in chunk:
                seen += 1
                if seen > MAX_CHARS:
                    raise DeviceProtocolError(
                        NAME, "The document reader sent too much; scan the document again."
                    )
                if byte in _FRAMING:
                    continue
                if byte in (0x0D, 0x0A):
                    text = "".join(current).strip()
                    current = []
                    if text:
                        lines.append(text)
                        if (len(lines), len(lines[0])) in ZONES and all(
                            len(line) == len(lines[0]) for line in lines
                        ):
                            return "\n".join(lines)
                    continue
                if not 0x20 <= byte <= 0x7E:
                    raise DeviceProtocolError(
                        NAME, "The document reader sent unreadable data; scan the document again."
                    )
                current.append(chr(byte))
