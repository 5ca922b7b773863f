"""Users, roles and the permissions each role holds; PIN rules and lockout arithmetic."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import ValidationError


class Role(enum.StrEnum):
    CONSULTANT = "consultant"
    SECOND_LINE = "second_line"
    MANAGER = "manager"
    IT_ADMIN = "it_admin"


class Permission(enum.StrEnum):
    SELL = "sell"
    DISCOUNT_OVER_LIMIT = "discount_over_limit"
    PRICE_OVERRIDE = "price_override"
    REFUND = "refund"
    VOID = "void"
    CASH_OUT = "cash_out"
    TILL_CLOSE = "till_close"
    STOCK_ADJUST = "stock_adjust"
    USER_ADMIN = "user_admin"
    WORK_CASES = "work_cases"
    VIEW_DOCUMENT_NUMBERS = "view_document_numbers"
    DEVICE_SETUP = "device_setup"
    APPROVE = "approve"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CONSULTANT: frozenset({Permission.SELL}),
    Role.SECOND_LINE: frozenset(
        {Permission.SELL, Permission.WORK_CASES, Permission.VIEW_DOCUMENT_NUMBERS}
    ),
    Role.MANAGER: frozenset(Permission) - {Permission.USER_ADMIN, Permission.DEVICE_SETUP},
    Role.IT_ADMIN: frozenset({Permission.USER_ADMIN, Permission.DEVICE_SETUP}),
}


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def validate_pin(pin: str) -> str:
    """A PIN is 4 to 12 digits; returns it unchanged or raises ValidationError(field='pin')."""
    if not pin:
        raise ValidationError("Enter your PIN.", field="pin")
    if not pin.isdigit():
        raise ValidationError("A PIN has digits only.", field="pin")
    if not 4 <= len(pin) <= 12:
        raise ValidationError("A PIN has 4 to 12 digits.", field="pin")
    return pin


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)

    def locked_until(self, failures: int, last_failure: datetime | None) -> datetime | None:
        """When a user with ``failures`` consecutive failures may try again (None: now)."""
        if failures < self.max_failures or last_failure is None:
            return None
        return last_failure + self.lockout
