"""Open the receipt printer the settings describe. Opening connects lazily (first job)."""

from __future__ import annotations

from devices.errors import DeviceError
from devices.printer.base import ReceiptPrinter
from devices.printer.escpos_printer import EscposReceiptPrinter, split_address
from devices.printer.simulated import SimulatedPrinter

KINDS = ("simulated", "network", "serial", "usb", "file")


def open_printer(
    kind: str, address: str, *, profile: str, width_mm: int, timeout: float = 10.0
) -> ReceiptPrinter:
    if kind == "simulated":
        return SimulatedPrinter(profile=profile, width_mm=width_mm)
    if kind not in KINDS:
        raise DeviceError("Printer", f"unknown printer kind '{kind}' (use {', '.join(KINDS)})")
    if not address:
        raise DeviceError("Printer", f"a {kind} printer needs an address in the settings")
    from escpos import printer as escpos

    if kind == "network":
        host, port = split_address(address)
        return EscposReceiptPrinter(
            lambda: escpos.Network(host, port, timeout=timeout, profile=profile),
            name=f"Printer {host}:{port}", profile=profile, width_mm=width_mm,
            timeout=timeout, can_read=True,
        )  # fmt: skip
    if kind == "serial":
        device, _, baud = address.partition("@")
        rate = int(baud) if baud.isdigit() else 9600
        return EscposReceiptPrinter(
            lambda: escpos.Serial(device, baudrate=rate, timeout=timeout, profile=profile),
            name=f"Printer {device}", profile=profile, width_mm=width_mm,
            timeout=timeout, can_read=True,
        )  # fmt: skip
    if kind == "usb":
        vid, _, pid = address.partition(":")
        try:
            vendor, product = int(vid, 16), int(pid, 16)
        except ValueError:
            raise DeviceError(
                "Printer", f"'{address}' is not a USB vid:pid like 04b8:0e15"
            ) from None
        return EscposReceiptPrinter(
            lambda: escpos.Usb(vendor, product, timeout=int(timeout * 1000), profile=profile),
            name=f"Printer USB {address}", profile=profile, width_mm=width_mm, timeout=timeout,
        )  # fmt: skip
    return EscposReceiptPrinter(
        lambda: escpos.File(address, profile=profile),
        name=f"Printer {address}", profile=profile, width_mm=width_mm, timeout=timeout,
    )  # fmt: skip
