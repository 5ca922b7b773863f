"""IMEI (15 digits, Luhn) and IMEISV (16 digits: 14-digit body + 2-digit software version).

An IMEISV is accepted and normalised to the device's IMEI (body + computed check digit).
The first 8 digits are the TAC, which identifies the device model.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationError
from domain.identifiers._digits import only_digits
from domain.identifiers.luhn import luhn_check_digit

FIELD = "imei"


@dataclass(frozen=True)
class Imei:
    value: str

    @property
    def tac(self) -> str:
        return self.value[:8]

    def __str__(self) -> str:
        return self.value


def parse_imei(text: str) -> Imei:
    digits = only_digits(text, what="IMEI", field=FIELD)
    if len(digits) == 16:  # IMEISV
        body = digits[:14]
        return Imei(body + str(luhn_check_digit(body)))
    if len(digits) != 15:
        raise ValidationError(f"An IMEI has 15 digits, not {len(digits)}.", field=FIELD)
    expected = luhn_check_digit(digits[:14])
    if int(digits[14]) != expected:
        raise ValidationError(f"IMEI check digit is wrong (expected {expected}).", field=FIELD)
    return Imei(digits)
