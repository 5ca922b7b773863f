"""Shared by the customer validator tests: a fixed day, a valid address, and error helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import pytest

from domain.customers import Address
from domain.errors import ValidationError

T = TypeVar("T")
TODAY = date(2026, 6, 15)
ADDRESS = Address("Hauptstraße 1", "Bonn", "53111", "DE")


def refused(check: Callable[[], object]) -> ValidationError:
    """The ValidationError ``check`` raises (the test fails if it returns)."""
    with pytest.raises(ValidationError) as caught:
        check()
    return caught.value


def outcome(check: Callable[[], T]) -> T | ValidationError:
    """What ``check`` returns, or the ValidationError it raised (anything else propagates)."""
    try:
        return check()
    except ValidationError as error:
        return error
