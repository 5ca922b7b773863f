"""The ID-document reader over real serial I/O: pyserial's loop:// and a pseudo-terminal."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest
import serial

from devices.errors import DeviceError, DeviceOffline, DeviceProtocolError, DeviceTimeout
from devices.mrz_reader import MrzReader
from devices.mrz_reader_sim import SPECIMEN_TD1, SPECIMEN_TD3, MrzReaderSimulator
from domain.errors import ValidationError
from domain.identifiers.mrz import parse_mrz

TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
TODAY = date(2026, 6, 15)


@pytest.fixture
def sim() -> Iterator[MrzReaderSimulator]:
    if not hasattr(os, "openpty"):  # Windows: the loop:// and missing-port tests still run
        pytest.skip("the reader simulator needs a POSIX pseudo-terminal")
    made = MrzReaderSimulator()
    yield made
    made.close()


@pytest.fixture
def reader(sim: MrzReaderSimulator) -> Iterator[MrzReader]:
    with MrzReader(sim.port, line_timeout=0.2) as opened:
        yield opened


@pytest.mark.parametrize("zone", [SPECIMEN_TD1, TD2, SPECIMEN_TD3], ids=["TD1", "TD2", "TD3"])
@pytest.mark.parametrize("ending", ["\r\n", "\r", "\n"], ids=["CRLF", "CR", "LF"])
def test_whole_zones_with_any_line_ending(
    sim: MrzReaderSimulator, reader: MrzReader, zone: str, ending: str
) -> None:
    sim.present(zone, line_ending=ending)
    text = reader.read_document(1.0)
    assert text == zone
    assert parse_mrz(text, today=TODAY).valid


def test_framed_and_slow_delivery(sim: MrzReaderSimulator, reader: MrzReader) -> None:
    sender = threading.Thread(
        target=lambda: sim.present(SPECIMEN_TD3, framed=True, chunk=7, delay=0.01)
    )
    sender.start()
    text = reader.read_document(1.0)
    sender.join()
    assert text == SPECIMEN_TD3


def test_a_partial_zone_is_returned_after_a_pause(
    sim: MrzReaderSimulator, reader: MrzReader
) -> None:
    first = SPECIMEN_TD1.splitlines()[0]
    sim.present(first)
    started = time.monotonic()
    assert reader.read_document(1.0) == first
    assert time.monotonic() - started < 1.0
    with pytest.raises(ValidationError, match="mrz"):
        parse_mrz(first, today=TODAY)


def test_nothing_on_the_reader_times_out(reader: MrzReader) -> None:
    with pytest.raises(DeviceTimeout, match="place the document"):
        reader.read_document(0.2)


def test_garbage_bytes_are_refused(sim: MrzReaderSimulator, reader: MrzReader) -> None:
    sim.send_raw(b"P<UTO\xff\xfe\r\n")
    with pytest.raises(DeviceProtocolError, match="unreadable data"):
        reader.read_document(1.0)


def test_an_endless_line_is_refused(sim: MrzReaderSimulator, reader: MrzReader) -> None:
    sim.send_raw(b"A" * 400)
    with pytest.raises(DeviceProtocolError, match="too much"):
        reader.read_document(1.0)


def test_a_missing_port_is_offline_with_its_name() -> None:
    with pytest.raises(DeviceOffline, match="/dev/does-not-exist"):
        MrzReader("/dev/does-not-exist").read_document(0.1)


def test_cancel_from_another_thread(reader: MrzReader) -> None:
    threading.Timer(0.1, reader.cancel).start()
    started = time.monotonic()
    with pytest.raises(DeviceError, match="cancelled"):
        reader.read_document(5.0)
    assert time.monotonic() - started < 2.0


def test_loop_url_reads_what_was_written() -> None:
    reader = MrzReader("loop://", line_timeout=0.1)
    reader.open()
    port = reader._port
    assert isinstance(port, serial.SerialBase)
    port.write((SPECIMEN_TD3.replace("\n", "\r\n") + "\r\n").encode("ascii"))
    assert reader.read_document(1.0) == SPECIMEN_TD3
    reader.close()


def test_device_manager_reads_through_the_configured_port(sim: MrzReaderSimulator) -> None:
    from app.device_manager import DeviceManager, IdReaderConfig, PrinterConfig

    manager = DeviceManager(
        PrinterConfig("simulated", "", "TM-T20II", 80), IdReaderConfig("serial", sim.port)
    )
    threading.Timer(0.1, lambda: sim.present(SPECIMEN_TD1)).start()
    assert manager.read_document(2.0) == SPECIMEN_TD1
    with pytest.raises(DeviceError, match="not set up"):
        DeviceManager(PrinterConfig("simulated", "", "TM-T20II", 80)).read_document(0.1)
