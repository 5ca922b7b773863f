"""A network receipt printer on a local TCP port: ``storedesk simulate printer``.

It accepts ESC/POS the way a printer's port 9100 does, decodes every job
(:mod:`devices.printer.escpos_decode`), answers real-time status requests as a printer with
paper, and keeps each job as ``job-NNNN.bin`` (the raw bytes) and ``job-NNNN.txt`` (what the
paper would show), plus ``job-NNNN.png`` with ``--png``. StoreDesk prints to it with
``printer.kind = "network"`` and ``printer.address = "127.0.0.1:9100"``.

:class:`PrinterSimulator` is the same printer for tests. Its :attr:`~PrinterSimulator.fault`
makes it misbehave the ways real printers do: ``offline`` (connections refused),
``paper_out`` (status says so; jobs that arrive anyway are not printed), ``never_read``
(the connection is accepted and nothing is ever read or answered) and ``disconnect`` (the
connection is dropped a few bytes into a job, which is then lost).

A job ends when the connection closes, when the next job's ``ESC @`` arrives, or after
``idle`` seconds without data (StoreDesk keeps its connection open between receipts).
"""

from __future__ import annotations

import argparse
import contextlib
import select
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO, get_args

from devices.printer import status
from devices.printer.base import Paper
from devices.printer.codepages import code_pages
from devices.printer.escpos_decode import EscposDecoder
from devices.printer.escpos_job import DecodedJob

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

Fault = Literal["none", "offline", "paper_out", "never_read", "disconnect"]
FAULTS: tuple[str, ...] = get_args(Fault)
OnJob = Callable[[int, DecodedJob], None]
_DISCONNECT_CHUNK = 16  # bytes read at a time in "disconnect" mode, so the job is cut short
_IDENTITY = {65: b"1.00", 66: b"StoreDesk", 67: b"Simulated printer", 68: b"SIM0001"}


class PrinterSimulator:
    """A simulated network printer. Start it, print to :attr:`address`, read :attr:`jobs`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        profile: str = "TM-T20II",
        columns: int = 48,
        out_dir: Path | None = None,
        png: bool = False,
        idle: float = 0.5,
        fault: Fault = "none",
        on_job: OnJob | None = None,
    ) -> None:
        self.host, self.profile, self.columns = host, profile, columns
        self.out_dir, self.png, self.idle, self.on_job = out_dir, png, idle, on_job
        self.near_end = False  # paper low: status says so, printing goes on
        self.cover_open = False  # status says offline, cover open
        self.aborted = 0  # jobs cut short by the "disconnect" fault
        self.discarded = 0  # jobs that arrived while out of paper
        self._port = port
        self._fault: Fault = fault
        self._jobs: list[DecodedJob] = []
        self._lock = threading.Condition()
        self._stopped = threading.Event()
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> PrinterSimulator:
        """Listen (unless "offline"); raises KeyError for an unknown profile, OSError if the
        port is taken."""
        code_pages(self.profile)
        if self._fault != "offline":
            self._listen()
        thread = threading.Thread(target=self._accept_loop, name="printer-sim", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._close_listener()
        self._drop_connections()
        for thread in self._threads:
            thread.join(2.0)

    def __enter__(self) -> PrinterSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def address(self) -> str:
        """``host:port``, as ``printer.address`` takes it."""
        return f"{self.host}:{self._port}"

    @property
    def jobs(self) -> list[DecodedJob]:
        with self._lock:
            return list(self._jobs)

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[DecodedJob]:
        """The jobs once there are at least ``count`` of them (or what there is at timeout)."""
        with self._lock:
            self._lock.wait_for(lambda: len(self._jobs) >= count, timeout)
            return list(self._jobs)

    @property
    def fault(self) -> Fault:
        return self._fault

    @fault.setter
    def fault(self, mode: Fault) -> None:
        if mode not in FAULTS:
            raise ValueError(f"unknown fault {mode!r} (use {', '.join(FAULTS)})")
        before, self._fault = self._fault, mode
        if mode == "offline" and before != "offline":
            self._close_listener()  # a printer switched off: nothing listens, nothing is open
            self._drop_connections()
        elif before == "offline" and mode != "offline" and not self._stopped.is_set():
            self._listen()

    # -- the port --------------------------------------------------------------------------
    def _listen(self) -> None:
        listener = socket.create_server((self.host, self._port))
        self._port = listener.getsockname()[1]
        self._listener = listener

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() first: close() alone leaves the socket listening until the accept
            # thread's select() lets go of it, and connections in that window are accepted.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _drop_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            _abort(conn)

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None:
                self._stopped.wait(0.05)
                continue
            try:
                if not select.select([listener], [], [], 0.05)[0]:
                    continue
                conn, _ = listener.accept()
            except (OSError, ValueError):  # closed under us by stop() or "offline"
                continue
            with self._lock:
                self._connections.add(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    # -- one connection --------------------------------------------------------------------
    def _serve(self, conn: socket.socket) -> None:
        decoder = EscposDecoder(self.profile, answer=self._answer)
        conn.settimeout(0.05)
        last = time.monotonic()
        aborted = False
        try:
            while not self._stopped.is_set():
                fault = self._fault
                if fault == "never_read":
                    self._stopped.wait(0.05)
                    continue
                try:
                    data = conn.recv(_DISCONNECT_CHUNK if fault == "disconnect" else 65536)
                except TimeoutError:
                    quiet = time.monotonic() - last >= self.idle
                    if quiet and decoder.has_content and not decoder.pending:
                        self._record(decoder.finish())
                    continue
                except OSError:
                    break
                if not data:
                    break
                last = time.monotonic()
                reply = decoder.feed(data)
                if reply:
                    conn.sendall(reply)
                for job in decoder.take_finished():
                    self._record(job)
                if fault == "disconnect" and decoder.has_content:
                    aborted = True
                    with self._lock:
                        self.aborted += 1
                    break
        except OSError:
            pass  # the sender went away while being answered
        finally:
            with self._lock:
                self._connections.discard(conn)
            if aborted:
                _abort(conn)
            else:
                with contextlib.suppress(OSError):
                    self._record(decoder.finish())
                conn.close()

    def _answer(self, request: bytes) -> bytes:
        """What this printer says to a status request (``DLE EOT n``, ``GS r n``, ``GS I n``)."""
        paper: Paper = (
            "out" if self._fault == "paper_out" else "near_end" if self.near_end else "ok"
        )
        n = request[2]
        if request[:2] == status.DLE_EOT:
            if n > 4:
                return b"\x12"
            return bytes([status.answer(n, paper_state=paper, cover_open=self.cover_open)])
        if request[:2] == b"\x1dr":  # GS r 1: paper sensors (bits 0-1 near end, 2-3 end)
            if n in (1, 49):
                return bytes([{"ok": 0x00, "near_end": 0x03}.get(paper, 0x0F)])
            return b"\x00"  # GS r 2: drawer closed
        if n in _IDENTITY:  # GS I n: printer information, as "_" text NUL
            return b"_" + _IDENTITY[n] + b"\x00"
        return {1: b"\x20", 49: b"\x20", 2: b"\x02", 50: b"\x02"}.get(n, b"\x00")

    def _record(self, job: DecodedJob | None) -> None:
        if job is None:
            return
        with self._lock:
            if self._fault == "paper_out":
                self.discarded += 1
                return
            self._jobs.append(job)
            number = len(self._jobs)
            self._lock.notify_all()
        if self.out_dir is not None:
            self._save(number, job, self.out_dir)
        if self.on_job is not None:
            self.on_job(number, job)

    def _save(self, number: int, job: DecodedJob, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"job-{number:04d}"
        stem.with_suffix(".bin").write_bytes(job.raw)
        stem.with_suffix(".txt").write_text(job.render(self.columns), encoding="utf-8")
        if self.png:
            from devices.printer.preview import save_png

            save_png(job, stem.with_suffix(".png"), columns=self.columns)


def _abort(conn: socket.socket) -> None:
    """Close with a reset (as a printer that loses power does), not an orderly FIN."""
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        conn.close()


class _Parser(argparse.ArgumentParser):
    """argparse writing help and errors to the streams ``main`` was given, not sys.*."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        super().__init__(
            prog="storedesk simulate printer",
            description="A network ESC/POS receipt printer that saves what it prints.",
        )
        self._out, self._err = out, err

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        if message:
            (self._err if file is sys.stderr else self._out).write(message)


def _parser(out: TextIO, err: TextIO) -> argparse.ArgumentParser:
    parser = _Parser(out, err)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=9100, help="TCP port; 0 picks a free one")
    parser.add_argument("--out", type=Path, default=Path("printed"), help="where jobs go")
    parser.add_argument("--profile", default="TM-T20II", help="python-escpos printer profile")
    parser.add_argument("--columns", type=int, default=48, help="characters per line")
    parser.add_argument("--png", action="store_true", help="also save a PNG preview per job")
    parser.add_argument("--fault", choices=FAULTS, default="none", help="misbehave this way")
    parser.add_argument("--idle", type=float, default=0.5, help="seconds of quiet that end a job")
    parser.add_argument("--jobs", type=int, default=0, help="stop after this many jobs")
    return parser


def main(argv: list[str], *, out: TextIO, err: TextIO) -> int:
    try:
        args = _parser(out, err).parse_args(argv)
    except SystemExit as exc:  # --help, or a bad option (argparse has said why)
        return int(exc.code or 0)
    done = threading.Event()
    count = 0

    def on_job(number: int, job: DecodedJob) -> None:
        nonlocal count
        print(f"job {number}: {job.summary()}", file=out, flush=True)
        count += 1
        if args.jobs and count >= args.jobs:
            done.set()

    sim = PrinterSimulator(
        args.host, args.port, profile=args.profile, columns=args.columns, out_dir=args.out,
        png=args.png, idle=args.idle, fault=args.fault, on_job=on_job,
    )  # fmt: skip
    try:
        sim.start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=err)
        return 1
    except KeyError as exc:
        print(f"unknown printer profile {exc}", file=err)
        return 2
    print(
        f"Receipt printer simulator on {sim.address} (profile {args.profile}, "
        f"{args.columns} columns, fault: {args.fault}); jobs are saved in {args.out}. "
        "Ctrl+C stops it.",
        file=out,
        flush=True,
    )
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0
