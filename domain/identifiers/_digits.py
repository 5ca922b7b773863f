"""Shared clean-up of typed or scanned numbers."""

from __future__ import annotations

from domain.errors import ValidationError

SEPARATORS = " -./\u00a0"


def only_digits(text: str, *, what: str, field: str) -> str:
    cleaned = "".join(ch for ch in text.strip() if ch not in SEPARATORS)
    if not cleaned:
        raise ValidationError(f"Enter the {what}.", field=field)
    if not cleaned.isascii() or not cleaned.isdigit():
        raise ValidationError(f"The {what} has digits only.", field=field)
    return cleaned
