"""Receipt printers at the byte level: rendering, a real TCP printer, a file, the simulator."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.errors import DeviceError, DeviceOffline, DeviceTimeout, PaperOut
from devices.printer.base import ReceiptDoc, ReceiptLine
from devices.printer.factory import open_printer
from devices.printer.render import columns_for, render_drawer_kick, render_receipt
from devices.printer.simulated import SimulatedPrinter
from devices.worker import DeviceWorker

PROFILE = "TM-T20II"
DOC = ReceiptDoc(
    lines=(
        ReceiptLine("StoreDesk", align="center", bold=True, double=True),
        ReceiptLine("Café — SIM-карта 9.99"),
        ReceiptLine("TOTAL 9.99 EUR", align="right", bold=True),
    ),
    barcode="RCP-S001-T01-000001",
)

ESC_INIT = b"\x1b@"
CODEPAGE_CP866 = b"\x1bt\x11"  # ESC t 17: PC866 Cyrillic in the TM-T20II profile
FULL_CUT = b"\x1dV\x00"


def test_receipt_bytes() -> None:
    data = render_receipt(DOC, profile=PROFILE)
    assert data.startswith(ESC_INIT)
    assert b"\x1ba\x01" in data  # centred
    assert b"\x1bE\x01" in data  # bold on
    # Each run of text goes out in a code page that has its letters (ESC t n, then the
    # text encoded in that page): é in CP437, the dash in CP1252, Cyrillic in CP866.
    expected = (
        "Café ".encode("cp437")  # CP437 is still selected from the line before
        + b"\x1bt\x10" + "— SIM-".encode("cp1252")
        + CODEPAGE_CP866 + "карта 9.99".encode("cp866") + b"\n"
    )  # fmt: skip
    assert expected in data
    assert b"\x1d(k" in data and b"RCP-S001-T01-000001" in data  # native QR code
    assert data.endswith(FULL_CUT)


def test_rendering_is_deterministic() -> None:
    assert render_receipt(DOC, profile=PROFILE) == render_receipt(DOC, profile=PROFILE)


def test_copy_banner_and_no_cut() -> None:
    data = render_receipt(ReceiptDoc(lines=(), copy_banner="COPY", cut=False), profile=PROFILE)
    assert b"COPY" in data and not data.endswith(FULL_CUT)


def test_drawer_kick_is_esc_p() -> None:
    assert render_drawer_kick(profile=PROFILE).startswith(b"\x1bp")


@pytest.mark.parametrize(("width", "columns"), [(58, 32), (80, 48)])
def test_columns_for_paper(width: int, columns: int) -> None:
    assert columns_for(width) == columns


def test_unsupported_paper_width() -> None:
    with pytest.raises(ValueError, match="58 or 80"):
        columns_for(70)


class _Collector(socketserver.BaseRequestHandler):
    received: list[bytes]

    def handle(self) -> None:
        chunks = []
        while data := self.request.recv(4096):
            chunks.append(data)
        self.server.received.append(b"".join(chunks))  # type: ignore[attr-defined]


@pytest.fixture
def tcp_printer() -> Iterator[tuple[str, list[bytes]]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Collector)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"{host}:{port}", server.received  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def test_network_printer_delivers_the_exact_bytes(tcp_printer: tuple[str, list[bytes]]) -> None:
    address, received = tcp_printer
    printer = open_printer("network", address, profile=PROFILE, width_mm=80, timeout=2)
    printer.print_receipt(DOC)
    printer.kick_drawer()
    printer.close()
    deadline = time.monotonic() + 3
    while not received and time.monotonic() < deadline:
        time.sleep(0.02)
    assert received == [render_receipt(DOC, profile=PROFILE) + render_drawer_kick(profile=PROFILE)]


def test_closed_port_is_offline_quickly() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connections are refused
        printer = open_printer(
            "network", f"127.0.0.1:{port}", profile=PROFILE, width_mm=80, timeout=2
        )
        started = time.monotonic()
        with pytest.raises(DeviceOffline, match="cannot be reached"):
            printer.print_receipt(DOC)
        assert time.monotonic() - started < 2
    printer.close()


def test_a_printer_that_never_answers_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection, never reads or answers
        port = silent.getsockname()[1]
        printer = open_printer(
            "network", f"127.0.0.1:{port}", profile=PROFILE, width_mm=80, timeout=0.5
        )
        with pytest.raises(DeviceError):  # a status query that gets no answer
            printer.status()
        printer.close()


def test_file_printer_writes_the_bytes(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    target.write_bytes(b"")
    printer = open_printer("file", str(target), profile=PROFILE, width_mm=58)
    assert printer.columns == 32
    printer.print_receipt(DOC)
    printer.close()
    assert target.read_bytes() == render_receipt(DOC, profile=PROFILE)


@pytest.mark.parametrize(
    ("kind", "address", "message"),
    [
        ("laser", "x", "unknown printer kind"),
        ("network", "", "needs an address"),
        ("usb", "zz:yy", "not a USB vid:pid"),
        ("network", "host:99999", "not host:port"),
    ],
)
def test_bad_printer_settings_are_explained(kind: str, address: str, message: str) -> None:
    with pytest.raises(DeviceError, match=message):
        open_printer(kind, address, profile=PROFILE, width_mm=80)


def test_simulator_keeps_jobs_and_fails_on_demand() -> None:
    printer = SimulatedPrinter(profile=PROFILE, width_mm=80)
    printer.print_receipt(DOC)
    printer.kick_drawer()
    assert printer.jobs[0] == render_receipt(DOC, profile=PROFILE)
    assert printer.drawer_kicks == 1
    printer.fail_next(DeviceOffline("Simulated printer", "unplugged"))
    with pytest.raises(DeviceOffline):
        printer.print_receipt(DOC)
    printer.print_receipt(DOC)  # the failure was for one job only
    printer.paper_out = True
    assert printer.status().paper == "out"
    with pytest.raises(PaperOut):
        printer.print_receipt(DOC)
    assert len(printer.jobs) == 3


def test_worker_runs_jobs_in_order_on_one_thread() -> None:
    worker = DeviceWorker("test")
    threads, order = set(), []
    futures = [
        worker.submit(lambda i=i: (threads.add(threading.get_ident()), order.append(i)))
        for i in range(20)
    ]
    for future in futures:
        future.result(timeout=2)
    assert order == list(range(20)) and len(threads) == 1
    worker.close()


def test_worker_deadline_and_error_wrapping() -> None:
    worker = DeviceWorker("slow")
    with pytest.raises(DeviceTimeout, match=r"no answer within 0\.1 s"):
        worker.call(lambda: time.sleep(0.5), timeout=0.1)

    def broken() -> None:
        raise OSError("wire cut")

    with pytest.raises(DeviceError, match="wire cut") as info:
        worker.call(broken, timeout=2)
    assert isinstance(info.value.__cause__, OSError)
    worker.close()
    with pytest.raises(DeviceError, match="closed"):
        worker.submit(lambda: None)
