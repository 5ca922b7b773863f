"""Card payment: the ZVT driver's own time per authorization, against the same bytes moved raw.

StoreDesk: ``ZvtTerminal(sim.port).authorize(amount)`` timed end to end (until the call
returns the :class:`~devices.zvt.results.Approved` result) for N payments (default 200)
one after another, after a warm-up of a registration and five payments, against
``TerminalSimulator(step_delay=0.0)`` on a real pseudo-terminal: the terminal answers at
once, so what is left is the serial transfer plus the work of both ends. One authorization
is 16 frames each way: the command and the terminal's ``80 00 00``; then three Intermediate
Statuses, the Status-Information, ten print lines and the Completion, each answered by the
till's ``80 00 00``; every frame is answered by an ACK byte.

Baseline, in the same run: the raw serial transfer of the same conversation. A second
simulator answers on a pseudo-terminal whose master side is wrapped so that every byte it
reads (what the driver wrote) and writes is recorded, in order; one authorization recorded
there is cut into turns (the bytes one side writes before it waits for the other). The
turns are then replayed over a second pseudo-terminal pair with no parsing at all: the
till side opens the port with pyserial exactly as the driver does (9600 8N2, same
timeouts) and, turn by turn, writes its bytes or reads the terminal's by length; a thread
on the master side does the same for the terminal's turns with ``os.read``/``os.write``,
as the simulator's port does. Each side writes a turn in one call where the driver and
the simulator write an ACK byte and the next frame in two. StoreDesk time minus raw time
is the overhead; the target is on its p95.

That overhead includes the simulator's own work (building, framing and checking its
frames, in the same process), which a real terminal does in its own hardware. The
recording run measures it (for each of the terminal's turns: from the moment the last
bytes of the till's turn were read until the terminal's last write of its turn), and a
further run times ``FrameLink.discard_input``, which the driver calls before each command
(the method wrapped with a timer); the report shows both, so that the remainder — the
driver's framing, parsing and thread hand-offs — can be read off.

Target: driver overhead under 20 ms a payment.

    .venv/bin/python benchmarks/card_payment.py [--payments 200] [--amount 1999]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import serial

from devices.zvt.framing import DLE, ETX, STX, FrameLink
from devices.zvt.pty_port import PtyPort
from devices.zvt.results import Approved
from devices.zvt.simulator import TerminalSimulator
from devices.zvt.terminal import ZvtTerminal

TARGET_OVERHEAD_MS = 20.0
WARM_UP = 5
EXPLAIN_RUNS = 50
TILL, TERMINAL = "till", "terminal"

Turn = tuple[str, bytes]  # who writes, what


class RecordingLine:
    """The simulator's end of the line, recording what it reads and writes, with times."""

    def __init__(self, inner: PtyPort) -> None:
        self.inner = inner
        self.events: list[tuple[str, bytes, float]] | None = None  # None: not recording

    @property
    def timeout(self) -> float | None:
        return self.inner.timeout

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        self.inner.timeout = value

    @property
    def in_waiting(self) -> int:
        return self.inner.in_waiting

    def read(self, size: int = 1) -> bytes:
        data = self.inner.read(size)
        if data and self.events is not None:
            self.events.append((TILL, data, time.perf_counter()))
        return data

    def write(self, data: bytes, /) -> int:
        if self.events is not None:  # stamped before the bytes can reach the till
            self.events.append((TERMINAL, bytes(data), time.perf_counter()))
        return self.inner.write(data)


def open_pty() -> tuple[int, int, str]:
    """A raw pseudo-terminal pair, as the simulator makes it: master, slave, slave's path."""
    master, slave = os.openpty()
    tty.setraw(slave)
    return master, slave, os.ttyname(slave)


def turns_of(events: list[tuple[str, bytes, float]]) -> list[Turn]:
    turns: list[Turn] = []
    for side, data, _at in events:
        if turns and turns[-1][0] == side:
            turns[-1] = (side, turns[-1][1] + data)
        else:
            turns.append((side, data))
    return turns


def terminal_think_time(events: list[tuple[str, bytes, float]]) -> float:
    """Seconds the terminal took in its turns: from reading the till's last bytes until its
    last write of the turn (an ACK byte goes out before the next frame is even built)."""
    total, read_at, wrote_at = 0.0, None, None
    for side, _data, at in [*events, (TILL, b"", 0.0)]:
        if side == TERMINAL:
            wrote_at = at
            continue
        if read_at is not None and wrote_at is not None and wrote_at > read_at:
            total += wrote_at - read_at
        read_at, wrote_at = at, None
    return total


def frames_in(data: bytes) -> int:
    """Frames in a turn: each DLE STX … DLE ETX and its two CRC bytes (which are not escaped)."""
    count, i = 0, 0
    while i < len(data) - 1:
        if data[i] != DLE or data[i + 1] != STX:
            i += 1  # an ACK byte
            continue
        i += 2
        while i < len(data) - 1 and not (data[i] == DLE and data[i + 1] == ETX):
            i += 2 if data[i] == DLE else 1
        count += 1
        i += 4
    return count


def authorize_once(terminal: ZvtTerminal, amount: int) -> None:
    result = terminal.authorize(amount)
    if not isinstance(result, Approved) or result.amount_minor != amount:
        raise SystemExit(f"the simulated payment was not approved as asked: {result!r}")


# -- StoreDesk -----------------------------------------------------------------------------


def time_storedesk(payments: int, amount: int) -> list[float]:
    sim = TerminalSimulator(step_delay=0.0).start()
    assert sim.port is not None
    try:
        with ZvtTerminal(sim.port) as terminal:
            terminal.register()
            for _ in range(WARM_UP):
                authorize_once(terminal, amount)
            gc.collect()
            samples = []
            for _ in range(payments):
                started = time.perf_counter()
                authorize_once(terminal, amount)
                samples.append(time.perf_counter() - started)
            return samples
    finally:
        sim.stop()


def time_discard_input(runs: int, amount: int) -> list[float]:
    """Seconds each payment spends in FrameLink.discard_input (wrapped with a timer)."""
    spent: list[float] = []
    plain: Callable[[FrameLink], None] = FrameLink.discard_input

    def timed(self: FrameLink) -> None:
        started = time.perf_counter()
        plain(self)
        spent.append(time.perf_counter() - started)

    sim = TerminalSimulator(step_delay=0.0).start()
    assert sim.port is not None
    try:
        with (
            patch.object(FrameLink, "discard_input", timed),
            ZvtTerminal(sim.port) as terminal,
        ):
            terminal.register()
            authorize_once(terminal, amount)
            spent.clear()
            for _ in range(runs):
                authorize_once(terminal, amount)
    finally:
        sim.stop()
    return spent


# -- recording the conversation ------------------------------------------------------------


def record(runs: int, amount: int) -> tuple[list[Turn], list[float], list[int]]:
    """One authorization's turns, the terminal's think time per payment, bytes per payment."""
    master, slave, path = open_pty()
    line = RecordingLine(PtyPort(master))
    sim = TerminalSimulator(line, step_delay=0.0).start()
    recorded: list[list[tuple[str, bytes, float]]] = []
    try:
        with ZvtTerminal(path) as terminal:
            terminal.register()
            authorize_once(terminal, amount)
            for _ in range(runs):
                line.events = []
                authorize_once(terminal, amount)
                recorded.append(line.events)
                line.events = None
    finally:
        sim.stop()
        line.inner.close()
        os.close(slave)
    conversations = [turns_of(events) for events in recorded]
    shapes = {tuple(side for side, _ in turns) for turns in conversations}
    if len(shapes) != 1:
        raise SystemExit("the recorded authorizations do not all take the same turns")
    turns = conversations[0]
    if turns[0][0] != TILL or turns[0][1][:4] != bytes([DLE, STX, 0x06, 0x01]):
        raise SystemExit("the recording does not start with the authorization command")
    if turns[-1] != (TERMINAL, b"\x06"):
        raise SystemExit("the recording does not end with the terminal's last ACK")
    sizes = [sum(len(data) for _, data in c) for c in conversations]
    return turns, [terminal_think_time(events) for events in recorded], sizes


# -- the raw replay ------------------------------------------------------------------------


def read_exactly(fd: int, size: int) -> None:
    while size:
        size -= len(os.read(fd, size))


def time_raw(turns: list[Turn], payments: int) -> list[float]:
    """The recorded turns replayed over a fresh pseudo-terminal pair, no parsing."""
    master, slave, path = open_pty()
    rounds = WARM_UP + payments
    failed: list[BaseException] = []

    def terminal_side() -> None:
        try:
            for _ in range(rounds):
                for side, data in turns:
                    if side == TERMINAL:
                        os.write(master, data)
                    else:
                        read_exactly(master, len(data))
        except BaseException as exc:  # reported by the till side
            failed.append(exc)

    port = serial.serial_for_url(
        path, baudrate=9600, bytesize=serial.EIGHTBITS, parity=serial.PARITY_NONE,
        stopbits=serial.STOPBITS_TWO, timeout=5.0, write_timeout=5.0,
    )  # fmt: skip
    worker = threading.Thread(target=terminal_side, name="raw-terminal", daemon=True)
    worker.start()
    samples: list[float] = []
    try:
        for n in range(rounds):
            if n == WARM_UP:
                gc.collect()
            started = time.perf_counter()
            for side, data in turns:
                if side == TILL:
                    port.write(data)
                elif len(port.read(len(data))) != len(data):
                    raise SystemExit(f"the raw replay stalled: {failed or 'no data'}")
            if n >= WARM_UP:
                samples.append(time.perf_counter() - started)
    finally:
        worker.join(5.0)
        port.close()
        os.close(slave)
        os.close(master)
    if failed:
        raise SystemExit(f"the raw terminal side failed: {failed[0]!r}")
    return samples


# -- the report ----------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument("--amount", type=int, default=1999, help="minor units (default 19.99)")
    args = parser.parse_args()
    if not hasattr(os, "openpty"):
        raise SystemExit("this benchmark needs a POSIX pseudo-terminal (Linux or macOS)")
    if args.payments < 20:
        parser.error("--payments must be at least 20 (for a p95)")

    samples = time_storedesk(args.payments, args.amount)
    turns, think, sizes = record(EXPLAIN_RUNS, args.amount)
    raw = time_raw(turns, args.payments)
    discard = time_discard_input(EXPLAIN_RUNS, args.amount)

    ms = 1000
    p50_sd, p95_sd = statistics.median(samples) * ms, p95(samples) * ms
    p50_raw, p95_raw = statistics.median(raw) * ms, p95(raw) * ms
    over50, over95 = p50_sd - p50_raw, p95_sd - p95_raw
    think50, discard50 = statistics.median(think) * ms, statistics.median(discard) * ms
    till_bytes = sum(len(d) for side, d in turns if side == TILL)
    terminal_bytes = sum(len(d) for side, d in turns if side == TERMINAL)
    till_frames = sum(frames_in(d) for side, d in turns if side == TILL)
    terminal_frames = sum(frames_in(d) for side, d in turns if side == TERMINAL)
    met = "met" if over95 < TARGET_OVERHEAD_MS else "NOT met"
    print(f"payments:               {len(samples)} timed, {args.amount / 100:.2f} EUR each, "
          f"simulator step_delay 0")  # fmt: skip
    print(f"conversation:           {len(turns)} turns; till {till_frames} frames "
          f"{till_bytes} bytes, terminal {terminal_frames} frames {terminal_bytes} bytes "
          f"(per payment {min(sizes)}–{max(sizes)} bytes)")  # fmt: skip
    print(f"StoreDesk per payment:  p50 {p50_sd:.2f} ms, p95 {p95_sd:.2f} ms, "
          f"max {max(samples) * ms:.2f} ms")  # fmt: skip
    print(f"raw transfer:           p50 {p50_raw:.2f} ms, p95 {p95_raw:.2f} ms, "
          f"max {max(raw) * ms:.2f} ms")  # fmt: skip
    print(f"overhead (difference):  p50 {over50:.2f} ms, p95 {over95:.2f} ms "
          f"(target p95 < {TARGET_OVERHEAD_MS:g} ms: {met})")  # fmt: skip
    print(f"ratio StoreDesk / raw:  p50 {p50_sd / p50_raw:.1f} ×, p95 {p95_sd / p95_raw:.1f} ×")
    print(f"of the overhead (p50):  discard_input {discard50:.2f} ms, simulator's turns "
          f"{think50:.2f} ms, the rest ≈ {over50 - discard50 - think50:.2f} ms "
          f"({EXPLAIN_RUNS} payments each)")  # fmt: skip


if __name__ == "__main__":
    main()
