"""How a value read from a JSON file is named in a message ("must be text, not the number
3"): one wording for every file StoreDesk reads (catalog, case types)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the text "{shown}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
