"""ICCID: the serial number printed on and stored in a SIM card (ITU-T E.118).

Contract: an ICCID is 19 or 20 ASCII digits, starts with the telecom prefix 89, and its last
digit is the Luhn check digit over all the digits before it. Input may contain spaces or dashes
(as printed on SIM carriers); they are removed. Anything else raises
:class:`~domain.errors.ValidationError` with ``field="iccid"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationError
from domain.identifiers.luhn import digits_only, luhn_check_digit

FIELD = "iccid"
LENGTHS = (19, 20)


@dataclass(frozen=True)
class Iccid:
    """A checked ICCID; ``str()`` gives the bare digits, as stored and printed on receipts."""

    value: str

    def __post_init__(self) -> None:
        _check(self.value)

    def __str__(self) -> str:
        return self.value


def parse_iccid(text: str) -> Iccid:
    """Parse a typed or scanned ICCID; raises ValidationError saying what is wrong."""
    return Iccid(digits_only(text, label="ICCID", field=FIELD))


def _check(digits: str) -> None:
    digits_only(digits, label="ICCID", field=FIELD)
    # A one-digit entry is better answered with the length than with the prefix.
    if len(digits) >= 2 and not digits.startswith("89"):
        raise ValidationError("ICCID must start with 89.", field=FIELD)
    if len(digits) not in LENGTHS:
        raise ValidationError(
            f"ICCID must have 19 or 20 digits (this one has {len(digits)}).", field=FIELD
        )
    expected = luhn_check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise ValidationError(f"ICCID check digit is wrong (expected {expected}).", field=FIELD)
