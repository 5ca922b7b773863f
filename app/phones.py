"""Phone numbers as people type them, checked with ``phonenumbers`` (libphonenumber's data).

:func:`normalise_phone` turns "0151 2345 6789" (with the store's country as the default
region) or "+49 151 23456789" into E.164 ("+4915123456789") and refuses numbers that
cannot exist, with a message for the field. :func:`phone_search_forms` gives what a
search for typed digits should look for: the E.164 digits when the text reads as a
number, else the digits as typed (prefix search while the consultant is still typing).
"""

from __future__ import annotations

import functools

import phonenumbers

from domain.errors import ValidationError

MAX_TYPED = 40


def normalise_phone(value: str, *, region: str, field: str = "phone") -> str:
    text = value.strip()
    if not text:
        raise ValidationError("Enter a phone number.", field=field)
    if len(text) > MAX_TYPED:
        raise ValidationError("That is too long for a phone number.", field=field)
    if any(ch.isalpha() for ch in text):
        raise ValidationError("A phone number has digits only.", field=field)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            "This is not a phone number; type it with the country code, e.g. +49 151 …",
            field=field,
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(
            "This number has too few or too many digits for its country.", field=field
        )
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "No phone number in that country has this form; check the digits.", field=field
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=4096)
def display_phone(e164: str) -> str:
    """ "+4915123456789" → "+49 1512 3456789" (international format); bad input as it is."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_search_forms(value: str, *, region: str) -> list[str]:
    """Digit strings (no "+") a search should try for ``value``, best first."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if not digits or len(value) > MAX_TYPED:
        return []
    forms: list[str] = []
    stripped = value.strip()
    if stripped.startswith(("+", "00")):
        forms.append(digits[2:] if stripped.startswith("00") else digits)
    elif digits.startswith("0"):
        # A national number: the trunk 0 becomes the country code of the store's region.
        code = phonenumbers.country_code_for_region(region)
        if code:
            forms.append(f"{code}{digits.lstrip('0')}")
    forms.append(digits)
    return list(dict.fromkeys(f for f in forms if f))
