"""The messages a ZVT payment terminal sends the till, parsed.

``04 FF`` Intermediate Status (status code, optional timeout byte, optional TLV with the
display text), ``04 0F`` Status-Information (BMP fields; ``27`` the result code), ``06 D1``
Print Line (attribute byte, then text), ``06 D3`` Print Text-Block (TLV: ``1F07`` receipt
type, ``25`` with ``07`` text lines), ``06 0F`` Completion (the till is master again),
``06 1E`` Abort (``<result code>``), and the acknowledgements ``80 00 00`` / ``84 xx 00``.
The texts of result and status codes come from :mod:`devices.zvt.codes`; the commands the
till sends are in :mod:`devices.zvt.commands`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.errors import DeviceProtocolError
from devices.zvt import bmp
from devices.zvt.apdu import Apdu
from devices.zvt.codes import CARD_TYPES, STATUS_TEXTS, result_message, status_text

# BMP 60 of the End-of-Day status: receipt numbers from/to, then (count, turnover) per group.
TOTAL_GROUPS = ("girocard", "JCB", "Mastercard", "American Express", "VISA", "Diners", "Other")


@dataclass(frozen=True)
class Acknowledgement:
    code: int  # 0: positive

    @property
    def positive(self) -> bool:
        return self.code == 0

    @property
    def message(self) -> str:
        return result_message(self.code)


@dataclass(frozen=True)
class IntermediateStatus:
    code: int
    text: str


@dataclass(frozen=True)
class CardTotal:
    name: str
    count: int
    amount_minor: int


@dataclass(frozen=True)
class Totals:
    receipt_from: int | None
    receipt_to: int | None
    by_card: tuple[CardTotal, ...]


@dataclass(frozen=True)
class StatusInformation:
    """BMP fields of a ``04 0F``; ``masked_pan`` holds at most BIN + last four digits."""

    result_code: int | None = None
    amount_minor: int | None = None
    currency: int | None = None
    trace_no: int | None = None
    original_trace_no: int | None = None
    receipt_no: int | None = None
    turnover_no: int | None = None
    terminal_id: str | None = None
    vu_number: str | None = None
    date: str | None = None  # MMDD
    time: str | None = None  # HHMMSS
    payment_type: int | None = None
    card_type: int | None = None
    card_name: str | None = None
    masked_pan: str | None = None
    auth_code: str | None = None
    additional_text: str | None = None
    totals: Totals | None = None

    @property
    def brand(self) -> str | None:
        if self.card_name:
            return self.card_name
        return CARD_TYPES.get(self.card_type) if self.card_type is not None else None


@dataclass(frozen=True)
class PrintLine:
    attribute: int
    text: str

    @property
    def lines(self) -> tuple[str, ...]:
        if self.attribute == 0xFF:  # line feeds; the count is the first text byte
            feeds = ord(self.text[0]) if self.text else 1
            return ("",) * min(feeds, 10)
        return (self.text,)


@dataclass(frozen=True)
class PrintTextBlock:
    receipt_type: int | None
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Completion:
    terminal_id: str | None = None
    status_byte: int | None = None
    software: str | None = None
    terminal_status: int | None = None


@dataclass(frozen=True)
class Abort:
    code: int

    @property
    def message(self) -> str:
        return result_message(self.code)


@dataclass(frozen=True)
class Other:
    """A message the till has no use for (display texts, menus); acknowledged and ignored."""

    apdu: Apdu = field(repr=False)


TerminalMessage = (
    Acknowledgement
    | IntermediateStatus
    | StatusInformation
    | PrintLine
    | PrintTextBlock
    | Completion
    | Abort
    | Other
)


def parse(apdu: Apdu, *, after_status_enquiry: bool = False) -> TerminalMessage:
    """The terminal message in ``apdu``. DeviceProtocolError if a Status-Information, whose
    fields decide a payment, cannot be read; the other messages are read leniently."""
    command, data = apdu.command, apdu.data
    if command == (0x80, 0x00):
        return Acknowledgement(0)
    if apdu.cls == 0x84:
        return Acknowledgement(apdu.ins)
    if command == (0x04, 0x0F):
        return parse_status_information(data)
    if command == (0x04, 0xFF):
        return _intermediate(data)
    if command == (0x06, 0xD1):
        attribute = data[0] if data else 0
        return PrintLine(attribute, bmp.scrub_text(data[1:].decode(bmp.TEXT_ENCODING).rstrip()))
    if command == (0x06, 0xD3):
        return _text_block(data)
    if command == (0x06, 0x0F):
        return _completion(data, after_status_enquiry)
    if command == (0x06, 0x1E):
        return Abort(data[0] if data else 0xFF)
    return Other(apdu)


def parse_status_information(data: bytes) -> StatusInformation:
    values: dict[str, object] = {}
    for tag, value in bmp.read_fields(data):
        if tag == 0x27:
            values["result_code"] = value[0]
        elif tag == 0x04:
            values["amount_minor"] = bmp.bcd_int(value)
        elif tag == 0x49:
            values["currency"] = bmp.bcd_int(value)
        elif tag == 0x0B:
            values["trace_no"] = bmp.bcd_int(value)
        elif tag == 0x37:
            values["original_trace_no"] = bmp.bcd_int(value)
        elif tag == 0x87:
            values["receipt_no"] = bmp.bcd_int(value)
        elif tag == 0x88:
            values["turnover_no"] = bmp.bcd_int(value)
        elif tag == 0x29:
            values["terminal_id"] = bmp.bcd_digits(value)
        elif tag == 0x2A:
            values["vu_number"] = bmp.text(value)
        elif tag == 0x0D:
            values["date"] = bmp.bcd_digits(value)
        elif tag == 0x0C:
            values["time"] = bmp.bcd_digits(value)
        elif tag == 0x19:
            values["payment_type"] = value[0]
        elif tag == 0x8A:
            values["card_type"] = value[0]
        elif tag == 0x8B:
            values["card_name"] = bmp.text(value) or None
        elif tag == 0x22:
            values["masked_pan"] = bmp.masked_pan(value)
        elif tag == 0x3B:
            values["auth_code"] = _auth_code(value)
        elif tag == 0x3C:
            values["additional_text"] = bmp.scrub_text(bmp.text(value.replace(b"\r", b"\n")))
        elif tag == 0x60:
            values["totals"] = _totals(value)
        # Track data (23, 24, 2D), expiry and the rest are not kept.
    return StatusInformation(**values)  # type: ignore[arg-type]


def _auth_code(value: bytes) -> str | None:
    raw = value.rstrip(b"\x00")
    if raw and all(0x20 <= b < 0x7F for b in raw):
        return raw.decode("ascii").strip() or None
    return raw.hex().upper() or None


def _totals(value: bytes) -> Totals:
    receipt_from = bmp.bcd_int(value[0:2]) if len(value) >= 2 else None
    receipt_to = bmp.bcd_int(value[2:4]) if len(value) >= 4 else None
    groups: list[CardTotal] = []
    for index, name in enumerate(TOTAL_GROUPS):
        start = 4 + index * 7
        if len(value) < start + 7:
            break
        count, amount = value[start], bmp.bcd_int(value[start + 1 : start + 7])
        if count or amount:
            groups.append(CardTotal(name, count, amount))
    return Totals(receipt_from, receipt_to, tuple(groups))


def _intermediate(data: bytes) -> IntermediateStatus:
    if not data:
        return IntermediateStatus(0xFF, status_text(0xFF))
    code, rest = data[0], data[1:]
    display: list[str] = []
    if rest and not _is_tlv_field(rest):
        rest = rest[1:]  # the optional timeout byte
    if _is_tlv_field(rest):
        try:
            for tag, value in bmp.read_fields(rest):
                if tag == 0x06:
                    display += [bmp.text(v) for t, v in bmp.iter_tlv(value) if t == 0x07]
        except DeviceProtocolError:
            display = []
    known = code in STATUS_TEXTS or 0x41 <= code <= 0x67
    text = status_text(code) if known or not any(display) else " ".join(d for d in display if d)
    return IntermediateStatus(code, text)


def _is_tlv_field(data: bytes) -> bool:
    if len(data) < 2 or data[0] != 0x06:
        return False
    try:
        size, taken = bmp.ber_length(data, 1)
    except DeviceProtocolError:
        return False
    return 1 + taken + size == len(data)


def _text_block(data: bytes) -> PrintTextBlock:
    receipt_type: int | None = None
    lines: list[str] = []
    try:
        for tag, value in bmp.read_fields(data):
            if tag != 0x06:
                continue
            for item, content in bmp.iter_tlv(value):
                if item == 0x1F07 and content:
                    receipt_type = content[0]
                elif item == 0x07:
                    lines.append(bmp.scrub_text(content.decode(bmp.TEXT_ENCODING).rstrip()))
    except DeviceProtocolError:
        pass  # keep the lines read so far; a receipt is not worth failing a payment for
    return PrintTextBlock(receipt_type, tuple(lines))


def _completion(data: bytes, after_status_enquiry: bool) -> Completion:
    software: str | None = None
    terminal_status: int | None = None
    pos = 0
    if after_status_enquiry:
        if len(data) >= 3 and all(b >> 4 == 0xF for b in data[:3]):
            size = bmp.var_length(data[:3])
            software, pos = bmp.text(data[3 : 3 + size]), 3 + size
        if pos < len(data):
            terminal_status, pos = data[pos], pos + 1
    terminal_id: str | None = None
    status_byte: int | None = None
    try:
        for tag, value in bmp.read_fields(data, pos):
            if tag == 0x29:
                terminal_id = bmp.bcd_digits(value)
            elif tag == 0x19:
                status_byte = value[0]
    except DeviceProtocolError:
        pass  # the completion's extras are informative; the command itself has finished
    return Completion(terminal_id, status_byte, software, terminal_status)
