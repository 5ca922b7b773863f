"""The master side of a pseudo-terminal as a pyserial-shaped line (POSIX only).

:class:`devices.zvt.simulator.TerminalSimulator` answers on it; the slave side is what the
till opens, exactly like a USB-serial cable.
"""

from __future__ import annotations

import contextlib
import os
import select
import struct

from devices.zvt.framing import POLL


class PtyPort:
    """The master side of a pseudo-terminal, with pyserial's read/write/timeout."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.timeout: float | None = POLL

    @property
    def in_waiting(self) -> int:
        import fcntl  # POSIX only, like the pseudo-terminal itself
        import termios

        buffer = fcntl.ioctl(self.fd, termios.FIONREAD, b"\0\0\0\0")
        return int(struct.unpack("i", buffer)[0])

    def close(self) -> None:
        # Forget the number first: a later read must fail, not hit a file that reused it.
        fd, self.fd = self.fd, -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)

    def read(self, size: int = 1) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], self.timeout)
        return os.read(self.fd, max(1, size)) if ready else b""

    def write(self, data: bytes, /) -> int:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        return len(data)
