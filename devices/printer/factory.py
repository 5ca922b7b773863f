"""Open the receipt printer the settings describe. Opening connects lazily (first job).

``printer.kind`` chooses the connection and ``printer.address`` says where it is:

========== ===================================== =========================================
kind       address                               example
========== ===================================== =========================================
network    host or host:port (port 9100)         ``192.168.1.50``, ``printer-3:9100``
serial     device[@baud] (9600 baud)             ``/dev/ttyUSB0@19200``, ``COM3``
usb        vendor:product in hex (needs pyusb)   ``04b8:0e15``
file       a device node or file                 ``/dev/usb/lp0``, ``\\\\server\\receipt``
simulated  (none)
========== ===================================== =========================================
"""

from __future__ import annotations

from devices.errors import DeviceError
from devices.printer.base import ReceiptPrinter
from devices.printer.connections import FileLink, Link, NetworkLink, SerialLink, UsbLink
from devices.printer.escpos_printer import Deadlines, EscposReceiptPrinter, split_address
from devices.printer.simulated import SimulatedPrinter

KINDS = ("simulated", "network", "serial", "usb", "file")


def open_printer(
    kind: str,
    address: str,
    *,
    profile: str,
    width_mm: int,
    columns: int = 0,
    timeout: float = 10.0,
    check_status: bool = False,
) -> ReceiptPrinter:
    """The printer for these settings. ``timeout``: the most any one call may take.

    ``columns``: characters per line when the print area is narrower than the paper
    (0: the paper's, see :func:`~devices.printer.render.columns_for`).

    ``check_status``: ask the printer for paper and online status around every receipt
    (see :mod:`devices.printer.escpos_printer`); off, only the receipt's bytes are sent.
    """
    if kind == "simulated":
        return SimulatedPrinter(profile=profile, width_mm=width_mm, columns=columns)
    if kind not in KINDS:
        raise DeviceError("Printer", f"unknown printer kind '{kind}' (use {', '.join(KINDS)})")
    if not address:
        raise DeviceError("Printer", f"a {kind} printer needs an address in the settings")
    link = _link(kind, address.strip(), profile=profile, deadlines=Deadlines.within(timeout))
    return EscposReceiptPrinter(
        link, profile=profile, width_mm=width_mm, columns=columns, timeout=timeout,
        check_status=check_status,
    )  # fmt: skip


def _link(kind: str, address: str, *, profile: str, deadlines: Deadlines) -> Link:
    d = deadlines
    if kind == "network":
        host, port = split_address(address)
        return NetworkLink(host, port, profile=profile, connect=d.connect, io=d.io, answer=d.answer)
    if kind == "serial":
        device, _, baud = address.partition("@")
        if baud and not baud.isdigit():
            raise DeviceError("Printer", f"'{address}' is not device@baud like /dev/ttyS0@9600")
        return SerialLink(device, int(baud or 9600), profile=profile, io=d.io, answer=d.answer)
    if kind == "usb":
        vid, _, pid = address.partition(":")
        try:
            vendor, product = int(vid, 16), int(pid, 16)
        except ValueError:
            raise DeviceError(
                "Printer", f"'{address}' is not a USB vid:pid like 04b8:0e15"
            ) from None
        return UsbLink(vendor, product, profile=profile, io=d.io, answer=d.answer)
    return FileLink(address, profile=profile)
