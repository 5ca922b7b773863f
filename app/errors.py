"""StoreDesk's error taxonomy, in one place for the UI to route.

- :class:`~domain.errors.ValidationError`: bad input, shown next to the field.
- :class:`~domain.errors.DomainError` (incl. :class:`NotFound`, :class:`AccessDenied`):
  a business rule said no; shown as a message, nothing changed.
- :class:`devices.errors.DeviceError`: a device failed; the UI offers retry or skip.
- :class:`SyncError`: the centre could not be reached; shown in the status bar only.
- anything else is unexpected: logged, and shown in a crash dialog with "copy details".
"""

from __future__ import annotations

from devices.errors import DeviceError
from domain.errors import DomainError, RuleViolation, ValidationError

__all__ = [
    "AccessDenied",
    "DeviceError",
    "DomainError",
    "NotFound",
    "RuleViolation",
    "SyncError",
    "ValidationError",
]


class NotFound(DomainError):
    """What was asked for does not exist (here)."""


class AccessDenied(DomainError):
    """Wrong credentials, locked account, or a role without the permission."""


class SyncError(Exception):
    """The central database could not be reached or refused a batch. Never blocks a sale."""
