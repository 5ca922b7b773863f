"""The Luhn (mod 10) check digit used by ICCIDs and IMEIs, and the clean-up of scanned numbers.

Contract: the Luhn functions work on ASCII digit strings only. ``luhn_check_digit`` raises
``ValueError`` for anything else (that is a programming error, not bad counter input);
``luhn_valid`` never raises and answers ``False`` instead.
"""

from __future__ import annotations

from domain.errors import ValidationError

# What people type between digit groups and what scanners or copied text put there.
SEPARATORS = frozenset(" -\t\u00a0\u2009\u202f")


def _is_digits(text: str) -> bool:
    # str.isdigit() alone accepts "²" and Arabic-Indic digits, which int() or Luhn must not see.
    return text.isascii() and text.isdigit()


def luhn_check_digit(payload: str) -> int:
    """The digit that makes ``payload + digit`` Luhn-valid; ``payload`` is 1+ ASCII digits."""
    if not _is_digits(payload):
        raise ValueError(f"Luhn payload must be ASCII digits, got {payload!r}")
    total = 0
    # Counting from the right of the payload, every first digit sits in an even position once
    # the check digit is appended, and even positions are the ones Luhn doubles.
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    """True if ``number`` is 2+ ASCII digits whose last digit is the Luhn check digit."""
    return (
        len(number) >= 2 and _is_digits(number) and luhn_check_digit(number[:-1]) == int(number[-1])
    )


def digits_only(text: str, *, label: str, field: str) -> str:
    """``text`` without spaces and dashes; raises ValidationError unless only digits remain.

    ``label`` names the identifier in the message (for example ``"IMEI"``).
    """
    cleaned = "".join(char for char in text if char not in SEPARATORS)
    if not cleaned:
        raise ValidationError(f"Enter the {label}.", field=field)
    for char in cleaned:
        if not _is_digits(char):
            raise ValidationError(
                f"{label} can only contain digits, not {shown(char)}.", field=field
            )
    return cleaned


def shown(char: str) -> str:
    """A character quoted for a message; invisible ones by code point so they can be found."""
    return f'"{char}"' if char.isprintable() else f"U+{ord(char):04X}"
