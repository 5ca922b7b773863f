"""Gap-free local number series, allocated inside the caller's transaction.

Each terminal owns its series (the series name carries store and terminal), so numbers are
unique without coordination and work offline. Because the allocation happens in the same
transaction as the document that uses it (and SQLite writers hold the lock from BEGIN
IMMEDIATE), a rolled-back sale gives its number back: no gaps, no duplicates.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Counter


def next_value(session: Session, series: str) -> int:
    counter = session.scalars(
        select(Counter).where(Counter.series == series).with_for_update()
    ).one_or_none()
    if counter is None:
        counter = Counter(series=series, next_value=1)
        session.add(counter)
    value = counter.next_value
    counter.next_value = value + 1
    session.flush()
    return value


def next_number(session: Session, *, kind: str, store_id: str, terminal_id: str) -> str:
    """``ORD-S001-T01-000042``-style numbers, one series per kind, store and terminal."""
    prefix = f"{kind}-{store_id}-{terminal_id}"
    return f"{prefix}-{next_value(session, prefix):06d}"
