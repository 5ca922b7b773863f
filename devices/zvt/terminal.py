"""A ZVT card terminal on a serial line: the till's (ECR's) side of the conversation.

Threading contract: every public method blocks and is called from a background thread,
never the GUI thread. The serial I/O runs on the terminal's own
:class:`~devices.worker.DeviceWorker` thread, one command at a time; a second call while one
runs raises :class:`~devices.errors.DeviceBusy` at once. ``on_status`` callbacks run on the
device thread, so they must hand the text over to the GUI thread, not touch widgets.
:meth:`ZvtTerminal.abort` may be called from any thread.

A command is a conversation (PA00P016, "Application-Protocol"): the till sends the command,
the terminal answers ``80 00 00`` and becomes master, then sends Intermediate Status
(``04 FF``), Status-Information (``04 0F``), print lines (``06 D1``/``06 D3``) and finally
Completion (``06 0F``) or Abort (``06 1E``); the till acknowledges each with ``80 00 00``.
Deadlines: T3 for each frame's ACK, ``answer`` for the terminal's first reply, T4 (``idle``,
180 s) between two terminal messages while the customer acts, and ``total`` for the whole
conversation. The till logs on (Registration) before its first command.

Failures are typed (:mod:`devices.errors`, :mod:`devices.zvt.errors`). Once a payment,
refund or reversal has reached the terminal, a failure is also
:class:`~devices.zvt.errors.TransactionInDoubt`: the card may have been charged, so the
caller checks with :meth:`ZvtTerminal.last_result` before charging again. Once the
Status-Information with the result has arrived and our acknowledgement of it has reached the
terminal, a later break of the line no longer matters and the result is returned. A result
that cannot be read is answered ``84 9A 00`` (a negative acknowledgement, on which terminals
reverse the payment) and reported as in doubt.

The line is opened with ``serial.serial_for_url`` (a device path, ``COM3``, ``loop://``),
9600 baud, 8 data bits, no parity and two stop bits, as ecrterm opens it (a terminal set to
one stop bit reads two without trouble); usually only the baud rate needs to match the
terminal's setting.

The results (:mod:`devices.zvt.results`) carry the card number as at most BIN + last four
digits; raw frames are never logged.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import serial

from devices.errors import (
    DeviceBusy,
    DeviceError,
    DeviceOffline,
    DeviceProtocolError,
    DeviceTimeout,
)
from devices.worker import DeviceWorker
from devices.zvt import commands, messages
from devices.zvt.apdu import NAME, Apdu
from devices.zvt.codes import BUSY, PROTOCOL_ERROR
from devices.zvt.commands import EUR
from devices.zvt.errors import InDoubtOffline, InDoubtProtocolError, InDoubtTimeout, TerminalRefused
from devices.zvt.framing import POLL, FrameLink
from devices.zvt.messages import (
    Abort,
    Acknowledgement,
    Completion,
    IntermediateStatus,
    PrintLine,
    PrintTextBlock,
    StatusInformation,
)
from devices.zvt.results import (
    Conversation,
    EndOfDay,
    PaymentResult,
    Registration,
    TerminalStatus,
    end_of_day_result,
    payment_result,
    terminal_status,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

StatusCallback = Callable[[str], object]


@dataclass(frozen=True)
class Timeouts:
    ack: float = 5.0  # T3: the ACK byte after each frame
    answer: float = 30.0  # the terminal's first reply to a command
    idle: float = 180.0  # T4: between two terminal messages while the customer acts
    total: float = 600.0  # a whole conversation
    byte: float = 1.0  # between two bytes of one frame


class ZvtTerminal:
    def __init__(
        self,
        url: str,
        *,
        password: str = "000000",
        baudrate: int = 9600,
        stopbits: float = serial.STOPBITS_TWO,
        currency: int = EUR,
        timeouts: Timeouts | None = None,
    ) -> None:
        commands.password_bytes(password)  # a wrong setting fails here, not mid-payment
        self.url = url
        self.password = password
        self.baudrate = baudrate
        self.stopbits = stopbits
        self.currency = currency
        self.timeouts = timeouts or Timeouts()
        self._worker = DeviceWorker(NAME)
        self._busy = threading.Lock()
        self._abort = threading.Event()
        self._in_conversation = threading.Event()
        self._port: Any = None
        self._link: FrameLink | None = None
        self._registered = False
        self._closed = False

    # -- public -------------------------------------------------------------------------------

    def register(self) -> Registration:
        return self._run(self._register, money=False)

    def authorize(
        self, amount_minor: int, *, on_status: StatusCallback | None = None
    ) -> PaymentResult:
        command = commands.authorization(amount_minor)
        return self._run(lambda: self._payment(command, amount_minor, on_status), money=True)

    def refund(
        self, amount_minor: int, *, on_status: StatusCallback | None = None
    ) -> PaymentResult:
        command = commands.refund(self.password, amount_minor)
        return self._run(lambda: self._payment(command, amount_minor, on_status), money=True)

    def reverse(self, receipt_no: int, *, on_status: StatusCallback | None = None) -> PaymentResult:
        command = commands.reversal(self.password, receipt_no)
        return self._run(lambda: self._payment(command, None, on_status), money=True)

    def end_of_day(self, *, on_status: StatusCallback | None = None) -> EndOfDay:
        return self._run(lambda: self._end_of_day(on_status), money=False)

    def last_result(self) -> PaymentResult | None:
        """The terminal's last transaction, for recovering a payment the till lost track of.

        ZVT has no "result of transaction X"; Repeat Receipt (``06 20``) with service byte
        bit 0 makes the terminal send the Status-Information of its last booked transaction
        again (and its receipt). The caller matches it to its payment intent by amount and
        receipt / trace number: a different transaction means the intent was not booked.
        None when the terminal has no last transaction or cannot repeat it: check the
        terminal's journal by hand. DeviceBusy while the terminal is still finishing the
        interrupted transaction: ask again in a moment.
        """
        return self._run(self._last_result, money=False)

    def status(self) -> TerminalStatus:
        """Status Enquiry (``05 01``): whether the terminal is ready, for the devices screen."""
        return self._run(self._status, money=False)

    def abort(self) -> bool:
        """Ask the terminal to cancel the running command (``06 B0``). False if none runs.

        The running call then returns :class:`~devices.zvt.results.Aborted` (or its result,
        if the terminal had already finished).
        """
        if not self._in_conversation.is_set():
            return False
        self._abort.set()
        return True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._abort.set()
        self._drop_port()  # ends a read in progress on the device thread
        self._worker.close()

    def __enter__(self) -> ZvtTerminal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- running on the device thread ---------------------------------------------------------

    def _run(self, job: Callable[[], T], *, money: bool) -> T:
        if self._closed:
            raise DeviceOffline(NAME, "is closed")
        if not self._busy.acquire(blocking=False):
            raise DeviceBusy(NAME, "is still busy with the previous request; wait for it to end")
        try:
            # A safety net only: the conversation keeps its own, shorter deadlines.
            limit = 2 * self.timeouts.total + 30
            future = self._worker.submit(job)
            try:
                return future.result(timeout=limit)
            except concurrent.futures.TimeoutError:
                self._abort.set()
                kind = InDoubtTimeout if money else DeviceTimeout
                raise kind(NAME, f"no result within {limit:g} s") from None
        finally:
            self._busy.release()

    def _open(self) -> FrameLink:
        if self._link is not None:
            return self._link
        if not self.url:
            raise DeviceOffline(NAME, "no port is set; set card_terminal.port")
        try:
            self._port = serial.serial_for_url(
                self.url,
                baudrate=self.baudrate,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=self.stopbits,
                timeout=POLL,
                write_timeout=self.timeouts.ack,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceOffline(
                NAME, f"cannot open {self.url} ({exc}); check the cable and the port setting"
            ) from exc
        self._link = FrameLink(
            self._port, name=NAME, ack_timeout=self.timeouts.ack, byte_timeout=self.timeouts.byte
        )
        self._registered = False
        return self._link

    def _drop_port(self) -> None:
        port, self._port, self._link = self._port, None, None
        if port is not None:
            try:
                port.close()
            except Exception:  # closing a port that already failed
                log.debug("closing the card terminal port failed", exc_info=True)

    def _ensure_registered(self) -> None:
        if not self._registered:
            self._register()

    def _register(self) -> Registration:
        command = commands.registration(self.password, currency=self.currency)
        talk = self._converse(command, on_status=None, money=False)
        if talk.abort is not None:
            raise TerminalRefused(
                NAME, f"refused the log-on: {talk.abort.message}", code=talk.abort.code
            )
        self._registered = True
        done = talk.completion or Completion()
        return Registration(done.terminal_id, done.status_byte)

    def _payment(
        self, command: Apdu, amount_minor: int | None, on_status: StatusCallback | None
    ) -> PaymentResult:
        self._ensure_registered()
        talk = self._converse(command, on_status=on_status, money=True)
        return payment_result(talk, amount_minor)

    def _end_of_day(self, on_status: StatusCallback | None) -> EndOfDay:
        self._ensure_registered()
        talk = self._converse(commands.end_of_day(self.password), on_status=on_status, money=False)
        return end_of_day_result(talk)

    def _last_result(self) -> PaymentResult | None:
        self._ensure_registered()
        try:
            talk = self._converse(
                commands.repeat_receipt(self.password), on_status=None, money=False
            )
        except TerminalRefused:
            return None  # the terminal cannot repeat its last receipt
        if not talk.has_result:
            return None
        return payment_result(talk, None)

    def _status(self) -> TerminalStatus:
        talk = self._converse(
            commands.status_enquiry(self.password),
            on_status=None,
            money=False,
            after_status_enquiry=True,
        )
        return terminal_status(talk)

    # -- one conversation ---------------------------------------------------------------------

    def _converse(
        self,
        command: Apdu,
        *,
        on_status: StatusCallback | None,
        money: bool,
        after_status_enquiry: bool = False,
    ) -> Conversation:
        link = self._open()
        t = self.timeouts
        talk = Conversation()
        self._abort.clear()
        try:
            link.discard_input()
            link.send(command.encode())
        except DeviceTimeout:
            kind = InDoubtTimeout if money else DeviceTimeout
            raise kind(
                NAME, f"no answer within {t.ack:g} s — check the cable and that it is switched on"
            ) from None
        except DeviceOffline as exc:
            self._drop_port()
            raise (InDoubtOffline if money else DeviceOffline)(NAME, exc.message) from exc
        log.debug("sent %s", command)
        self._in_conversation.set()
        finish_by = time.monotonic() + t.total
        waited_for, wait = "answer", t.answer
        try:
            while True:
                deadline = min(time.monotonic() + wait, finish_by)
                raw = link.receive(deadline, interrupt=self._abort.is_set)
                if raw is None:
                    self._abort.clear()
                    link.send(commands.abort().encode())
                    continue
                apdu = Apdu.decode(raw)
                log.debug("received %s", apdu)
                first = waited_for == "answer"
                if self._handle(link, apdu, talk, on_status, after_status_enquiry, first):
                    return talk
                waited_for, wait = "idle", t.idle
        except DeviceTimeout:
            if talk.has_result:
                return talk
            self._try_abort(link)
            seconds = wait if time.monotonic() < finish_by else t.total
            hint = "check the cable" if waited_for == "answer" else "check the terminal's display"
            kind = InDoubtTimeout if money else DeviceTimeout
            raise kind(NAME, f"no answer within {seconds:g} s — {hint}") from None
        except DeviceOffline as exc:
            self._drop_port()
            if talk.has_result:
                return talk
            kind_offline = InDoubtOffline if money else DeviceOffline
            raise kind_offline(NAME, f"{exc.message}; check the cable") from exc
        except DeviceProtocolError as exc:
            if talk.has_result:
                return talk
            kind_protocol = InDoubtProtocolError if money else DeviceProtocolError
            raise kind_protocol(NAME, exc.message) from exc
        finally:
            self._in_conversation.clear()

    def _handle(
        self,
        link: FrameLink,
        apdu: Apdu,
        talk: Conversation,
        on_status: StatusCallback | None,
        after_status_enquiry: bool,
        first: bool,
    ) -> bool:
        """Act on one terminal message; True when the conversation is over.

        ``first``: the message answers our command. Later acknowledgements answer our
        Abort, which a terminal that is already finishing may refuse; that is no failure.
        """
        try:
            message = messages.parse(apdu, after_status_enquiry=after_status_enquiry)
        except DeviceProtocolError:
            if apdu.command != (0x04, 0x0F):
                raise
            # A result we cannot read must not be booked: the negative acknowledgement asks
            # the terminal to reverse it, and the payment is reported as in doubt.
            talk.unreadable = True
            link.send(commands.negative_ack(PROTOCOL_ERROR).encode())
            return False
        if isinstance(message, Acknowledgement):
            if message.positive or not first:
                return False
            if message.code == BUSY:
                raise DeviceBusy(NAME, message.message)
            if message.code == 0x6B:
                self._registered = False
            raise TerminalRefused(NAME, message.message, code=message.code)
        # A result counts only once this acknowledgement has reached the terminal: a terminal
        # that gets none may reverse the payment on its own.
        link.send(commands.ACK.encode())
        if isinstance(message, IntermediateStatus):
            _notify(on_status, message.text)
        elif isinstance(message, StatusInformation):
            talk.statuses.append(message)
        elif isinstance(message, PrintLine | PrintTextBlock):
            talk.lines.extend(message.lines)
        elif isinstance(message, Completion):
            talk.completion = message
            return True
        elif isinstance(message, Abort):
            talk.abort = message
            if message.code == 0x6B:
                self._registered = False
            return True
        return False

    def _try_abort(self, link: FrameLink) -> None:
        """Tell a terminal that went quiet to stop, so it does not finish on its own."""
        try:
            link.send(commands.abort().encode(), max_sends=1)
        except DeviceError:
            log.debug("the abort after a timeout got no answer", exc_info=True)


def _notify(on_status: StatusCallback | None, text: str) -> None:
    if on_status is None:
        return
    try:
        on_status(text)
    except Exception:  # a display problem must not break a payment half-way
        log.exception("the card terminal status callback failed")
