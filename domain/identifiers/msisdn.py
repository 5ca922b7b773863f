"""MSISDN: a subscriber's phone number, kept in E.164 form (ITU-T E.164).

Contract: an :class:`Msisdn` holds 8 to 15 ASCII digits, country code first, and the country
code does not start with 0. :func:`parse_msisdn` accepts what people type:

- spaces, dashes, dots and parentheses between digits: ``"+49 (176) 1234-5678"``;
- an international prefix ``"+"`` or ``"00"``: ``"+4917612345678"``, ``"004917612345678"``;
- the trunk zero written as ``"(0)"`` after the country code, ``"+49 (0)176 …"``, which is
  not dialled internationally and is dropped;
- a national number starting with ``"0"`` when ``default_country_code`` (``"49"``, ``"7"``)
  is given: the ``0`` is replaced by the country code;
- bare digits without a prefix, read as already including the country code.

Anything else raises :class:`~domain.errors.ValidationError` with ``field="msisdn"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import ValidationError
from domain.identifiers.luhn import SEPARATORS, shown

FIELD = "msisdn"
MIN_DIGITS = 8
MAX_DIGITS = 15
_IGNORED = SEPARATORS | frozenset("().")


@dataclass(frozen=True)
class Msisdn:
    """A checked E.164 number; ``digits`` has no "+", ``str()`` is the ``e164`` form."""

    digits: str

    def __post_init__(self) -> None:
        _check(self.digits)

    @property
    def e164(self) -> str:
        """The number as ``"+4917612345678"``."""
        return "+" + self.digits

    def __str__(self) -> str:
        return self.e164


def parse_msisdn(text: str, *, default_country_code: str | None = None) -> Msisdn:
    """Parse a typed phone number; raises ValidationError saying what is wrong.

    ``default_country_code`` is the store's country code (1–3 digits, "+" allowed); a bad one
    raises ValueError because it is configuration, not counter input.
    """
    country = _country_code(default_country_code)
    raw = text.strip()
    if not raw:
        raise ValidationError("Enter the phone number.", field=FIELD)
    international = raw.startswith("+")
    body = raw[1:] if international else raw
    if international or body.startswith("00"):
        body = body.replace("(0)", "", 1)
    cleaned = "".join(char for char in body if char not in _IGNORED)
    for char in cleaned:
        if not (char.isascii() and char.isdigit()):
            if char == "+":
                raise ValidationError("Put the + only at the start of the number.", field=FIELD)
            raise ValidationError(
                f"Phone number can only contain digits, not {shown(char)}.", field=FIELD
            )
    if not cleaned:
        raise ValidationError("Enter the phone number.", field=FIELD)
    if international:
        digits = cleaned
    elif cleaned.startswith("00"):
        digits = cleaned[2:]
    elif cleaned.startswith("0"):
        if country is None:
            raise ValidationError(
                "Add the country code: start with + (for example +49 176 …).", field=FIELD
            )
        digits = country + cleaned[1:]
    else:
        digits = cleaned
    return Msisdn(digits)


def _country_code(code: str | None) -> str | None:
    if code is None:
        return None
    digits = code.removeprefix("+")
    if not (digits.isascii() and digits.isdigit() and 1 <= len(digits) <= 3) or digits[0] == "0":
        raise ValueError(f"default_country_code must be 1-3 digits, not starting with 0: {code!r}")
    return digits


def _check(digits: str) -> None:
    if digits and not (digits.isascii() and digits.isdigit()):
        raise ValidationError("Phone number can only contain digits.", field=FIELD)
    if digits.startswith("0"):
        raise ValidationError("Country code can't start with 0.", field=FIELD)
    if len(digits) < MIN_DIGITS:
        raise ValidationError(
            f"Phone number is too short: {len(digits)} digits with the country code "
            f"(at least {MIN_DIGITS}).",
            field=FIELD,
        )
    if len(digits) > MAX_DIGITS:
        raise ValidationError(
            f"Phone number is too long: {len(digits)} digits with the country code "
            f"(at most {MAX_DIGITS}).",
            field=FIELD,
        )
