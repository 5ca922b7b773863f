"""IMEI: the identity of a mobile device (3GPP TS 23.003).

Contract: an IMEI is 15 ASCII digits whose last digit is the Luhn check digit. An IMEISV
(16 digits: the same 14-digit body followed by a 2-digit software version, no check digit)
is accepted and normalised to the device's IMEI, body plus computed check digit, because a
device is identified by its IMEI whatever software it runs. Spaces and dashes are removed.
Anything else raises :class:`~domain.errors.ValidationError` with ``field="imei"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationError
from domain.identifiers.luhn import digits_only, luhn_check_digit

FIELD = "imei"
IMEI_LENGTH = 15
IMEISV_LENGTH = 16
BODY_LENGTH = 14


@dataclass(frozen=True)
class Imei:
    """A checked 15-digit IMEI; ``str()`` gives the digits."""

    value: str

    def __post_init__(self) -> None:
        _check(self.value)

    @property
    def tac(self) -> str:
        """Type Allocation Code: the first 8 digits, which identify the device model."""
        return self.value[:8]

    def __str__(self) -> str:
        return self.value


def parse_imei(text: str) -> Imei:
    """Parse a typed or scanned IMEI or IMEISV; raises ValidationError saying what is wrong."""
    digits = digits_only(text, label="IMEI", field=FIELD)
    if len(digits) == IMEISV_LENGTH:
        body = digits[:BODY_LENGTH]
        return Imei(body + str(luhn_check_digit(body)))
    return Imei(digits)


def _check(digits: str) -> None:
    digits_only(digits, label="IMEI", field=FIELD)
    if len(digits) != IMEI_LENGTH:
        raise ValidationError(
            f"IMEI must have 15 digits (this one has {len(digits)}).", field=FIELD
        )
    expected = luhn_check_digit(digits[:BODY_LENGTH])
    if int(digits[BODY_LENGTH]) != expected:
        raise ValidationError(f"IMEI check digit is wrong (expected {expected}).", field=FIELD)
