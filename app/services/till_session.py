"""What other transactions need of the till: its open session and drawer openings.

Every tender (cash, card, account) and every cash refund is tied to the till's open
session; a sale without one is refused with :data:`NO_SESSION`. These run in the caller's
transaction; :class:`~app.services.till.TillService` opens, counts and closes sessions.
"""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, literal_column, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db import prepared
from app.db.plain_rows import add_row
from app.db.types import utcnow
from domain.errors import RuleViolation
from domain.till import MovementKind

NO_SESSION = "Open the till first (Till, Ctrl+5): a sale needs an open till session."


def open_session(session: Session, store_id: str, till_id: str) -> m.TillSession:
    """The open session of this till, or :class:`RuleViolation` telling how to open one."""
    row = current_session(session, store_id, till_id)
    if row is None:
        raise RuleViolation(NO_SESSION)
    return row


_OPEN_SESSION_ID = select(m.TillSession.id).where(
    m.TillSession.store_id == bindparam("store_id"),
    m.TillSession.till_id == bindparam("till_id"),
    # Written into the SQL, not bound: SQLite prepares a statement again for every new
    # binding of a value its partial index (uq_till_sessions_open) is conditioned on.
    m.TillSession.status == literal_column("'open'"),
)


def open_session_id(session: Session, store_id: str, till_id: str) -> uuid.UUID:
    """:func:`open_session`'s id only, read with one prepared statement (a sale's tender
    and drawer opening need nothing else of it)."""
    found: uuid.UUID | None = prepared.scalar(
        session.connection(), _OPEN_SESSION_ID, {"store_id": store_id, "till_id": till_id}
    )
    if found is None:
        raise RuleViolation(NO_SESSION)
    return found


def current_session(session: Session, store_id: str, till_id: str) -> m.TillSession | None:
    return session.scalars(
        select(m.TillSession).where(
            m.TillSession.store_id == store_id,
            m.TillSession.till_id == till_id,
            m.TillSession.status == "open",
        )
    ).first()


def log_drawer(
    session: Session, till_id: uuid.UUID, reason: str, user_id: uuid.UUID, *, reference: str = ""
) -> None:
    """An opening of the drawer, in the caller's transaction (a cash sale, a refund …)."""
    add_row(
        session, m.TillMovement, session_id=till_id, kind=MovementKind.DRAWER.value,
        amount_minor=0, reason=reason, reference=reference, user_id=user_id,
        occurred_at=utcnow(),
    )  # fmt: skip
