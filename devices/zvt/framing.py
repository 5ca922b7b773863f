"""ZVT serial transport: frames, CRC, ACK/NAK and repeats, every read against a deadline.

The ZVT transport protocol for RS-232 (PA00P016, "Transport-Protocol") wraps each APDU as::

    DLE STX  <APDU, every DLE (0x10) doubled>  DLE ETX  CRC-lo CRC-hi

- The CRC is CRC-16/CCITT in its reflected form (polynomial 0x8408, initial value 0, no final
  XOR; the catalogue name is CRC-16/KERMIT), computed over the *unescaped* APDU followed by
  ETX, and sent low byte first. Checked against frames seen on real terminals:
  ``10 02 80 00 00 10 03 F5 1F`` (the positive acknowledgement), the status-enquiry
  completion in ecrterm's ``tests/test_parsing.py`` (``... 10 03 B1 11``) and a print line
  logged by shopundsell.de (``... 10 03 1C 81``); see ``tests/devices/test_zvt_framing.py``.
- The receiver answers every frame with a single ACK (0x06) byte, or NAK (0x15) when the CRC
  is wrong; the sender then repeats the frame. A frame is sent at most three times (the first
  try and two repeats, as ``MAX_BLOCKREPEATS = 2`` in Europa-Park/zvtlib's RS232Transport).
- The ACK must come within T3 = 5 s (the default of zvtlib and ecrterm); bytes inside a frame
  may not pause longer than a second (zvtlib's ``BYTE_TIMEOUT``).
- Bytes before ``DLE STX`` (line noise, a half frame after a reconnect) are skipped, and a
  ``DLE STX`` inside a frame starts the frame again: the sender has given up on the old one.

There are no sequence numbers: if our ACK is lost the other side repeats a frame we already
have. Above this layer that costs little: a status shown twice, a receipt line printed twice.

:class:`FrameLink` does this over anything with pyserial's ``read``/``write``/``timeout``
(a ``serial.Serial``, ``loop://``, or the simulator's pseudo-terminal). Failures are
:mod:`devices.errors` types: :class:`~devices.errors.DeviceTimeout` when a deadline passes,
:class:`~devices.errors.DeviceOffline` when the port fails, and
:class:`~devices.errors.DeviceProtocolError` when the other side keeps rejecting or
garbling frames.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from devices.errors import DeviceOffline, DeviceProtocolError, DeviceTimeout

DLE = 0x10
STX = 0x02
ETX = 0x03
ACK = 0x06
NAK = 0x15

ACK_TIMEOUT = 5.0  # T3
BYTE_TIMEOUT = 1.0
MAX_SENDS = 3
POLL = 0.05


class SerialLike(Protocol):
    """What :class:`FrameLink` needs of a port: pyserial's blocking read with a timeout."""

    timeout: float | None

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes, /) -> Any: ...


def crc16(data: bytes) -> int:
    """CRC-16/CCITT as ZVT uses it (reflected 0x8408, initial 0): of the APDU plus ETX."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def encode_frame(apdu: bytes) -> bytes:
    crc = crc16(apdu + bytes([ETX]))
    escaped = apdu.replace(bytes([DLE]), bytes([DLE, DLE]))
    return bytes([DLE, STX]) + escaped + bytes([DLE, ETX, crc & 0xFF, crc >> 8])


class FrameLink:
    """One end of a ZVT serial line; both the driver and the simulator use it.

    Not thread-safe: one thread owns a link. ``interrupt`` callbacks let a waiting
    :meth:`receive` give the line back between frames (to send an abort, or to stop).
    """

    def __init__(
        self,
        port: SerialLike,
        *,
        name: str,
        ack_timeout: float = ACK_TIMEOUT,
        byte_timeout: float = BYTE_TIMEOUT,
        max_sends: int = MAX_SENDS,
    ) -> None:
        self.port = port
        self.name = name
        self.ack_timeout = ack_timeout
        self.byte_timeout = byte_timeout
        self.max_sends = max_sends
        self._pending = bytearray()
        port.timeout = POLL

    # -- raw bytes ---------------------------------------------------------------------------

    def write_raw(self, data: bytes) -> None:
        try:
            self.port.write(data)
        except (OSError, ValueError) as exc:  # SerialException is an OSError
            raise DeviceOffline(self.name, f"the connection was lost ({exc})") from exc

    def discard_input(self) -> None:
        """Drop anything unread, e.g. the rest of a conversation we gave up on."""
        self._pending.clear()
        # Only what has already arrived: a blocking read here would cost the port's whole
        # read timeout before every command.
        while int(getattr(self.port, "in_waiting", 0) or 0) and self._read_chunk():
            pass

    def _read_chunk(self) -> bytes:
        try:
            waiting = getattr(self.port, "in_waiting", 0) or 0
            data = self.port.read(max(1, int(waiting)))
        except (OSError, ValueError, TypeError) as exc:
            # pyserial raises SerialException (an OSError) when the other end hangs up; a
            # port closed from another thread shows up as TypeError/ValueError.
            raise DeviceOffline(self.name, f"the connection was lost ({exc})") from exc
        return bytes(data or b"")

    def _next_byte(self, until: float) -> int | None:
        while not self._pending:
            if time.monotonic() >= until:
                return None
            self._pending += self._read_chunk()
        return self._pending.pop(0)

    # -- sending -----------------------------------------------------------------------------

    def send(self, apdu: bytes, *, max_sends: int | None = None) -> None:
        """Send one APDU and wait for its ACK, repeating it after a NAK or no answer."""
        frame = encode_frame(apdu)
        tries = max_sends or self.max_sends
        naks = 0
        for _ in range(tries):
            self.write_raw(frame)
            answer = self.wait_reply(time.monotonic() + self.ack_timeout)
            if answer == ACK:
                return
            if answer == NAK:
                naks += 1
        if naks:
            raise DeviceProtocolError(
                self.name, f"the message was rejected {naks} times; check the cable and baud rate"
            )
        raise DeviceTimeout(self.name, f"no answer within {self.ack_timeout:g} s")

    def wait_reply(self, until: float) -> int | None:
        """The ACK or NAK byte answering a frame we sent; None if none came by ``until``."""
        previous_dle = False
        while (byte := self._next_byte(until)) is not None:
            if previous_dle and byte == STX:
                # The other side sent a frame of its own at the same moment. Its bytes are
                # not our answer (they may well contain 06 or 15); we leave it unacknowledged,
                # so it will be repeated once this exchange is over.
                self._read_body()
                previous_dle = False
            elif byte in (ACK, NAK) and not previous_dle:
                return byte
            else:
                previous_dle = byte == DLE and not previous_dle
        return None

    def write_ack(self) -> None:
        self.write_raw(bytes([ACK]))

    def write_nak(self) -> None:
        self.write_raw(bytes([NAK]))

    # -- receiving ---------------------------------------------------------------------------

    def read_frame(
        self, deadline: float, *, interrupt: Callable[[], bool] | None = None
    ) -> tuple[bytes, bool] | None:
        """The next frame as (APDU, CRC correct), without answering it.

        Waits for ``DLE STX`` until ``deadline`` (monotonic), skipping anything else; returns
        None when ``interrupt()`` turns true while no frame has started. Raises
        DeviceTimeout at the deadline; a frame broken off for longer than ``byte_timeout``
        counts as a garbled frame (CRC wrong).
        """
        if not self._find_start(deadline, interrupt):
            return None
        return self._read_body()

    def _find_start(self, deadline: float, interrupt: Callable[[], bool] | None) -> bool:
        previous_dle = False
        while True:
            if interrupt is not None and not self._pending and interrupt():
                return False
            byte = self._next_byte(min(deadline, time.monotonic() + POLL))
            if byte is None:
                if time.monotonic() >= deadline:
                    raise DeviceTimeout(self.name, "no message before the deadline")
                continue
            if previous_dle and byte == STX:
                return True
            previous_dle = byte == DLE and not previous_dle

    def _read_body(self) -> tuple[bytes, bool]:
        """After DLE STX: the APDU and whether its CRC holds."""
        apdu = bytearray()
        while True:
            byte = self._body_byte()
            if byte is None:
                return bytes(apdu), False
            if byte != DLE:
                apdu.append(byte)
                continue
            follower = self._body_byte()
            if follower is None:
                return bytes(apdu), False
            if follower == DLE:
                apdu.append(DLE)
            elif follower == STX:
                apdu.clear()  # the sender started over
            elif follower == ETX:
                low, high = self._body_byte(), self._body_byte()
                if low is None or high is None:
                    return bytes(apdu), False
                crc = crc16(bytes(apdu) + bytes([ETX]))
                return bytes(apdu), (low | high << 8) == crc
            else:
                return bytes(apdu), False  # a lone DLE: the frame is garbled

    def _body_byte(self) -> int | None:
        return self._next_byte(time.monotonic() + self.byte_timeout)

    def receive(
        self, deadline: float, *, interrupt: Callable[[], bool] | None = None
    ) -> bytes | None:
        """The next good APDU, ACKed; garbled frames are NAKed and read again (three tries).

        Returns None if ``interrupt`` fired before a frame started. DeviceTimeout at the
        deadline; DeviceProtocolError after three garbled copies of a frame.
        """
        for attempt in range(self.max_sends):
            # After a NAK the repeat must follow promptly, whatever the caller's deadline.
            until = deadline if attempt == 0 else time.monotonic() + self.ack_timeout
            frame = self.read_frame(until, interrupt=interrupt if attempt == 0 else None)
            if frame is None:
                return None
            apdu, ok = frame
            if ok:
                self.write_ack()
                return apdu
            self.write_nak()
        raise DeviceProtocolError(
            self.name, "the messages arrived garbled three times; check the cable and baud rate"
        )
