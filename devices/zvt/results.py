"""What a ZVT command ends with: the driver's typed results, read from a finished conversation.

:class:`Conversation` collects what the terminal sent during one command; the functions
below turn it into :class:`Approved`, :class:`Declined` or :class:`Aborted` (a payment,
refund or reversal), :class:`EndOfDay` or :class:`TerminalStatus`. A payment result that
could not be read, or none at all, is :class:`~devices.zvt.errors.TransactionInDoubt`.

Card data: results carry the card number as at most BIN + last four digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.zvt.apdu import NAME
from devices.zvt.codes import ABORTED, TERMINAL_STATUS, result_message
from devices.zvt.errors import InDoubtProtocolError, TerminalRefused, TransactionInDoubt
from devices.zvt.messages import Abort, CardTotal, Completion, StatusInformation


@dataclass(frozen=True)
class Approved:
    amount_minor: int
    auth_code: str | None
    masked_pan: str | None  # BIN + last four at most
    brand: str | None
    terminal_id: str | None
    trace_no: int | None
    receipt_no: int | None
    date: str | None = None  # MMDD, the terminal's clock
    time: str | None = None  # HHMMSS
    receipt_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Declined:
    result_code: int
    message: str
    amount_minor: int | None = None
    terminal_id: str | None = None
    trace_no: int | None = None
    receipt_no: int | None = None
    receipt_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Aborted:
    result_code: int
    message: str
    receipt_lines: tuple[str, ...] = ()


PaymentResult = Approved | Declined | Aborted


@dataclass(frozen=True)
class Registration:
    terminal_id: str | None
    status_byte: int | None


@dataclass(frozen=True)
class EndOfDay:
    total_minor: int
    by_card: tuple[CardTotal, ...]
    receipt_from: int | None
    receipt_to: int | None
    terminal_id: str | None
    trace_no: int | None
    receipt_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class TerminalStatus:
    code: int | None
    text: str
    software: str | None


@dataclass
class Conversation:
    """What the terminal sent during one command."""

    statuses: list[StatusInformation] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    completion: Completion | None = None
    abort: Abort | None = None
    unreadable: bool = False

    @property
    def status(self) -> StatusInformation | None:
        for status in reversed(self.statuses):
            if status.result_code is not None:
                return status
        return self.statuses[-1] if self.statuses else None

    @property
    def has_result(self) -> bool:
        return self.unreadable or (self.status is not None and self.status.result_code is not None)


def failure_code(talk: Conversation) -> int | None:
    status = talk.status
    if status is not None and status.result_code not in (None, 0):
        return status.result_code
    if talk.abort is not None:
        return talk.abort.code or ABORTED
    return None


def payment_result(talk: Conversation, amount_minor: int | None) -> PaymentResult:
    if talk.unreadable:
        raise InDoubtProtocolError(
            NAME,
            "sent a payment result that cannot be read and was asked to cancel it; "
            "check the terminal's last receipt",
        )
    lines = tuple(talk.lines)
    status = talk.status
    code = failure_code(talk)
    if code is None:
        if status is None or status.result_code != 0:
            raise TransactionInDoubt(
                NAME, "finished without a payment result; check the terminal's last receipt"
            )
        booked = status.amount_minor if status.amount_minor is not None else amount_minor
        return Approved(
            amount_minor=booked or 0,
            auth_code=status.auth_code,
            masked_pan=status.masked_pan,
            brand=status.brand,
            terminal_id=status.terminal_id,
            trace_no=status.trace_no,
            receipt_no=status.receipt_no,
            date=status.date,
            time=status.time,
            receipt_lines=lines,
        )
    message = result_message(code)
    if code == ABORTED:
        return Aborted(code, message, lines)
    return Declined(
        result_code=code,
        message=message,
        amount_minor=status.amount_minor if status else amount_minor,
        terminal_id=status.terminal_id if status else None,
        trace_no=status.trace_no if status else None,
        receipt_no=status.receipt_no if status else None,
        receipt_lines=lines,
    )


def end_of_day_result(talk: Conversation) -> EndOfDay:
    status = talk.status
    code = failure_code(talk)
    if code is not None or status is None:
        code = ABORTED if code is None else code
        raise TerminalRefused(NAME, f"end-of-day closing failed: {result_message(code)}", code=code)
    totals = status.totals
    return EndOfDay(
        total_minor=status.amount_minor or 0,
        by_card=totals.by_card if totals else (),
        receipt_from=totals.receipt_from if totals else None,
        receipt_to=totals.receipt_to if totals else None,
        terminal_id=status.terminal_id,
        trace_no=status.trace_no,
        receipt_lines=tuple(talk.lines),
    )


def terminal_status(talk: Conversation) -> TerminalStatus:
    done = talk.completion or Completion()
    code = done.terminal_status
    if code is None and talk.status is not None:
        code = talk.status.result_code
    text = "Unknown" if code is None else TERMINAL_STATUS.get(code, f"Status {code:02X}")
    return TerminalStatus(code, text, done.software)
