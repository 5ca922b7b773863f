"""ZVT result and status codes, worded for the person at the counter.

Result codes (of a Status-Information, an Abort or a negative acknowledgement), the
Intermediate Status codes shown while the customer acts, the terminal states of a Status
Enquiry, and card-type ids. The code tables follow the spec's "Error-Messages" and
"Intermediate Status" chapters, reworded for the person at the counter. Result codes 01–63
hex come from the card issuer's host; they carry the ISO 8583 response code in binary
(decimal 1–99), of which only the common ones are named here.
"""

from __future__ import annotations

ABORTED = 0x6C
BUSY = 0x9C
PROTOCOL_ERROR = 0x9A

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


STATUS_TEXTS: dict[int, str] = {
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
    if code in STATUS_TEXTS:
        return STATUS_TEXTS[code]
    if 0x41 <= code <= 0x67:  # the 0x0n/0x2n texts plus "please remove card"
        base = STATUS_TEXTS.get(code - 0x40)
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
