"""Login with user + PIN, lockout after repeated failures, and manager approval in the flow.

PINs are stored as argon2 hashes. Verifying one deliberately costs tens of milliseconds, so
callers run these methods off the GUI thread like any other database work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from app.db.models import Approval, User
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.errors import AccessDenied
from domain.errors import ValidationError
from domain.users import LockoutPolicy, Permission, Role, has_permission, validate_pin

_hasher = PasswordHasher()


def hash_pin(pin: str) -> str:
    return _hasher.hash(validate_pin(pin))


@dataclass(frozen=True)
class UserInfo:
    id: uuid.UUID
    username: str
    display_name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)


@dataclass(frozen=True)
class ApprovalRecord:
    id: uuid.UUID
    action: str
    approved_by: UserInfo
    reason: str


class AuthService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        policy: LockoutPolicy,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._policy = policy
        self._clock = clock

    def users_for_login(self) -> list[tuple[str, str]]:
        """(username, display name) of active users, for the quick-switch list."""
        with self._uow() as uow:
            rows = uow.session.execute(
                select(User.username, User.display_name)
                .where(User.active.is_(True))
                .order_by(User.display_name)
            )
            return [(r.username, r.display_name) for r in rows]

    def login(self, username: str, pin: str) -> UserInfo:
        """Check the PIN. Raises ValidationError for empty fields, AccessDenied otherwise."""
        if not username.strip():
            raise ValidationError("Enter your user name.", field="username")
        if not pin:
            raise ValidationError("Enter your PIN.", field="pin")
        with self._uow() as uow:
            user = self._check(uow, username.strip(), pin)
            uow.commit()
            return user

    def approve(
        self,
        *,
        action: str,
        subject: str,
        requested_by: UserInfo,
        manager_username: str,
        pin: str,
        reason: str,
    ) -> ApprovalRecord:
        """A manager approves ``action`` on someone else's screen; both are recorded."""
        if not reason.strip():
            raise ValidationError("Give a reason for the approval.", field="reason")
        if len(reason) > 500:
            raise ValidationError("Keep the reason under 500 characters.", field="reason")
        if not manager_username.strip():
            raise ValidationError("Enter the manager's user name.", field="username")
        with self._uow(durable=True) as uow:
            manager = self._check(uow, manager_username.strip(), pin)
            if not manager.can(Permission.APPROVE):
                uow.commit()  # keep the failure counters reset by the successful PIN check
                raise AccessDenied(f"{manager.display_name} cannot approve this.")
            if manager.id == requested_by.id:
                raise AccessDenied("Another manager must approve your own request.")
            row = Approval(
                action=action,
                subject=subject,
                requested_by=requested_by.id,
                approved_by=manager.id,
                reason=reason.strip(),
            )
            uow.session.add(row)
            uow.commit()
            return ApprovalRecord(row.id, action, manager, row.reason)

    def _check(self, uow: UnitOfWork, username: str, pin: str) -> UserInfo:
        user = uow.session.scalars(
            select(User).where(User.username == username, User.active.is_(True))
        ).one_or_none()
        if user is None:
            raise AccessDenied("Wrong user name or PIN.")
        now = self._clock()
        until = self._policy.locked_until(user.failed_attempts, user.last_failure_at)
        if until is not None and now < until:
            minutes = max(1, int((until - now).total_seconds() // 60) + 1)
            raise AccessDenied(
                f"{user.display_name} is locked after too many wrong PINs. "
                f"Try again in {minutes} min or ask a manager."
            )
        try:
            _hasher.verify(user.pin_hash, pin)
        except (VerificationError, InvalidHashError):
            # The failure must stay recorded although we raise, so commit it here (a
            # second transaction would wait on the write lock this one holds).
            user.failed_attempts += 1
            user.last_failure_at = now
            uow.commit()
            left = self._policy.max_failures - user.failed_attempts
            suffix = f" {left} tries left." if left > 0 else " The user is now locked."
            raise AccessDenied("Wrong user name or PIN." + suffix) from None
        if user.failed_attempts:
            user.failed_attempts = 0
            user.last_failure_at = None
        return UserInfo(user.id, user.username, user.display_name, Role(user.role))
