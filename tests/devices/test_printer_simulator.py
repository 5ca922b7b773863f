"""Receipts through the network driver into the printer simulator, decoded back to text;
code pages and transliteration at the byte level; the printer faults a store meets."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from escpos.printer import Dummy, Network

from app.documents.receipt import ReceiptData, ReceiptItem, build_receipt
from devices.errors import DeviceError, DeviceOffline, DeviceTimeout, PaperOut
from devices.printer.base import ReceiptDoc, ReceiptLine, ReceiptPrinter
from devices.printer.escpos_decode import decode
from devices.printer.factory import open_printer
from devices.printer.render import render_drawer_kick, render_receipt
from devices.printer.sim_server import PrinterSimulator, main
from domain.money import Money

PROFILE = "TM-T20II"
DEADLINE = 2.0


def _receipt(columns: int = 48) -> ReceiptDoc:
    eur = Money.of
    data = ReceiptData(
        store_name="StoreDesk Mitte",
        store_address="Alexanderplatz 1, Berlin",
        tax_id="DE123456789",
        terminal_id="S001/T01",
        cashier="Anna Schmidt",
        when=datetime(2026, 11, 30, 10, 15, tzinfo=UTC),
        receipt_number="RCP-S001-T01-000042",
        order_number="ORD-S001-T01-000042",
        items=(
            ReceiptItem("SIM-карта «Мега»", 1, eur("9.99"), eur("9.99"), serial="8949..1234"),
            ReceiptItem("Hülle Galaxy A15 – grün", 2, eur("14.50"), eur("29.00")),
        ),
        vat=((Decimal(19), eur("32.76"), eur("6.23")),),
        total=eur("38.99"),
        tenders=(("cash", eur("38.99")),),
        given=eur("50.00"),
        change=eur("11.01"),
    )
    return build_receipt(data, columns=columns)


def _printer(address: str) -> ReceiptPrinter:
    return open_printer(
        "network", address, profile=PROFILE, width_mm=80, timeout=DEADLINE, check_status=True
    )


@pytest.fixture
def sim() -> Iterator[PrinterSimulator]:
    with PrinterSimulator(idle=0.2) as simulator:
        yield simulator


def test_a_real_receipt_prints_through_the_network_driver(sim: PrinterSimulator) -> None:
    doc = _receipt()
    printer = _printer(sim.address)
    printer.print_receipt(doc)
    printer.kick_drawer()
    printer.close()
    [job] = sim.wait_for_jobs(1)
    lines = job.text.splitlines()
    for line in doc.lines:
        assert line.text in lines
    assert any(x.startswith("SIM-карта «Мега»") and x.endswith("9.99 EUR") for x in lines)
    assert any(x.startswith("Hülle Galaxy A15 – grün") for x in lines)
    assert any(x.startswith("TOTAL") and x.endswith("38.99 EUR") for x in lines)
    assert any(x.startswith("Change") and x.endswith("11.01 EUR") for x in lines)
    assert job.qr_codes == ["RCP-S001-T01-000042"]
    assert job.drawer_kicks == [2] and job.cuts == 1
    assert job.raw == render_receipt(doc, profile=PROFILE, columns=48) + render_drawer_kick(
        profile=PROFILE
    )
    header = job.lines[0]
    assert (header.text, header.align, header.bold, header.width) == (
        "StoreDesk Mitte", "center", True, 2,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "page", "encoding"),
    [
        ("Пётр Щукин, SIM-карта", 17, "cp866"),
        ("SIM-карта «Мега» №5", 46, "cp1251"),  # « » and № are not in CP866
        ("Zürich Straße, Café", 0, "cp437"),
        ("Preis 9,99 €", 19, "cp858"),  # CP437 has no euro sign
        ("Łódź, Kraków", 18, "cp852"),
    ],
)
def test_each_line_goes_out_in_one_code_page_that_has_it(
    text: str, page: int, encoding: str
) -> None:
    data = render_receipt(ReceiptDoc(lines=(ReceiptLine(text),), cut=False), profile=PROFILE)
    assert b"\x1bt" + bytes([page]) + text.encode(encoding) + b"\n" in data
    assert decode(data).text == text


def test_python_escpos_own_encoding_decodes_to_the_same_text() -> None:
    """Our decoder reads python-escpos' MagicEncode output right: same tables both ways."""
    text = "Café — SIM-карта «Мега» Zürich Łódź 9,99 €"
    dummy = Dummy(profile=PROFILE)
    dummy.textln(text)
    assert decode(bytes(dummy.output)).text == text
    ours = render_receipt(ReceiptDoc(lines=(ReceiptLine(text),), cut=False), profile=PROFILE)
    assert decode(ours).text == text


def test_characters_without_a_code_page_are_spelled_in_latin_or_replaced() -> None:
    doc = ReceiptDoc(
        lines=(
            ReceiptLine("Пётр ЩУКИН, Щука"),
            ReceiptLine("Łódź «Мега» №5 – 9,99 €"),
            ReceiptLine("微信 😀 ok"),
        ),
        cut=False,
    )
    data = render_receipt(doc, profile="TM-U220")  # an impact printer with CP437 only
    assert decode(data, profile="TM-U220").text.splitlines() == [
        "Petr SHCHUKIN, Shchuka",
        "Lódz \xabMega\xbb No5 - 9,99 EUR",  # ó « » are in CP437; Ł ź № – € are not
        "?? ? ok",
    ]
    assert decode(render_receipt(doc, profile=PROFILE)).text.splitlines()[2] == "?? ? ok"


def test_an_extremely_long_product_name_wraps_at_the_column_width() -> None:
    name = "Smartphone " + " ".join(f"Variante{n}" for n in range(40)) + " " + "X" * 70
    doc = ReceiptDoc(lines=(ReceiptLine(name), ReceiptLine(name, double=True)), cut=False)
    lines = decode(render_receipt(doc, profile=PROFILE, columns=32)).lines
    normal = [x.text for x in lines if x.width == 1]
    double = [x.text for x in lines if x.width == 2]
    assert all(len(x) <= 32 for x in normal) and all(len(x) <= 16 for x in double)
    assert "".join(normal).replace(" ", "") == name.replace(" ", "")
    assert "".join(double).replace(" ", "") == name.replace(" ", "")
    # words stay whole; only the one longer than a line is cut
    words = " ".join(normal).split()
    assert [w for w in words if "X" not in w] == name.split()[:-1]
    assert [len(w) for w in words if "X" in w] == [10, 32, 28]


def test_a_price_pushed_right_by_transliteration_stays_on_its_line() -> None:
    line = "Щётка" + " " * 19 + "9.99 EUR"  # 32 columns; 35 once spelled "Shchetka"
    doc = ReceiptDoc(lines=(ReceiptLine(line),), cut=False)
    [printed] = decode(render_receipt(doc, profile="TM-U220", columns=32), profile="TM-U220").lines
    assert printed.text == "Shchetka" + " " * 16 + "9.99 EUR"


def test_the_simulator_answers_status_as_python_escpos_reads_it(sim: PrinterSimulator) -> None:
    host, port = sim.address.rsplit(":", 1)
    probe = Network(host, int(port), timeout=DEADLINE)
    probe.open()
    try:
        assert probe.is_online() and probe.paper_status() == 2
        sim.near_end = True
        assert probe.paper_status() == 1
        sim.fault = "paper_out"
        assert not probe.is_online() and probe.paper_status() == 0
    finally:
        probe.close()


def _fails_within_deadline(printer: ReceiptPrinter, error: type[DeviceError]) -> DeviceError:
    started = time.monotonic()
    with pytest.raises(error) as info:
        printer.print_receipt(_receipt())
    assert time.monotonic() - started < DEADLINE
    return info.value


def test_an_offline_printer_refuses_and_comes_back(sim: PrinterSimulator) -> None:
    sim.fault = "offline"
    printer = _printer(sim.address)
    _fails_within_deadline(printer, DeviceOffline)
    sim.fault = "none"
    printer.print_receipt(_receipt())
    printer.close()
    assert len(sim.wait_for_jobs(1)) == 1


def test_paper_out_is_reported_before_anything_is_sent(sim: PrinterSimulator) -> None:
    sim.fault = "paper_out"
    printer = _printer(sim.address)
    error = _fails_within_deadline(printer, PaperOut)
    assert "out of paper" in error.message
    printer.close()
    time.sleep(0.3)  # longer than the simulator's idle: a job would have been recorded
    assert sim.jobs == [] and sim.discarded == 0


def test_a_printer_that_never_reads_is_a_timeout_not_a_hang(sim: PrinterSimulator) -> None:
    sim.fault = "never_read"
    printer = _printer(sim.address)
    _fails_within_deadline(printer, DeviceTimeout)
    printer.close()
    assert sim.jobs == []


def test_a_disconnect_in_the_middle_of_a_job_is_offline(sim: PrinterSimulator) -> None:
    printer = _printer(sim.address)
    sim.fault = "disconnect"
    _fails_within_deadline(printer, DeviceOffline)
    assert sim.aborted == 1 and sim.jobs == []
    sim.fault = "none"
    printer.print_receipt(_receipt())  # reconnects
    printer.close()
    assert len(sim.wait_for_jobs(1)) == 1


class _Lines(io.StringIO):
    """stdout for ``main`` in a thread: lets the test wait for a line."""

    def wait_for(self, text: str, timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.getvalue().splitlines():
                if text in line:
                    return line
            time.sleep(0.01)
        raise AssertionError(f"no {text!r} in {self.getvalue()!r}")


def test_storedesk_simulate_printer_saves_and_summarises_each_job(tmp_path: Path) -> None:
    out, err = _Lines(), io.StringIO()
    argv = ["--port", "0", "--out", str(tmp_path), "--jobs", "1", "--idle", "0.1", "--png"]
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(main(argv, out=out, err=err)))
    runner.start()
    banner = out.wait_for("simulator on 127.0.0.1:")
    address = banner.split(" on ", 1)[1].split(" ", 1)[0]
    printer = _printer(address)
    printer.print_receipt(_receipt())
    printer.close()
    runner.join(5)
    assert result == [0], err.getvalue()
    summary = out.wait_for("job 1:")
    assert "QR 'RCP-S001-T01-000042'" in summary and "cut" in summary
    text = (tmp_path / "job-0001.txt").read_text(encoding="utf-8")
    assert "StoreDesk Mitte" in text and "38.99 EUR" in text
    assert (tmp_path / "job-0001.bin").read_bytes().startswith(b"\x1b@")
    assert (tmp_path / "job-0001.png").read_bytes().startswith(b"\x89PNG")


def test_storedesk_simulate_printer_explains_a_bad_option() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--fault", "smoke"], out=out, err=err) == 2
    assert "invalid choice" in err.getvalue()
