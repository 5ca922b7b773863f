"""A simulated ID-document reader on a pseudo-terminal (POSIX).

:class:`MrzReaderSimulator` opens a pty pair; :attr:`port` is the device path a
:class:`~devices.mrz_reader.MrzReader` (or StoreDesk with ``id_reader.port`` set to it)
opens. :meth:`present` writes a document the way a reader does: each line then the line
ending, optionally framed by STX/ETX and split into slow chunks.

Run ``python -m devices.mrz_reader_sim`` to drive it by hand: it prints the port, then
presents each block of MRZ lines typed or pasted on stdin (a blank line ends a block;
``td1`` or ``td3`` presents the ICAO 9303 specimen).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

# ICAO 9303 specimens: part 5 (TD1 identity card) and part 4 (TD3 passport).
SPECIMEN_TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)
SPECIMEN_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)


class MrzReaderSimulator:
    def __init__(self) -> None:
        import tty  # POSIX only: imported here so the module loads everywhere

        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)

    def present(
        self,
        mrz: str,
        *,
        line_ending: str = "\r\n",
        framed: bool = False,
        chunk: int | None = None,
        delay: float = 0.0,
    ) -> None:
        text = "".join(line.strip() + line_ending for line in mrz.strip().splitlines())
        data = text.encode("ascii")
        if framed:
            data = b"\x02" + data + b"\x03"
        step = chunk or len(data)
        for start in range(0, len(data), step):
            os.write(self._master, data[start : start + step])
            if delay:
                time.sleep(delay)

    def send_raw(self, data: bytes) -> None:
        os.write(self._master, data)

    def close(self) -> None:
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def main(argv: list[str] | None = None) -> int:
    sim = MrzReaderSimulator()
    print(f"Document reader simulator on {sim.port}", flush=True)
    print("Paste MRZ lines (blank line sends), or type td1 / td3; Ctrl+D ends.", flush=True)
    block: list[str] = []
    try:
        for raw in sys.stdin:
            line = raw.strip()
            if line.lower() in ("td1", "td3"):
                sim.present(SPECIMEN_TD1 if line.lower() == "td1" else SPECIMEN_TD3)
                print("sent", flush=True)
            elif line:
                block.append(line)
            elif block:
                sim.present("\n".join(block))
                block = []
                print("sent", flush=True)
    finally:
        sim.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
