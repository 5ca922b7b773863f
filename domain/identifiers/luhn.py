"""The Luhn (mod 10) check digit used by ICCIDs and IMEIs."""

from __future__ import annotations


def luhn_check_digit(payload: str) -> int:
    """The digit that makes ``payload + digit`` Luhn-valid."""
    if not payload.isdigit():
        raise ValueError("Luhn payload must be digits")
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:  # doubled: these positions are odd once the check digit is added
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    return (
        len(number) >= 2 and number.isdigit() and luhn_check_digit(number[:-1]) == int(number[-1])
    )
