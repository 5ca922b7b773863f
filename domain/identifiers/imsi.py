"""IMSI: MCC (3 digits) + MNC (2 or 3 digits) + MSIN; at most 15 digits."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationError
from domain.identifiers._digits import only_digits

FIELD = "imsi"

# Countries whose networks use 3-digit MNCs (ITU-T E.212 list, abridged to common ones).
THREE_DIGIT_MNC_MCCS = frozenset(
    {"302", "310", "311", "312", "313", "314", "315", "316", "334", "338", "342", "344",
     "346", "348", "352", "354", "356", "358", "360", "365", "366", "376", "405", "708",
     "722", "732"}
)  # fmt: skip


@dataclass(frozen=True)
class Imsi:
    value: str
    mnc_length: int

    @property
    def mcc(self) -> str:
        return self.value[:3]

    @property
    def mnc(self) -> str:
        return self.value[3 : 3 + self.mnc_length]

    @property
    def msin(self) -> str:
        return self.value[3 + self.mnc_length :]

    def __str__(self) -> str:
        return self.value


def parse_imsi(text: str, *, mnc_length: int | None = None) -> Imsi:
    digits = only_digits(text, what="IMSI", field=FIELD)
    if not 6 <= len(digits) <= 15:
        raise ValidationError(f"An IMSI has 6 to 15 digits, not {len(digits)}.", field=FIELD)
    if digits[0] not in "234567":
        raise ValidationError(f"{digits[:3]} is not a mobile country code.", field=FIELD)
    if mnc_length is None:
        mnc_length = 3 if digits[:3] in THREE_DIGIT_MNC_MCCS else 2
    if mnc_length not in (2, 3):
        raise ValidationError("A network code (MNC) has 2 or 3 digits.", field=FIELD)
    return Imsi(digits, mnc_length)
