"""Printer connections: serial on a pty, network edge cases, files, USB, reconnects.

The network printer here is mostly :class:`PrinterSimulator`; the serial printer is the far
end of a pseudo-terminal, answering (or not) the real-time status requests it reads.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.errors import DeviceError, DeviceOffline, DeviceTimeout
from devices.printer.base import ReceiptDoc, ReceiptLine
from devices.printer.connections import FileLink, NetworkLink, SerialLink, UsbLink
from devices.printer.escpos_printer import Deadlines, EscposReceiptPrinter
from devices.printer.factory import _link, open_printer
from devices.printer.render import render_receipt
from devices.printer.sim_server import PrinterSimulator

PROFILE = "TM-T20II"
DOC = ReceiptDoc(lines=(ReceiptLine("Receipt 1"), ReceiptLine("TOTAL 9.99 EUR")))
STATUS_REQUEST = b"\x10\x04"


def _network(address: str, *, timeout: float = 2.0) -> EscposReceiptPrinter:
    printer = open_printer(
        "network", address, profile=PROFILE, width_mm=80, timeout=timeout, check_status=True
    )
    assert isinstance(printer, EscposReceiptPrinter)
    return printer


@pytest.fixture
def sim() -> Iterator[PrinterSimulator]:
    with PrinterSimulator(idle=0.2) as simulator:
        yield simulator


def test_deadlines_stay_inside_the_call_timeout() -> None:
    for timeout in (0.5, 2.0, 10.0, 60.0):
        d = Deadlines.within(timeout)
        assert 0 < d.connect <= 3.0 and 0 < d.answer <= 2.0
        assert d.connect + d.answer < timeout and d.io < timeout


@pytest.mark.parametrize(
    ("kind", "address", "link"),
    [
        ("network", "10.0.0.5", NetworkLink),
        ("serial", "/dev/ttyUSB0@19200", SerialLink),
        ("usb", "04b8:0e15", UsbLink),
        ("file", "/dev/usb/lp0", FileLink),
    ],
)
def test_each_kind_gets_its_connection(kind: str, address: str, link: type) -> None:
    assert isinstance(_link(kind, address, profile=PROFILE, deadlines=Deadlines.within(5)), link)


def test_a_serial_address_with_a_bad_speed_is_explained() -> None:
    with pytest.raises(DeviceError, match="device@baud"):
        open_printer("serial", "/dev/ttyS0@fast", profile=PROFILE, width_mm=80)


def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        time.sleep(0.01)


class _PtyPrinter:
    """The printer end of a pseudo-terminal: keeps what it reads, answers status if told."""

    def __init__(self, *, answers: bool) -> None:
        import tty

        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self.answers = answers
        self.received = bytearray()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                data = os.read(self._master, 4096)
            except OSError:
                return
            self.received += data
            if self.answers:
                os.write(self._master, b"\x12" * data.count(STATUS_REQUEST))

    def close(self) -> None:
        os.close(self._slave)
        os.close(self._master)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_serial_printer_that_answers_is_checked_around_the_receipt() -> None:
    far = _PtyPrinter(answers=True)
    printer = open_printer(
        "serial", f"{far.port}@19200", profile=PROFILE, width_mm=58, timeout=2, check_status=True
    )
    try:
        assert printer.status().paper == "ok"
        printer.print_receipt(DOC)
        job = render_receipt(DOC, profile=PROFILE, columns=32)
        _until(lambda: far.received.count(STATUS_REQUEST) >= 5 and job in far.received)
    finally:
        printer.close()
        far.close()
    assert job in far.received
    # before the receipt: printer and paper status; after it: paper status again
    assert far.received.count(STATUS_REQUEST) == 2 + 2 + 1


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_serial_printer_without_a_back_channel_reports_unknown_and_still_prints() -> None:
    far = _PtyPrinter(answers=False)
    printer = open_printer(
        "serial", far.port, profile=PROFILE, width_mm=58, timeout=1, check_status=True
    )
    try:
        state = printer.status()
        assert (state.online, state.paper) == (True, "unknown")
        printer.print_receipt(DOC)
        printer.print_receipt(DOC)
        job = render_receipt(DOC, profile=PROFILE, columns=32)
        _until(lambda: far.received.count(job) >= 2)  # the far end reads on its own thread
    finally:
        printer.close()
        far.close()
    assert far.received.count(job) == 2
    assert far.received.count(STATUS_REQUEST) == 1  # silence once: it is not asked again


def test_a_file_printer_has_no_status_but_prints(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    printer = open_printer("file", str(target), profile=PROFILE, width_mm=80, check_status=True)
    state = printer.status()
    printer.print_receipt(DOC)
    printer.close()
    assert state.paper == "unknown"
    assert target.read_bytes() == render_receipt(DOC, profile=PROFILE, columns=48)


def test_a_missing_file_printer_is_offline(tmp_path: Path) -> None:
    printer = open_printer("file", str(tmp_path / "no" / "lp0"), profile=PROFILE, width_mm=80)
    with pytest.raises(DeviceOffline, match="cannot be reached"):
        printer.print_receipt(DOC)
    printer.close()


def test_a_usb_printer_that_is_not_there_is_offline() -> None:
    printer = open_printer("usb", "04b8:0e15", profile=PROFILE, width_mm=80, timeout=2)
    with pytest.raises(DeviceOffline):
        printer.print_receipt(DOC)
    printer.close()


@pytest.mark.skipif(sys.platform != "linux", reason="relies on Linux dropping SYNs to a full queue")
def test_a_printer_that_does_not_accept_the_connection_fails_at_the_connect_deadline() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(0)  # never accepts: once its queue is full, connections wait unanswered
        port = busy.getsockname()[1]
        waiting = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            waiting.append(filler)
        printer = _network(f"127.0.0.1:{port}", timeout=2)
        started = time.monotonic()
        with pytest.raises(DeviceOffline, match=r"did not accept a connection within 0\.6 s"):
            printer.print_receipt(DOC)
        assert time.monotonic() - started < 2
        printer.close()
        for filler in waiting:
            filler.close()


def test_a_kept_connection_that_died_is_replaced_once(sim: PrinterSimulator) -> None:
    printer = _network(sim.address)
    printer.print_receipt(DOC)
    sim.fault = "offline"  # switched off and on again: the kept connection is dead
    sim.fault = "none"
    printer.print_receipt(DOC)
    printer.close()
    texts = [job.text.splitlines()[:2] for job in sim.wait_for_jobs(2)]
    assert texts == [["Receipt 1", "TOTAL 9.99 EUR"]] * 2


def test_paper_near_end_is_reported_and_printing_goes_on(sim: PrinterSimulator) -> None:
    sim.near_end = True
    printer = _network(sim.address)
    assert printer.status().paper == "near_end"
    printer.print_receipt(DOC)
    assert printer.last_status is not None and printer.last_status.paper == "near_end"
    printer.close()
    assert len(sim.wait_for_jobs(1)) == 1


def test_a_printer_with_its_cover_open_is_offline_and_says_why(sim: PrinterSimulator) -> None:
    sim.cover_open = True
    printer = _network(sim.address)
    state = printer.status()
    assert (state.online, state.detail) == (False, "cover open")
    with pytest.raises(DeviceOffline, match=r"is offline \(cover open\)"):
        printer.print_receipt(DOC)
    printer.close()
    assert sim.jobs == []


def test_an_answer_that_is_not_a_status_byte_means_unknown_not_an_error() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)

        def odd_printer() -> None:
            conn, _ = server.accept()
            with conn:
                while data := conn.recv(1024):
                    conn.sendall(b"\xff" * data.count(STATUS_REQUEST))

        threading.Thread(target=odd_printer, daemon=True).start()
        printer = _network(f"127.0.0.1:{server.getsockname()[1]}")
        state = printer.status()
        printer.close()
    assert state.paper == "unknown"


def test_a_status_call_on_a_silent_network_printer_times_out_within_the_deadline() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        printer = _network(f"127.0.0.1:{silent.getsockname()[1]}", timeout=1)
        started = time.monotonic()
        with pytest.raises(DeviceTimeout, match="did not answer the status request"):
            printer.status()
        assert time.monotonic() - started < 1
        printer.close()
