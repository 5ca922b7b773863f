"""What the simulated ZVT terminal sends back: its messages, Status-Information, receipts.

Builders for :class:`devices.zvt.simulator.TerminalSimulator`, kept apart from its state and
its line handling: each takes plain values (amounts in minor units, trace and receipt
numbers, the card) and returns an APDU, the BMP data of a Status-Information (04 0F) or the
lines of a receipt, byte for byte what a real terminal sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from devices.zvt import bmp, commands, messages
from devices.zvt.apdu import Apdu

PRINT_CENTRED = 0x40
SOFTWARE = b"SIM-1.0"
TITLES = {"payment": "Payment", "refund": "Refund", "reversal": "Reversal"}


# -- messages -----------------------------------------------------------------------------


def intermediate_status(code: int) -> Apdu:
    """Intermediate Status (04 FF): "Insert card", "Enter PIN", … on the till's display."""
    return Apdu(0x04, 0xFF, bytes([code]))


def status_information(data: bytes) -> Apdu:
    return Apdu(0x04, 0x0F, data)


def completion(terminal_id: str) -> Apdu:
    """Completion (06 0F) with the terminal id, ending a transaction or a closing."""
    return Apdu(0x06, 0x0F, bmp.field(0x29, bmp.bcd(terminal_id, 4)))


def registration_completion(terminal_id: str, command_data: bytes) -> Apdu:
    """Completion of Registration: status byte, terminal id and the till's currency back."""
    data = bmp.field(0x19, b"\x00") + bmp.field(0x29, bmp.bcd(terminal_id, 4))
    if len(command_data) >= 6:
        data += bmp.field(0x49, command_data[4:6])
    return Apdu(0x06, 0x0F, data)


def status_enquiry_completion() -> Apdu:
    """Completion of Status Enquiry: the software version, then terminal status 00 (ready)."""
    return Apdu(0x06, 0x0F, bmp.var_prefix(len(SOFTWARE), 3) + SOFTWARE + b"\x00")


def abort(code: int) -> Apdu:
    """Abort (06 1E) with its result code."""
    return Apdu(0x06, 0x1E, bytes([code]))


def print_line(text: str, attribute: int = 0x00) -> Apdu:
    return Apdu(0x06, 0xD1, bytes([attribute]) + text.encode(bmp.TEXT_ENCODING))


def print_lines(receipt: Iterable[str]) -> Iterator[Apdu]:
    """A receipt as Print Line messages, the first line centred."""
    for index, line in enumerate(receipt):
        yield print_line(line, PRINT_CENTRED if index == 0 else 0x00)


# -- Status-Information and receipts ------------------------------------------------------


def auth_code(trace: int) -> str:
    return f"{(trace * 7919) % 1000000:06d}"


def approval_status(
    amount: int,
    *,
    trace: int,
    receipt_no: int,
    now: datetime,
    terminal_id: str,
    card_number: str,
    card_type: int,
    card_name: str,
) -> bytes:
    return (
        bmp.field(0x27, b"\x00")
        + bmp.amount_field(amount)
        + bmp.field(0x49, bmp.bcd(commands.EUR, 2))
        + bmp.field(0x0B, bmp.bcd(trace, 3))
        + bmp.field(0x0C, bmp.bcd(now.strftime("%H%M%S"), 3))
        + bmp.field(0x0D, bmp.bcd(now.strftime("%m%d"), 2))
        + bmp.field(0x0E, bmp.bcd("2812", 2))
        + bmp.field(0x17, bmp.bcd(1, 2))
        + bmp.field(0x19, b"\x60")
        + bmp.field(0x22, card_number_bcd(card_number))
        + bmp.field(0x29, bmp.bcd(terminal_id, 4))
        + bmp.field(0x2A, b"SIMULATED VU   ")
        + bmp.field(0x3B, auth_code(trace).encode("ascii") + b"\x00\x00")
        + bmp.field(0x87, bmp.bcd(receipt_no, 2))
        + bmp.field(0x88, bmp.bcd(trace, 3))
        + bmp.field(0x8A, bytes([card_type]))
        + bmp.field(0x8B, card_name.encode("ascii") + b"\x00")
    )


def approval_receipt(
    kind: str,
    amount: int,
    *,
    trace: int,
    receipt_no: int,
    now: datetime,
    terminal_id: str,
    card_number: str,
    card_name: str,
) -> tuple[str, ...]:
    """The cardholder receipt of an approved payment, refund or reversal."""
    shown = bmp.masked_pan(card_number_bcd(card_number)) or ""
    return (
        "* * CARDHOLDER RECEIPT * *",
        "StoreDesk terminal simulator",
        f"Terminal-ID {terminal_id}",
        now.strftime("%d.%m.%Y      %H:%M:%S"),
        f"{TITLES[kind]}  {card_name}",
        f"Card  {shown}",
        f"Trace {trace:06d}  Receipt {receipt_no:04d}",
        f"Auth. code {auth_code(trace)}",
        f"AMOUNT EUR {money(amount)}",
        "APPROVED  -  Danke schön",
    )


def decline_status(code: int, amount: int, *, trace: int, terminal_id: str) -> bytes:
    return (
        bmp.field(0x27, bytes([code]))
        + (bmp.amount_field(amount) if amount else b"")
        + bmp.field(0x0B, bmp.bcd(trace, 3))
        + bmp.field(0x29, bmp.bcd(terminal_id, 4))
    )


def decline_receipt(amount: int) -> tuple[str, ...]:
    return ("* * CARDHOLDER RECEIPT * *", f"AMOUNT EUR {money(amount)}", "DECLINED")


def end_of_day_status(
    *,
    payments: int,
    total: int,
    receipt_numbers: list[int],
    card_type: int,
    trace: int,
    now: datetime,
    terminal_id: str,
) -> bytes:
    """The closing's Status-Information, with the totals (BMP 60) under the card's group."""
    group = messages.TOTAL_GROUPS.index("VISA" if card_type == 0x0A else "Other")
    totals = bmp.bcd(min(receipt_numbers), 2) + bmp.bcd(max(receipt_numbers), 2)
    for index in range(len(messages.TOTAL_GROUPS)):
        count, amount = (payments, max(total, 0)) if index == group else (0, 0)
        totals += bytes([count]) + bmp.bcd(amount, 6)
    return (
        bmp.field(0x27, b"\x00")
        + bmp.amount_field(max(total, 0))
        + bmp.field(0x0B, bmp.bcd(trace, 3))
        + bmp.field(0x0C, bmp.bcd(now.strftime("%H%M%S"), 3))
        + bmp.field(0x0D, bmp.bcd(now.strftime("%m%d"), 2))
        + bmp.field(0x29, bmp.bcd(terminal_id, 4))
        + bmp.field(0x60, totals)
    )


def end_of_day_receipt(payments: int, total: int) -> tuple[str, ...]:
    return ("* * END OF DAY * *", f"{payments} payments", f"EUR {money(total)}")


def card_number_bcd(number: str) -> bytes:
    digits = number if len(number) % 2 == 0 else number + "F"
    return bytes.fromhex(digits)


def money(amount_minor: int) -> str:
    sign = "-" if amount_minor < 0 else ""
    return f"{sign}{abs(amount_minor) // 100},{abs(amount_minor) % 100:02d}"
