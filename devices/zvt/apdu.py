"""ZVT application protocol data units: ``class instruction length data``.

Every ZVT message (PA00P015, "Commands, Bitmaps, Error-Messages") is one APDU: a control field
of two bytes (class, instruction; e.g. 06 01 Authorization, 04 0F Status-Information), the
length of the data, then the data. The length is one byte for up to 254 bytes; from 255 bytes
on it is ``FF`` followed by two bytes little-endian (a print text block from a terminal starts
``06 D3 FF 8E 02`` for 654 bytes of data, as in Portalum.Zvt's PrintTextBlockTest).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.errors import DeviceProtocolError

NAME = "Card terminal"
MAX_DATA = 0xFFFF


@dataclass(frozen=True)
class Apdu:
    cls: int
    ins: int
    data: bytes = field(default=b"", repr=False)  # may hold card data: kept out of logs

    def __post_init__(self) -> None:
        if not (0 <= self.cls <= 0xFF and 0 <= self.ins <= 0xFF):
            raise ValueError(f"control field out of range: {self.cls:#x} {self.ins:#x}")
        if len(self.data) > MAX_DATA:
            raise ValueError(f"APDU data too long: {len(self.data)} bytes")

    @property
    def command(self) -> tuple[int, int]:
        return self.cls, self.ins

    def encode(self) -> bytes:
        size = len(self.data)
        short = size < 0xFF
        length = bytes([size]) if short else bytes([0xFF]) + size.to_bytes(2, "little")
        return bytes([self.cls, self.ins]) + length + self.data

    @classmethod
    def decode(cls, raw: bytes) -> Apdu:
        """The APDU in ``raw``, which must hold exactly one; DeviceProtocolError otherwise."""
        if len(raw) < 3:
            raise DeviceProtocolError(NAME, f"sent a message too short to read ({len(raw)} bytes)")
        size, start = raw[2], 3
        if size == 0xFF:
            if len(raw) < 5:
                raise DeviceProtocolError(NAME, "sent a message with a broken length")
            size, start = int.from_bytes(raw[3:5], "little"), 5
        if len(raw) != start + size:
            raise DeviceProtocolError(
                NAME,
                f"sent a message of {len(raw) - start} data bytes that announced {size}",
            )
        return cls(raw[0], raw[1], bytes(raw[start:]))

    def __str__(self) -> str:
        return f"APDU {self.cls:02X} {self.ins:02X} ({len(self.data)} bytes)"
