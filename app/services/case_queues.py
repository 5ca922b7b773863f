"""The queues cases wait in and the people they can be assigned to.

A queue (group) is every current case type's default group and every group an open case
is in; an assignee is an active user. Everything here reads inside the caller's unit of
work.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.services import case_types
from app.services.case_types import TypeCache
from app.services.case_views import Assignable
from domain.errors import ValidationError


def groups(session: Session, cache: TypeCache) -> set[str]:
    found = {t.default_group for t in case_types.current_types(session, cache).values()}
    found.update(
        session.scalars(
            select(m.CaseRecord.assignee_group).where(m.CaseRecord.is_open.is_(True)).distinct()
        )
    )
    return found


def check_group(session: Session, cache: TypeCache, group: str) -> None:
    known = groups(session, cache)
    if group not in known:
        raise ValidationError(
            f"There is no queue {group!r}; the groups are {', '.join(sorted(known))}.",
            field="group",
        )


def assignee(session: Session, user_id: uuid.UUID) -> m.User:
    person = session.get(m.User, user_id)
    if person is None or not person.active:
        raise ValidationError("This user does not exist or is not active.", field="assignee")
    return person


def assignable(session: Session) -> list[Assignable]:
    """Active users, second line and managers first (who works cases)."""
    rows = session.execute(
        select(m.User.id, m.User.display_name, m.User.role).where(m.User.active.is_(True))
    ).all()
    order = {"second_line": 0, "manager": 1, "consultant": 2}
    return [
        Assignable(uid, name, role)
        for uid, name, role in sorted(rows, key=lambda r: (order.get(r[2], 3), r[1]))
    ]
