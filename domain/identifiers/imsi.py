"""IMSI: the subscriber identity stored on a SIM (ITU-T E.212, 3GPP TS 23.003).

Contract: an IMSI is 6 to 15 ASCII digits (normally 15): MCC (3 digits, first digit 2–7),
MNC (2 or 3 digits), then the MSIN, which must have at least one digit. Spaces and dashes are
removed. Bad input raises :class:`~domain.errors.ValidationError` with ``field="imsi"``.

The digits alone do not say how long the MNC is. Pass ``mnc_length`` when it is known (the
SIM states it in EF_AD); otherwise it is 3 for the MCCs in :data:`THREE_DIGIT_MNC_MCCS` and 2
elsewhere. Some countries mix both lengths (India's 405, for example); there only the SIM's own
value is reliable, and the table's guess is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationError
from domain.identifiers.luhn import digits_only

FIELD = "imsi"
MIN_LENGTH = 6
MAX_LENGTH = 15
MCC_LENGTH = 3

# MCCs whose networks use 3-digit MNCs (ITU-T E.212 assignments), abridged to North and
# Latin America, the Caribbean, India and the Falklands.
THREE_DIGIT_MNC_MCCS = frozenset(
    {
        "302",  # Canada
        "310", "311", "312", "313", "314", "315", "316",  # United States
        "330",  # Puerto Rico
        "334",  # Mexico
        "338",  # Jamaica
        "342", "344", "346", "348", "352", "354", "356", "358", "360",  # Eastern Caribbean
        "364", "365", "366", "376",  # Bahamas, Anguilla, Dominica, Turks and Caicos
        "405",  # India (partly; see the module docstring)
        "708",  # Honduras
        "722",  # Argentina
        "732",  # Colombia
        "750",  # Falkland Islands
    }
)  # fmt: skip


@dataclass(frozen=True)
class Imsi:
    """A checked IMSI; ``mnc_length`` (2 or 3) says where the MNC ends."""

    value: str
    mnc_length: int

    def __post_init__(self) -> None:
        _check(self.value, self.mnc_length)

    @property
    def mcc(self) -> str:
        """Mobile Country Code (3 digits)."""
        return self.value[:MCC_LENGTH]

    @property
    def mnc(self) -> str:
        """Mobile Network Code (2 or 3 digits)."""
        return self.value[MCC_LENGTH : MCC_LENGTH + self.mnc_length]

    @property
    def msin(self) -> str:
        """Mobile Subscription Identification Number: the rest."""
        return self.value[MCC_LENGTH + self.mnc_length :]

    def __str__(self) -> str:
        return self.value


def parse_imsi(text: str, *, mnc_length: int | None = None) -> Imsi:
    """Parse an IMSI; raises ValidationError for bad text, ValueError for a bad ``mnc_length``."""
    if mnc_length is not None and mnc_length not in (2, 3):
        raise ValueError(f"mnc_length must be 2 or 3, got {mnc_length}")
    digits = digits_only(text, label="IMSI", field=FIELD)
    if mnc_length is None:
        mnc_length = 3 if digits[:MCC_LENGTH] in THREE_DIGIT_MNC_MCCS else 2
    return Imsi(digits, mnc_length)


def _check(digits: str, mnc_length: int) -> None:
    digits_only(digits, label="IMSI", field=FIELD)
    if mnc_length not in (2, 3):
        raise ValueError(f"mnc_length must be 2 or 3, got {mnc_length}")
    if len(digits) > MAX_LENGTH:
        raise ValidationError(
            f"IMSI is too long: {len(digits)} digits (at most {MAX_LENGTH}).", field=FIELD
        )
    if digits[0] not in "234567":
        raise ValidationError(
            "IMSI must start with a country code (MCC) from 200 to 799.", field=FIELD
        )
    shortest = max(MIN_LENGTH, MCC_LENGTH + mnc_length + 1)
    if len(digits) < shortest:
        raise ValidationError(
            f"IMSI is too short: {len(digits)} digits (at least {shortest}).", field=FIELD
        )
