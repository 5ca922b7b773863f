"""ZVT commands the till sends, and the messages a payment terminal sends back.

Commands (PA00P015; byte layouts checked against ecrterm's and Portalum.Zvt's tests):

- ``06 00`` Registration: ``<password 3 BCD> <config byte> [<currency 2 BCD>]`` — the
  currency follows the config byte *without* a tag (ecrterm parses ``06 00 06 98 76 54 41
  09 78``). Config ``BE``: the till prints payment and administration receipts (the terminal
  sends them as print lines), wants intermediate statuses, and controls payment and
  administration (amount entry on the terminal is locked).
- ``06 01`` Authorization: ``04 <amount>`` ``[49 <currency>]`` ``[19 <payment type>]``; no
  password. Portalum's ZvtClientTest sends 10.00 as ``06 01 07 04 00 00 00 00 10 00``.
- ``06 30`` Reversal: ``<password> 87 <receipt number 2 BCD>``.
- ``06 31`` Refund: ``<password> 04 <amount>`` ``[49 <currency>]``.
- ``06 50`` End-of-Day, ``05 01`` Status Enquiry: ``<password>``.
- ``06 20`` Repeat Receipt: ``<password> 03 <service byte>``; bit 0 asks for the
  Status-Information of the last transaction again, bit 1 suppresses the receipt.
- ``06 B0 00`` Abort (allowed while the terminal is master), ``06 02 00`` Log-Off.
- ``80 00 00`` positive acknowledgement; ``84 xx 00`` negative, ``xx`` an error code
  (``84 00`` also means positive, ``84 9C`` "busy, repeat later").

Terminal messages: ``04 FF`` Intermediate Status (status code, optional timeout byte,
optional TLV with the display text), ``04 0F`` Status-Information (BMP fields; ``27`` the
result code), ``06 D1`` Print Line (attribute byte, then text), ``06 D3`` Print Text-Block
(TLV: ``1F07`` receipt type, ``25`` with ``07`` text lines), ``06 0F`` Completion (the till
is master again), ``06 1E`` Abort (``<result code>``). The code tables follow the spec's
"Error-Messages" and "Intermediate Status" chapters, reworded for the person at the counter.
Result codes 01–63 hex come from the card issuer's host; they carry the ISO 8583 response
code in binary (decimal 1–99), of which only the common ones are named here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.errors import DeviceProtocolError
from devices.zvt import bmp
from devices.zvt.apdu import Apdu

CONFIG_ECR_CONTROLLED = 0xBE
EUR = 978
ABORTED = 0x6C
BUSY = 0x9C
PROTOCOL_ERROR = 0x9A

ACK = Apdu(0x80, 0x00)


def negative_ack(code: int) -> Apdu:
    return Apdu(0x84, code, b"")


# -- code tables ------------------------------------------------------------------------------

_HOST_CODES = {
    5: "Declined by the card issuer",
    51: "Declined: not enough funds",
    54: "Declined: the card has expired",
    55: "Declined: wrong PIN",
}

RESULT_MESSAGES: dict[int, str] = {
    0x00: "Approved",
    0x64: "Card not readable; ask the customer to try again or use another card",
    0x65: "No card data found; insert the card again",
    0x66: "Card reader problem; try again",
    0x67: "Not allowed for girocard or Maestro cards",
    0x68: "Not allowed for credit cards",
    0x6A: "The terminal's transaction memory is full; run the end-of-day closing",
    0x6B: "The terminal is not logged on; try again",
    ABORTED: "Cancelled on the terminal (by the customer or a timeout)",
    0x6E: "The card is blocked",
    0x6F: "Wrong currency",
    0x71: "Not enough credit on the card",
    0x72: "Chip error; insert the card again",
    0x73: "Card data incorrect",
    0x74: "Terminal security keys used up; call the terminal helpdesk",
    0x77: "End-of-day closing not possible",
    0x78: "The card has expired",
    0x79: "The card is not valid yet",
    0x7A: "Card unknown",
    0x7B: "Magnetic stripe not possible; use the chip",
    0x7C: "Magnetic stripe not possible; use the chip",
    0x7D: "The terminal cannot reach the payment network",
    0x7E: "Magnetic stripe not possible; use the chip",
    0x83: "The terminal cannot do this",
    0x85: "Terminal key missing; call the terminal helpdesk",
    0x89: "PIN pad defective; call the terminal helpdesk",
    PROTOCOL_ERROR: "Communication error between till and terminal",
    0x9B: "The terminal's network connection failed",
    BUSY: "The terminal is busy; wait a moment and try again",
    0xA0: "The payment network is not ready; try again later",
    0xA1: "The payment network does not answer; try again later",
    0xA3: "The terminal has no connection to the payment network",
    0xA5: "Not allowed by card security rules",
    0xB1: "Terminal memory full; run the end-of-day closing",
    0xB2: "Terminal journal full; run the end-of-day closing",
    0xB4: "Already reversed",
    0xB5: "This payment cannot be reversed",
    0xB7: "Amount wrong or too high",
    0xBF: "Terminal power supply too low",
    0xC2: "The terminal needs a diagnosis; call the terminal helpdesk",
    0xC3: "Maximum amount exceeded",
    0xC5: "Payment method not supported",
    0xC6: "Currency not accepted",
    0xC8: "Amount too small",
    0xCC: "Terminal printer not ready",
    0xCD: "Cashback not possible",
    0xDC: "A card is still in the terminal; remove it",
    0xE2: "Card reader defective; call the terminal helpdesk",
    0xE4: "The terminal needs activation; call the terminal helpdesk",
    0xEC: "PIN entry not possible",
    0xED: "PIN pad defective; call the terminal helpdesk",
    0xF0: "An end-of-day closing is pending; run it first",
    0xFF: "Terminal system error",
}


def result_message(code: int) -> str:
    if code in RESULT_MESSAGES:
        return RESULT_MESSAGES[code]
    if 0x01 <= code <= 0x63:
        return _HOST_CODES.get(code, f"Declined by the bank (code {code:02d})")
    return f"Terminal error {code:02X}"


_STATUS_TEXTS: dict[int, str] = {
    0x00: "Waiting for the customer to confirm the amount",
    0x01: "Enter PIN",
    0x02: "Enter PIN",
    0x03: "Not accepted",
    0x04: "Waiting for the bank",
    0x05: "Sending an automatic reversal",
    0x06: "Sending stored transactions",
    0x07: "Card not accepted",
    0x08: "Card unknown",
    0x09: "Card expired",
    0x0A: "Insert card",
    0x0B: "Remove card",
    0x0C: "Card not readable",
    0x0D: "Processing error",
    0x0E: "Please wait",
    0x0F: "Terminal is running its end-of-day closing",
    0x10: "Invalid card",
    0x11: "Showing the balance",
    0x12: "System malfunction",
    0x13: "Payment not possible",
    0x14: "Not enough credit",
    0x15: "Wrong PIN",
    0x16: "Limit not sufficient",
    0x17: "Please wait",
    0x18: "Too many wrong PINs",
    0x19: "Card data incorrect",
    0x1A: "Service mode",
    0x1B: "Approved",
    0x1C: "Approved",
    0x1D: "Declined",
    0x26: "Waiting for the mobile number",
    0x27: "Waiting for the mobile number again",
    0x28: "Selecting the currency",
    0x29: "Selecting the language",
    0x2A: "Insert card to load",
    0x2B: "Emergency transaction, please wait",
    0x2C: "Selecting the card application",
    0x68: "Card inserted",
    0x69: "Customer chooses the currency",
    0xC7: "Waiting for the mileage",
    0xC8: "Waiting for the cashier",
    0xC9: "Terminal is running a diagnosis",
    0xCA: "Terminal is initialising",
    0xCB: "Merchant journal full",
    0xCC: "PIN required",
    0xD2: "Connecting",
    0xD3: "Connected",
    0xE0: "Selecting the card application",
    0xE1: "Selecting the language",
    0xE2: "Terminal asks for the cleaning card",
    0xF1: "Offline",
    0xF2: "Online",
    0xF3: "Offline transaction",
}


def status_text(code: int) -> str:
    """What an intermediate status code means, for the live line under the payment."""
    if code in _STATUS_TEXTS:
        return _STATUS_TEXTS[code]
    if 0x41 <= code <= 0x67:  # the 0x0n/0x2n texts plus "please remove card"
        base = _STATUS_TEXTS.get(code - 0x40)
        return f"{base} — remove card" if base and code not in (0x4A, 0x4B) else "Remove card"
    return "Please wait"


TERMINAL_STATUS: dict[int, str] = {
    0x00: "Ready",
    0x51: "Initialisation required",
    0x62: "Date or time incorrect",
    0x9C: "Busy, please wait",
    0xB1: "Memory full",
    0xB2: "Merchant journal full",
    0xBF: "Power supply too low",
    0xC0: "Card lock defective",
    0xC1: "Merchant card locked",
    0xC2: "Diagnosis required",
    0xC4: "Card profiles invalid",
    0xCC: "Printer not ready",
    0xDC: "Card inserted",
    0xDF: "Out of order",
    0xE0: "Remote maintenance active",
    0xE1: "Card not completely removed",
    0xE2: "Card reader defective",
    0xE3: "Shutter closed",
    0xF6: "Personalisation required",
}

# ZVT card-type ids (BMP 8A) seen next to a card name (8B) in logged transactions; the name
# is preferred whenever the terminal sends one.
CARD_TYPES = {0x06: "Mastercard", 0x0A: "VISA"}

# BMP 60 of the End-of-Day status: receipt numbers from/to, then (count, turnover) per group.
TOTAL_GROUPS = ("girocard", "JCB", "Mastercard", "American Express", "VISA", "Diners", "Other")


# -- commands ---------------------------------------------------------------------------------


def password_bytes(password: str) -> bytes:
    if len(password) != 6 or not password.isdigit():
        raise ValueError("the terminal password has six digits")
    return bmp.bcd(password, 3)


def registration(
    password: str, *, config: int = CONFIG_ECR_CONTROLLED, currency: int | None = EUR
) -> Apdu:
    data = password_bytes(password) + bytes([config])
    if currency is not None:
        data += bmp.bcd(currency, 2)
    return Apdu(0x06, 0x00, data)


def _money(amount_minor: int, currency: int | None) -> bytes:
    if amount_minor <= 0:
        raise ValueError(f"amount must be positive: {amount_minor}")
    data = bmp.amount_field(amount_minor)
    if currency is not None:
        data += bmp.field(0x49, bmp.bcd(currency, 2))
    return data


def authorization(
    amount_minor: int, *, currency: int | None = None, payment_type: int | None = None
) -> Apdu:
    data = _money(amount_minor, currency)
    if payment_type is not None:
        data += bmp.field(0x19, bytes([payment_type]))
    return Apdu(0x06, 0x01, data)


def reversal(password: str, receipt_no: int) -> Apdu:
    if not 0 <= receipt_no <= 9999:
        raise ValueError(f"receipt number out of range: {receipt_no}")
    return Apdu(0x06, 0x30, password_bytes(password) + bmp.field(0x87, bmp.bcd(receipt_no, 2)))


def refund(password: str, amount_minor: int, *, currency: int | None = None) -> Apdu:
    return Apdu(0x06, 0x31, password_bytes(password) + _money(amount_minor, currency))


def end_of_day(password: str) -> Apdu:
    return Apdu(0x06, 0x50, password_bytes(password))


def status_enquiry(password: str) -> Apdu:
    return Apdu(0x05, 0x01, password_bytes(password))


def repeat_receipt(password: str, *, status_information: bool = True, receipt: bool = True) -> Apdu:
    service = (0x01 if status_information else 0) | (0 if receipt else 0x02)
    return Apdu(0x06, 0x20, password_bytes(password) + bmp.field(0x03, bytes([service])))


def abort() -> Apdu:
    return Apdu(0x06, 0xB0)


def log_off() -> Apdu:
    return Apdu(0x06, 0x02)


# -- terminal messages ------------------------------------------------------------------------


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
    known = code in _STATUS_TEXTS or 0x41 <= code <= 0x67
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
