"""The user-facing half of StoreDesk's error taxonomy.

A :class:`ValidationError` is bad input that the person at the counter can fix: the UI
shows ``message`` next to the widget bound to ``field``. Device, sync and unexpected errors
live with the layers that raise them (``devices.errors``, ``app.errors``).
"""

from __future__ import annotations


class DomainError(Exception):
    """A business rule was broken; the message is written for the person at the counter."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """One field's value is not acceptable.

    ``field`` names the input (for example ``"msisdn"``), so a form can put the message
    next to it. ``field`` is empty when the error concerns the whole form.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class RuleViolation(DomainError):
    """An action is not allowed in the current state (for example paying a cancelled order)."""
