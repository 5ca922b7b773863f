"""The app's door to the store's devices: opens them lazily, prints, kicks the drawer.

Methods block on device I/O (each device has its own I/O thread and deadline underneath),
so the UI calls them from its background I/O lane, never from the GUI thread. Every failure
is a :class:`~devices.errors.DeviceError`; :meth:`states` tells the status bar how each
device is doing without touching hardware.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from devices.errors import DeviceError
from devices.printer.base import ReceiptDoc, ReceiptPrinter
from devices.printer.factory import open_printer
from devices.printer.render import columns_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrinterConfig:
    kind: str
    address: str
    profile: str
    width_mm: int


@dataclass(frozen=True)
class DeviceState:
    name: str
    state: str  # "ready", "not connected", "error", "simulated"
    detail: str = ""


@dataclass(frozen=True)
class IdReaderConfig:
    kind: str  # "none" or "serial"
    port: str
    baud: int = 9600


class DeviceManager:
    def __init__(self, printer: PrinterConfig, id_reader: IdReaderConfig | None = None) -> None:
        self._printer_config = printer
        self._id_reader_config = id_reader or IdReaderConfig("none", "")
        self._id_reader_lock = threading.Lock()
        self._printer: ReceiptPrinter | None = None
        self._lock = threading.Lock()
        self._printer_state = DeviceState(
            "Printer", "simulated" if printer.kind == "simulated" else "not connected"
        )

    @property
    def printer_columns(self) -> int:
        return columns_for(self._printer_config.width_mm, self._printer_config.profile)

    def printer(self) -> ReceiptPrinter:
        with self._lock:
            if self._printer is None:
                cfg = self._printer_config
                try:
                    self._printer = open_printer(
                        cfg.kind, cfg.address, profile=cfg.profile, width_mm=cfg.width_mm
                    )
                except DeviceError as exc:
                    self._printer_state = DeviceState("Printer", "error", exc.message)
                    raise
            return self._printer

    def print_receipt(self, doc: ReceiptDoc, *, kick_drawer: bool = False) -> None:
        try:
            printer = self.printer()
            printer.print_receipt(doc)
            if kick_drawer:
                printer.kick_drawer()
        except DeviceError as exc:
            self._printer_state = DeviceState("Printer", "error", exc.message)
            log.warning("receipt not printed: %s", exc.message)
            raise
        self._printer_state = DeviceState(
            "Printer", "simulated" if self._printer_config.kind == "simulated" else "ready"
        )

    @property
    def has_id_reader(self) -> bool:
        return self._id_reader_config.kind != "none"

    def read_document(self, timeout: float = 20.0) -> str:
        """Wait up to ``timeout`` s for a document on the reader; returns its MRZ text.

        The port is opened for this read only (readers are idle most of the day and other
        programs may want them); one read at a time.
        """
        cfg = self._id_reader_config
        if cfg.kind == "none" or not cfg.port:
            raise DeviceError("Document reader", "is not set up on this terminal")
        from devices.mrz_reader import MrzReader

        with self._id_reader_lock, MrzReader(cfg.port, baudrate=cfg.baud) as reader:
            return str(reader.read_document(timeout))

    def states(self) -> list[DeviceState]:
        return [self._printer_state]

    def close(self) -> None:
        with self._lock:
            if self._printer is not None:
                try:
                    self._printer.close()
                except DeviceError as exc:
                    log.warning("printer did not close cleanly: %s", exc.message)
                self._printer = None
