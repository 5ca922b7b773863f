"""MSISDN: a subscriber's phone number in E.164 form (+, country code, at most 15 digits)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationError

FIELD = "msisdn"


@dataclass(frozen=True)
class Msisdn:
    digits: str  # without the "+"

    @property
    def e164(self) -> str:
        return "+" + self.digits

    def __str__(self) -> str:
        return self.e164


def parse_msisdn(text: str, *, default_country_code: str | None = None) -> Msisdn:
    """Accepts "+49 151 2345-678", "0049…", or a national "0151…" with a default country."""
    raw = text.strip()
    if not raw:
        raise ValidationError("Enter the phone number.", field=FIELD)
    cleaned = "".join(ch for ch in raw if ch not in " -()./\u00a0")
    if cleaned.startswith("+"):
        digits = cleaned[1:]
    elif cleaned.startswith("00"):
        digits = cleaned[2:]
    elif cleaned.startswith("0") and default_country_code:
        digits = default_country_code + cleaned[1:]
    elif cleaned.startswith("0"):
        raise ValidationError("Start the number with + and the country code.", field=FIELD)
    else:
        digits = cleaned
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError("A phone number has digits only (and a leading +).", field=FIELD)
    if digits.startswith("0"):
        raise ValidationError("A country code cannot start with 0.", field=FIELD)
    if len(digits) < 8:
        raise ValidationError("This phone number is too short.", field=FIELD)
    if len(digits) > 15:
        raise ValidationError("A phone number has at most 15 digits.", field=FIELD)
    return Msisdn(digits)
