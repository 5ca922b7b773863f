"""ICCID: the SIM card's serial number (ITU-T E.118): 89…, 19 or 20 digits, Luhn check digit."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationError
from domain.identifiers._digits import only_digits
from domain.identifiers.luhn import luhn_check_digit

FIELD = "iccid"


@dataclass(frozen=True)
class Iccid:
    value: str

    def __str__(self) -> str:
        return self.value


def parse_iccid(text: str) -> Iccid:
    digits = only_digits(text, what="ICCID", field=FIELD)
    if not digits.startswith("89"):
        raise ValidationError("An ICCID starts with 89.", field=FIELD)
    if len(digits) not in (19, 20):
        raise ValidationError(f"An ICCID has 19 or 20 digits, not {len(digits)}.", field=FIELD)
    expected = luhn_check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise ValidationError(
            f"ICCID check digit is wrong (expected {expected}); rescan the SIM.", field=FIELD
        )
    return Iccid(digits)
