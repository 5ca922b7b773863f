"""ZVT commands the till sends, and the acknowledgements both sides send.

Byte layouts (PA00P015; checked against ecrterm's and Portalum.Zvt's tests):

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
"""

from __future__ import annotations

from devices.zvt import bmp
from devices.zvt.apdu import Apdu

CONFIG_ECR_CONTROLLED = 0xBE
EUR = 978

ACK = Apdu(0x80, 0x00)


def negative_ack(code: int) -> Apdu:
    return Apdu(0x84, code, b"")


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
