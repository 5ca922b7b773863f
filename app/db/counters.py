"""Gap-free local number series, allocated inside the caller's transaction.

Each terminal owns its series (the series name carries store and terminal), so numbers are
unique without coordination and work offline. Because the allocation happens in the same
transaction as the document that uses it (and SQLite writers hold the lock from BEGIN
IMMEDIATE), a rolled-back sale gives its number back: no gaps, no duplicates.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from app.db import prepared
from app.db.models import Counter

_TAKE = (
    update(Counter)
    .where(Counter.series == bindparam("taken_series"))
    .values(next_value=Counter.next_value + 1)
    .returning(Counter.next_value)
)


def next_value(session: Session, series: str, *, flush: bool = True) -> int:
    """The series' next value, taken in the caller's transaction.

    One ``UPDATE … RETURNING`` on the series' row (it holds the value to hand out next);
    the first use of a series inserts the row. The statement runs at once, outside the
    session's unit of work. ``flush=True`` first writes whatever the session holds
    pending, as callers that read their rows back with plain SQL after taking a number
    expect; a transaction that writes everything in one flush at commit passes False.
    """
    if flush:
        session.flush()
    conn = session.connection()
    taken = prepared.scalar(conn, _TAKE, {"taken_series": series})
    if taken is None:
        conn.execute(insert(Counter).values(series=series, next_value=2))
        return 1
    return int(taken) - 1


def next_number(
    session: Session, *, kind: str, store_id: str, terminal_id: str, flush: bool = True
) -> str:
    """``ORD-S001-T01-000042``-style numbers, one series per kind, store and terminal.

    ``flush``: as for :func:`next_value`.
    """
    prefix = f"{kind}-{store_id}-{terminal_id}"
    return f"{prefix}-{next_value(session, prefix, flush=flush):06d}"
