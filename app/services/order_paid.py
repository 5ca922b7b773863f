"""What approved tenders already cover of an order (credit notes included).

:func:`paid_minor` flushes the session first; :func:`paid_so_far` does not, and adds the
approved tenders this transaction holds but has not flushed yet (a sale written in one
flush at commit). Both read the stored ones with the same statement.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db import plain_rows

_STORED_PAID = select(func.coalesce(func.sum(m.Payment.amount_minor), 0)).where(
    m.Payment.order_id == bindparam("order_id"),
    m.Payment.status == "approved",
    m.Payment.amount_minor > 0,
)


def paid_minor(session: Session, order: m.Order) -> int:
    """What approved tenders already cover of this order, after flushing the session."""
    session.flush()
    return _stored(session, order)


def paid_so_far(session: Session, order: m.Order) -> int:
    """:func:`paid_minor` without flushing first: the approved tenders in the database plus
    those this transaction added and has not flushed yet (an exchange credit applied by the
    first tender)."""
    pending = sum(
        p.amount_minor
        for p in session.new
        if isinstance(p, m.Payment)
        and p.order_id == order.id
        and p.status == "approved"
        and p.amount_minor > 0
    )
    pending += sum(
        int(p["amount_minor"])
        for p in plain_rows.pending(session, m.Payment)
        if p["order_id"] == order.id and p["status"] == "approved" and p["amount_minor"] > 0
    )
    return _stored(session, order) + pending


def _stored(session: Session, order: m.Order) -> int:
    stored = session.connection().execute(_STORED_PAID, {"order_id": order.id}).scalar()
    return int(stored or 0)
