"""A ZVT payment terminal, simulated on a pseudo-terminal, speaking the bytes a real one does.

:class:`TerminalSimulator` opens a pty pair (POSIX) and answers on the master side; the slave
side (:attr:`TerminalSimulator.port`, e.g. ``/dev/pts/5``) is what the till opens, exactly like
a USB-serial cable. It can also answer on any serial-like object. It keeps the state a real
terminal keeps (trace and receipt numbers, the batch since the last end-of-day closing, the
last transaction for Repeat Receipt), so reversals, refunds, totals and recovery agree.

Each payment, refund or reversal takes the next scripted
:class:`~devices.zvt.simulator_outcomes.Outcome` from a queue, then the default one (the
outcomes are listed in :mod:`devices.zvt.simulator_outcomes`). A transaction shows "Insert
card", "Enter PIN" and "Please wait" (Intermediate Status), then the Status-Information, the
receipt as print lines, then Completion (or Abort with the result code, when declined), as
real terminals do. The password is not checked.

The messages, Status-Information fields and receipts it sends are built in
:mod:`devices.zvt.simulator_replies`; :class:`~devices.zvt.pty_port.PtyPort` is the pty's
master side. ``storedesk simulate terminal [options]`` runs
:func:`devices.zvt.simulator_cli.main`.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from devices.errors import DeviceError, DeviceOffline, DeviceProtocolError, DeviceTimeout
from devices.zvt import bmp, commands
from devices.zvt import simulator_replies as replies
from devices.zvt.apdu import Apdu
from devices.zvt.codes import ABORTED, PROTOCOL_ERROR, result_message
from devices.zvt.framing import FrameLink, SerialLike, encode_frame
from devices.zvt.pty_port import PtyPort
from devices.zvt.simulator_outcomes import Outcome
from devices.zvt.simulator_replies import money

GARBAGE = b"\xff\x00\x10\x41line noise\x06\x15\x03"
SILENCE = 10.0  # a silent terminal ignores repeats of the command for this long
TERMINAL_ID = "52000123"
# What the simulated terminal sends as the card number (BMP 22): masked with E digits, as
# terminals do. A test may give an unmasked test number to check that the till masks it
# itself; the simulator never stores or prints it.
TEST_CARD_NUMBER = "476173EEEEEE0010"


@dataclass
class Booking:
    kind: str  # payment, refund, reversal
    amount_minor: int
    receipt_no: int
    trace_no: int
    reversed: bool = False


class _Stopped(Exception):
    """The simulator is stopping, or the till has gone."""


class _AbortRequested(Exception):
    """The till sent Abort (06 B0) during a transaction."""


class TerminalSimulator:
    def __init__(
        self,
        line: SerialLike | None = None,
        *,
        outcome: str | Outcome = "approve",
        terminal_id: str = TERMINAL_ID,
        card_number: str = TEST_CARD_NUMBER,
        card_type: int = 0x0A,
        card_name: str = "VISA",
        step_delay: float = 0.0,
        ack_timeout: float = 5.0,
        log: Callable[[str], object] | None = None,
    ) -> None:
        self._master: int | None = None
        self._slave: int | None = None
        self.port: str | None = None
        if line is None:
            import tty  # POSIX only: imported here so the module loads everywhere

            self._master, self._slave = os.openpty()
            tty.setraw(self._slave)
            self.port = os.ttyname(self._slave)
            line = PtyPort(self._master)
        self._line = line
        self._link = FrameLink(line, name="Simulated terminal", ack_timeout=ack_timeout)
        self.answer_timeout = 5.0  # for the till's 80 00 00 after each message
        self.default = outcome if isinstance(outcome, Outcome) else Outcome.parse(outcome)
        self.terminal_id = terminal_id
        self.card_number = card_number
        self.card_type = card_type
        self.card_name = card_name
        self.step_delay = step_delay
        # Seconds between booking a payment and telling the till (a slow confirmation):
        # what a till killed in between has missed can be tested without racing it.
        self.booked_pause = 0.0
        self._log = log
        self._outcomes: deque[Outcome] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.commands: list[bytes] = []  # every command APDU received, in order
        self.bookings: list[Booking] = []
        self.batch: list[Booking] = []  # since the last end-of-day closing
        self._trace = 0
        self._receipt = 0
        self._last: tuple[bytes, tuple[str, ...]] | None = None  # 04 0F data, receipt
        self._outcome = self.default
        self._silenced: bytes | None = None
        self._silent_since = 0.0
        self._naks_left = 0
        self._nak_frame: bytes | None = None

    # -- control ------------------------------------------------------------------------------

    def queue(self, *outcomes: str | Outcome) -> None:
        with self._lock:
            self._outcomes.extend(
                o if isinstance(o, Outcome) else Outcome.parse(o) for o in outcomes
            )

    def start(self) -> TerminalSimulator:
        self._thread = threading.Thread(target=self._serve, name="zvt-simulator", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        self._hang_up()

    def __enter__(self) -> TerminalSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _hang_up(self) -> None:
        with self._lock:
            if isinstance(self._line, PtyPort):
                self._line.close()
            if self._slave is not None:
                with contextlib.suppress(OSError):
                    os.close(self._slave)
            self._master = self._slave = None

    def _say_log(self, text: str) -> None:
        if self._log is not None:
            self._log(text)

    # -- the loop -----------------------------------------------------------------------------

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                frame = self._link.read_frame(time.monotonic() + 0.2, interrupt=self._stop.is_set)
            except DeviceTimeout:
                continue
            except DeviceError:
                return  # the line is gone
            if frame is None:
                return
            raw, ok = frame
            try:
                if not ok:
                    self._link.write_nak()
                else:
                    self._on_frame(raw)
            except (_Stopped, DeviceOffline):
                return
            except DeviceError as exc:
                self._say_log(f"gave up: {exc}")

    def _on_frame(self, raw: bytes) -> None:
        now = time.monotonic()
        silent = self._silenced is not None and now - self._silent_since < SILENCE
        if silent and (raw == self._silenced or raw[:2] == b"\x06\xb0"):
            self._silent_since = now
            return  # a silent terminal does not even acknowledge the frame
        self._silenced = None
        if raw == self._nak_frame and self._naks_left > 0:
            self._naks_left -= 1
            self._link.write_nak()
            return
        try:
            apdu = Apdu.decode(raw)
        except DeviceProtocolError:
            self._link.write_ack()
            self._send(commands.negative_ack(PROTOCOL_ERROR))
            return
        money = apdu.command in ((0x06, 0x01), (0x06, 0x30), (0x06, 0x31))
        if money and raw != self._nak_frame:
            self._outcome = self._next_outcome()
            if self._outcome.kind == "timeout":
                self._silenced, self._silent_since = raw, now
                self._say_log("Payment request ignored (outcome: timeout)")
                return
            if self._outcome.kind == "nak":
                self._nak_frame, self._naks_left = raw, self._outcome.count - 1
                self._link.write_nak()
                return
        elif not money:
            self._outcome = Outcome()
        self._nak_frame = None
        self._link.write_ack()
        self.commands.append(raw)
        try:
            self._dispatch(apdu)
        except _AbortRequested:  # the till's Abort crossed one of our messages
            self._finish_abort()

    def _next_outcome(self) -> Outcome:
        with self._lock:
            return self._outcomes.popleft() if self._outcomes else self.default

    def _dispatch(self, apdu: Apdu) -> None:
        command = apdu.command
        if command == (0x06, 0x00):
            self._register(apdu)
        elif command in ((0x06, 0x01), (0x06, 0x31)):
            kind = "payment" if command == (0x06, 0x01) else "refund"
            amount = _amount(apdu.data, skip=0 if kind == "payment" else 3)
            self._transaction(kind, amount, None)
        elif command == (0x06, 0x30):
            fields = dict(bmp.read_fields(apdu.data, 3))
            receipt = bmp.bcd_int(fields[0x87]) if 0x87 in fields else self._receipt
            self._transaction("reversal", 0, receipt)
        elif command == (0x06, 0x50):
            self._end_of_day()
        elif command == (0x06, 0x20):
            self._repeat_receipt(apdu)
        elif command == (0x05, 0x01):
            self._send(commands.ACK)
            self._say(replies.status_enquiry_completion())
        elif command == (0x06, 0x02):
            self._send(commands.ACK)
        elif command == (0x06, 0xB0):
            # Nothing to abort; the till may not be listening any more, so no wait for an ACK.
            self._link.write_raw(encode_frame(commands.ACK.encode()))
        else:
            self._send(commands.negative_ack(0x83))

    # -- sending ------------------------------------------------------------------------------

    def _send(self, apdu: Apdu) -> None:
        """One frame, with the outcome's line faults; waits for its ACK byte only."""
        if self._outcome.kind == "garbage":
            self._link.write_raw(GARBAGE)
        if self._outcome.kind == "bad-crc":
            frame = bytearray(encode_frame(apdu.encode()))
            frame[-1] ^= 0xFF
            self._link.write_raw(bytes(frame))
            self._link.wait_reply(time.monotonic() + self._link.ack_timeout)
        self._link.send(apdu.encode())

    def _say(self, apdu: Apdu) -> None:
        """A message the till must acknowledge with 80 00 00."""
        self._send(apdu)
        raw = self._link.receive(
            time.monotonic() + self.answer_timeout, interrupt=self._stop.is_set
        )
        if raw is None:
            raise _Stopped
        answer = Apdu.decode(raw)
        if answer.command == (0x06, 0xB0):
            raise _AbortRequested
        if answer.cls == 0x84 and answer.ins != 0:
            raise DeviceProtocolError("Simulated terminal", f"the till refused: {answer.ins:02X}")

    def _status(self, code: int, text: str) -> None:
        self._say(replies.intermediate_status(code))
        self._say_log(f"  {text}")

    def _pause(self, seconds: float) -> None:
        """Wait like a terminal waiting for the customer; the till may abort meanwhile."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            try:
                raw = self._link.receive(until, interrupt=self._stop.is_set)
            except DeviceTimeout:
                return
            if raw is None:
                raise _Stopped
            if raw[:2] == b"\x06\xb0":
                raise _AbortRequested

    def _step(self) -> None:
        slow = self._outcome.kind == "slow"
        self._pause(self._outcome.seconds if slow else self.step_delay)

    def _disconnect(self) -> NoReturn:
        self._say_log("  line cut (outcome: disconnect)")
        self._hang_up()
        raise _Stopped

    # -- commands -----------------------------------------------------------------------------

    def _register(self, apdu: Apdu) -> None:
        self._send(commands.ACK)
        self._say(replies.registration_completion(self.terminal_id, apdu.data))
        self._say_log("Till logged on")

    def _transaction(self, kind: str, amount: int, receipt_no: int | None) -> None:
        outcome = self._outcome
        self._say_log(f"{kind.capitalize()} {money(amount) if amount else ''}".rstrip())
        self._send(commands.ACK)
        try:
            self._status(0x0A, "Insert card")
            if outcome.kind == "disconnect" and not outcome.after_result:
                self._disconnect()
            if outcome.kind == "stall":
                self._silenced, self._silent_since = self.commands[-1], time.monotonic()
                self._say_log("  fell silent (outcome: stall)")
                return
            self._step()
            if outcome.kind == "abort":
                self._finish_abort()
                return
            self._status(0x01, "Enter PIN")
            self._step()
            self._status(0x0E, "Please wait")
            self._step()
        except _AbortRequested:
            self._finish_abort()
            return
        if kind == "reversal":
            original = self._find(receipt_no)
            if isinstance(original, int):
                self._decline(kind, 0, original)
            elif outcome.kind == "decline":
                self._decline(kind, original.amount_minor, outcome.code)
            else:
                self._approve(kind, original.amount_minor)
                original.reversed = True
        elif outcome.kind == "decline":
            self._decline(kind, amount, outcome.code)
        else:
            self._approve(kind, amount)

    def _find(self, receipt_no: int | None) -> Booking | int:
        for booking in reversed(self.batch):
            if booking.receipt_no == receipt_no and booking.kind == "payment":
                return 0xB4 if booking.reversed else booking
        return 0xB5

    def _approve(self, kind: str, amount: int) -> None:
        self._trace += 1
        self._receipt += 1
        booking = Booking(kind, amount, self._receipt, self._trace)
        self.bookings.append(booking)
        self.batch.append(booking)
        self._pause(self.booked_pause)
        now, number, terminal_id = datetime.now(), self.card_number, self.terminal_id
        status = replies.approval_status(
            amount, trace=self._trace, receipt_no=self._receipt, now=now,
            terminal_id=terminal_id, card_number=number, card_type=self.card_type,
            card_name=self.card_name,
        )  # fmt: skip
        receipt = replies.approval_receipt(
            kind, amount, trace=self._trace, receipt_no=self._receipt, now=now,
            terminal_id=terminal_id, card_number=number, card_name=self.card_name,
        )  # fmt: skip
        self._result(status, receipt)
        self._say_log(f"  approved, receipt {self._receipt:04d}, trace {self._trace:06d}")
        self._say(replies.completion(self.terminal_id))

    def _decline(self, kind: str, amount: int, code: int) -> None:
        self._trace += 1
        status = replies.decline_status(
            code, amount, trace=self._trace, terminal_id=self.terminal_id
        )
        self._result(status, replies.decline_receipt(amount))
        self._say_log(f"  declined, code {code:02X}: {result_message(code)}")
        self._say(replies.abort(code))

    def _result(self, status: bytes, receipt: tuple[str, ...]) -> None:
        self._last = (status, receipt)
        self._say(replies.status_information(status))
        if self._outcome.kind == "disconnect" and self._outcome.after_result:
            # Cut the line while the till acknowledges the first receipt line: by then it
            # surely holds the result, and the terminal has its acknowledgement.
            self._send(replies.print_line(receipt[0]))
            self._link.read_frame(time.monotonic() + self.answer_timeout)
            self._disconnect()
        self._print(receipt)

    def _print(self, receipt: Iterable[str]) -> None:
        for line in replies.print_lines(receipt):
            self._say(line)

    def _finish_abort(self) -> None:
        self._send(commands.ACK)
        self._say(replies.abort(ABORTED))
        self._say_log("  cancelled on the terminal")

    def _end_of_day(self) -> None:
        self._send(commands.ACK)
        self._status(0x06, "Sending stored transactions")
        payments = [b for b in self.batch if b.kind == "payment" and not b.reversed]
        refunds = [b for b in self.batch if b.kind == "refund"]
        total = sum(b.amount_minor for b in payments) - sum(b.amount_minor for b in refunds)
        self._trace += 1
        status = replies.end_of_day_status(
            payments=len(payments), total=total,
            receipt_numbers=[b.receipt_no for b in self.batch] or [0],
            card_type=self.card_type, trace=self._trace, now=datetime.now(),
            terminal_id=self.terminal_id,
        )  # fmt: skip
        self._say(replies.status_information(status))
        self._print(replies.end_of_day_receipt(len(payments), total))
        self.batch.clear()
        self._say_log(f"End of day: {len(payments)} payments, EUR {money(total)}")
        self._say(replies.completion(self.terminal_id))

    def _repeat_receipt(self, apdu: Apdu) -> None:
        self._send(commands.ACK)
        if self._last is None:
            self._say(replies.abort(0x83))
            return
        fields = dict(bmp.read_fields(apdu.data, 3))
        service = fields.get(0x03, b"\x00")[0]
        status, receipt = self._last
        if service & 0x01:
            self._say(replies.status_information(status))
        if not service & 0x02:
            self._print(("* * COPY * *", *receipt))
        self._say(replies.completion(self.terminal_id))


def _amount(data: bytes, *, skip: int) -> int:
    fields = dict(bmp.read_fields(data, skip))
    return bmp.bcd_int(fields[0x04]) if 0x04 in fields else 0
