"""ZVT data fields ("bitmaps", BMP): a one-byte tag, then a value whose length the tag fixes.

Lengths and encodings (PA00P015 "Summary of utilised BMPs", cross-checked against ecrterm's
``bitmaps.py``, Portalum.Zvt's ``BmpParser.cs`` and kotlin-zvt-library's constants):

- ``04`` amount: 6 bytes BCD, minor units (``00 00 00 00 10 00`` = 10.00).
- ``0B`` trace number 3 BCD; ``0C`` time HHMMSS 3 BCD; ``0D`` date MMDD 2 BCD; ``0E`` expiry
  YYMM 2 BCD; ``17`` card sequence number 2 BCD; ``29`` terminal id 4 BCD (8 digits);
  ``49`` currency 2 BCD (``09 78`` = EUR); ``87`` receipt number 2 BCD; ``88`` turnover
  record number 3 BCD; ``AA`` date YYMMDD 3 BCD; ``37`` original trace number 3 BCD.
- One binary byte: ``01`` timeout, ``02`` max. status infos, ``03`` service byte, ``05``
  pump, ``19`` payment type, ``27`` result code, ``8A`` card type, ``8C`` card-type id of
  the network operator, ``A0`` result code of the authorisation system.
- ``2A`` VU number 15 ASCII; ``3B`` AID / authorisation attribute 8 bytes (terminals put the
  authorisation code there as ASCII, zero padded); ``BA`` AID parameter 5 bytes.
- LLVAR: two length bytes ``Fx Fy`` = decimal xy, then the value: ``22`` PAN (BCD, ``E`` a
  masked digit, ``F`` padding), ``23`` track 2, ``2D`` track 1, ``8B`` card name, ``A7``.
  LLLVAR: ``Fx Fy Fz``: ``24`` track 3, ``2E``, ``3C`` additional text, ``60`` individual
  totals, ``92``, ``9A``, ``AF``.
- ``06`` TLV container: a BER length (``< 80`` one byte, ``81 nn``, ``82 nn nn`` big-endian;
  Portalum's print text block ``06 82 02 8A`` holds 650 bytes), then BER-TLV items whose
  tag's bit 0x20 marks a constructed item.

A field whose tag is not in :data:`FIELDS` cannot be skipped (its length is unknown), so it
ends the parse with :class:`~devices.errors.DeviceProtocolError`.

Card numbers: :func:`masked_pan` turns BMP 22 into at most the first six and last four
digits; track data is never decoded. Nothing here returns a full card number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from devices.errors import DeviceProtocolError
from devices.zvt.apdu import NAME

LL: Final = -2
LLL: Final = -3
TLV: Final = 0

# tag -> fixed length, or LL / LLL / TLV
FIELDS: dict[int, int] = {
    0x01: 1, 0x02: 1, 0x03: 1, 0x04: 6, 0x05: 1, 0x06: TLV,
    0x0B: 3, 0x0C: 3, 0x0D: 2, 0x0E: 2, 0x17: 2, 0x19: 1,
    0x22: LL, 0x23: LL, 0x24: LLL, 0x27: 1, 0x29: 4, 0x2A: 15, 0x2D: LL, 0x2E: LLL,
    0x37: 3, 0x3A: 2, 0x3B: 8, 0x3C: LLL, 0x3D: 3, 0x49: 2, 0x4C: LL,
    0x60: LLL, 0x87: 2, 0x88: 3, 0x8A: 1, 0x8B: LL, 0x8C: 1,
    0x92: LLL, 0x9A: LLL, 0xA0: 1, 0xA7: LL, 0xAA: 3, 0xAF: LLL, 0xBA: 5,
    0xD0: 1, 0xD1: LL, 0xD2: 1, 0xD3: 1, 0xE0: 1,
    0xE1: LL, 0xE2: LL, 0xE3: LL, 0xE4: LL, 0xE5: LL, 0xE6: LL, 0xE7: LL, 0xE8: LL,
    0xE9: 1, 0xEA: 1, 0xEB: 8, 0xF0: 1,
    0xF1: LL, 0xF2: LL, 0xF3: LL, 0xF4: LL, 0xF5: LL, 0xF6: LL, 0xF7: LL, 0xF8: LL,
    0xF9: 1, 0xFA: 1, 0xFB: 1, 0xFC: 1, 0xFD: 1,
}  # fmt: skip

TEXT_ENCODING = "cp437"  # the ZVT default character set for receipts and display texts


# -- BCD --------------------------------------------------------------------------------------


def bcd(number: int | str, size: int) -> bytes:
    """``number`` as ``size`` bytes of packed BCD, zero-padded on the left."""
    digits = str(number)
    if not digits.isdigit() or len(digits) > size * 2:
        raise ValueError(f"{number!r} does not fit {size} BCD bytes")
    return bytes.fromhex(digits.rjust(size * 2, "0"))


def bcd_digits(value: bytes) -> str:
    text = value.hex()
    if not text.isdigit():
        raise DeviceProtocolError(NAME, f"sent {value.hex(' ')} where digits belong")
    return text


def bcd_int(value: bytes) -> int:
    return int(bcd_digits(value))


def amount_field(amount_minor: int) -> bytes:
    if not 0 <= amount_minor <= 999_999_999_999:
        raise ValueError(f"amount out of range: {amount_minor}")
    return bytes([0x04]) + bcd(amount_minor, 6)


# -- variable lengths -------------------------------------------------------------------------


def var_prefix(size: int, digits: int) -> bytes:
    """LLVAR/LLLVAR length: each decimal digit as ``F<digit>``."""
    text = str(size).rjust(digits, "0")
    if len(text) > digits:
        raise ValueError(f"{size} bytes do not fit a {'L' * digits}VAR")
    return bytes(0xF0 | int(d) for d in text)


def var_length(raw: bytes) -> int:
    if any(b >> 4 != 0xF or b & 0x0F > 9 for b in raw):
        raise DeviceProtocolError(NAME, f"sent a broken length {raw.hex(' ')}")
    return int("".join(str(b & 0x0F) for b in raw))


def ber_length(data: bytes, pos: int) -> tuple[int, int]:
    """A BER length at ``pos``: (length, bytes the length itself takes)."""
    if pos >= len(data):
        raise DeviceProtocolError(NAME, "sent a TLV container cut short")
    first = data[pos]
    if first < 0x80:
        return first, 1
    count = first & 0x7F
    if count not in (1, 2) or pos + 1 + count > len(data):
        raise DeviceProtocolError(NAME, f"sent a TLV length it cannot use ({first:#04x})")
    return int.from_bytes(data[pos + 1 : pos + 1 + count], "big"), 1 + count


def ber_length_bytes(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    if size <= 0xFF:
        return bytes([0x81, size])
    return bytes([0x82]) + size.to_bytes(2, "big")


# -- fields -----------------------------------------------------------------------------------


def read_fields(data: bytes, start: int = 0) -> list[tuple[int, bytes]]:
    """Split ``data[start:]`` into (tag, value) pairs; values without their length prefix."""
    fields: list[tuple[int, bytes]] = []
    pos = start
    while pos < len(data):
        tag = data[pos]
        kind = FIELDS.get(tag)
        if kind is None:
            raise DeviceProtocolError(
                NAME, f"sent field {tag:02X}, whose length is unknown (at byte {pos})"
            )
        pos += 1
        if kind == TLV:
            size, taken = ber_length(data, pos)
        elif kind in (LL, LLL):
            taken = -kind
            if pos + taken > len(data):
                raise DeviceProtocolError(NAME, f"sent field {tag:02X} cut short")
            size = var_length(data[pos : pos + taken])
        else:
            size, taken = kind, 0
        pos += taken
        if pos + size > len(data):
            raise DeviceProtocolError(NAME, f"sent field {tag:02X} cut short")
        fields.append((tag, data[pos : pos + size]))
        pos += size
    return fields


def field(tag: int, value: bytes) -> bytes:
    """Encode one field with the prefix its tag calls for."""
    kind = FIELDS[tag]
    if kind == TLV:
        return bytes([tag]) + ber_length_bytes(len(value)) + value
    if kind in (LL, LLL):
        return bytes([tag]) + var_prefix(len(value), -kind) + value
    if len(value) != kind:
        raise ValueError(f"field {tag:02X} takes {kind} bytes, not {len(value)}")
    return bytes([tag]) + value


# -- TLV --------------------------------------------------------------------------------------


def tlv_item(tag: int, value: bytes) -> bytes:
    size = max(1, (tag.bit_length() + 7) // 8)
    return tag.to_bytes(size, "big") + ber_length_bytes(len(value)) + value


MAX_TLV_DEPTH = 16  # real terminals nest two or three levels


def iter_tlv(data: bytes, _depth: int = 0) -> Iterator[tuple[int, bytes]]:
    """Every (tag, value) in a TLV body, depth first; constructed items and then their parts."""
    if _depth > MAX_TLV_DEPTH:
        raise DeviceProtocolError(NAME, f"sent TLV data nested deeper than {MAX_TLV_DEPTH}")
    pos = 0
    while pos < len(data):
        start = pos
        first = data[pos]
        pos += 1
        if first & 0x1F == 0x1F:  # more tag bytes follow while bit 8 is set
            while pos < len(data) and data[pos] & 0x80:
                pos += 1
            pos += 1
        if pos > len(data):
            raise DeviceProtocolError(NAME, "sent a TLV tag cut short")
        tag = int.from_bytes(data[start:pos], "big")
        size, taken = ber_length(data, pos)
        pos += taken
        if pos + size > len(data):
            raise DeviceProtocolError(NAME, f"sent TLV item {tag:X} cut short")
        value = data[pos : pos + size]
        pos += size
        yield tag, value
        if first & 0x20:
            yield from iter_tlv(value, _depth + 1)


def text(value: bytes) -> str:
    """A text field: the ZVT character set, without the zero padding some terminals add."""
    return value.split(b"\x00", 1)[0].decode(TEXT_ENCODING).strip()


# -- card numbers -----------------------------------------------------------------------------

_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")


def mask_digits(pan: str) -> str:
    """At most the first six (BIN) and last four digits; ``*`` for the rest.

    Numbers shorter than 13 digits keep only the last four, so that BIN and last four
    together never add up to the whole number.
    """
    size = len(pan)
    if size <= 4:
        return "*" * size
    first = 6 if size >= 13 else 0
    return pan[:first] + "*" * (size - first - 4) + pan[-4:]


def masked_pan(value: bytes) -> str | None:
    """BMP 22 (BCD; ``E`` masked digit, ``F`` padding, ``D`` field separator) reduced to
    BIN + last four, whether the terminal masked it or not."""
    chars: list[str] = []
    for nibble in value.hex().upper():
        if nibble == "F" or nibble == "D":
            break
        chars.append(nibble if nibble.isdigit() else "*")
    return mask_digits("".join(chars)) if chars else None


def scrub_text(line: str) -> str:
    """``line`` with every run of 13–19 digits masked to BIN + last four.

    Receipt lines come from the terminal and should already be masked; this makes sure a
    terminal that prints the whole number still cannot put it into our records.
    """

    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        return mask_digits(digits)

    return _DIGIT_RUN.sub(mask, line)
