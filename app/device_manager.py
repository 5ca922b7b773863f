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
from typing import TYPE_CHECKING

from app.card_terminal import ZvtCardTerminal
from devices.errors import DeviceError
from devices.printer.base import ReceiptDoc, ReceiptPrinter
from devices.printer.factory import open_printer
from devices.printer.render import columns_for

if TYPE_CHECKING:
    from devices.zvt.simulator import TerminalSimulator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrinterConfig:
    kind: str
    address: str
    profile: str
    width_mm: int
    check_status: bool = True
    columns: int = 0  # [printer] columns; 0: the paper's width


@dataclass(frozen=True)
class CardTerminalConfig:
    kind: str  # "simulated" (a ZVT simulator on a pseudo-terminal) or "zvt"
    port: str
    baud: int = 9600
    password: str = "000000"
    simulator_step_s: float = 0.3  # how long the simulated customer takes per step


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
    def __init__(
        self,
        printer: PrinterConfig,
        id_reader: IdReaderConfig | None = None,
        card_terminal: CardTerminalConfig | None = None,
    ) -> None:
        self._card_config = card_terminal or CardTerminalConfig("simulated", "")
        self._card: ZvtCardTerminal | None = None
        self._card_simulator: TerminalSimulator | None = None
        self._card_lock = threading.Lock()
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
        """Characters per receipt line: the ``columns`` setting, at most the paper's width."""
        cfg = self._printer_config
        columns = columns_for(cfg.width_mm, cfg.profile, cfg.columns)
        if cfg.columns and columns != cfg.columns:
            log.warning(
                "printer columns %d do not fit %d mm paper: printing %d per line",
                cfg.columns, cfg.width_mm, columns,
            )  # fmt: skip
        return columns

    def printer(self) -> ReceiptPrinter:
        with self._lock:
            if self._printer is None:
                cfg = self._printer_config
                try:
                    # check_status: paper and online are checked around every receipt,
                    # so a job the printer did not take fails (and stays in the print queue).
                    self._printer = open_printer(
                        cfg.kind, cfg.address, profile=cfg.profile, width_mm=cfg.width_mm,
                        columns=cfg.columns, check_status=cfg.check_status,
                    )  # fmt: skip
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

    def kick_drawer(self) -> None:
        """Open the cash drawer (wired to the receipt printer) — "no sale", cash in or out."""
        try:
            self.printer().kick_drawer()
        except DeviceError as exc:
            self._printer_state = DeviceState("Printer", "error", exc.message)
            raise

    def card_terminal(self) -> ZvtCardTerminal:
        """The card terminal, opened on first use; in demo mode a simulator on a pty."""
        with self._card_lock:
            if self._card is None:
                from devices.zvt.terminal import ZvtTerminal

                cfg = self._card_config
                port = cfg.port
                if cfg.kind == "simulated":
                    from devices.zvt.simulator import TerminalSimulator

                    self._card_simulator = TerminalSimulator(
                        step_delay=cfg.simulator_step_s
                    ).start()
                    port = self._card_simulator.port or ""
                self._card = ZvtCardTerminal(
                    ZvtTerminal(port, baudrate=cfg.baud, password=cfg.password)
                )
            return self._card

    @property
    def card_simulator(self) -> TerminalSimulator | None:
        """The simulated terminal in demo mode (scriptable outcomes), once it is running."""
        return self._card_simulator

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
        with self._card_lock:
            if self._card is not None:
                self._card.close()
                self._card = None
            if self._card_simulator is not None:
                self._card_simulator.stop()
                self._card_simulator = None
        with self._lock:
            if self._printer is not None:
                try:
                    self._printer.close()
                except DeviceError as exc:
                    log.warning("printer did not close cleanly: %s", exc.message)
                self._printer = None
