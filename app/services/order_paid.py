"""What approved tenders already cover of an order (credit notes included).

:func:`paid_minor` flushes the session first; :func:`paid_so_far` does not, and adds the
approved tenders this transaction holds but has not written yet (:func:`pending_tenders`:
a sale is written in one go at commit). Both read the stored ones with the same statement.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db import plain_rows, prepared

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
    pending = sum(tender.amount_minor for tender in pending_tenders(session, order.id))
    return _stored(session, order) + pending


@dataclass(frozen=True, slots=True)
class Tender:
    tender: str
    amount_minor: int
    currency: str
    details: dict[str, str] | None


def pending_tenders(session: Session, order_id: uuid.UUID) -> list[Tender]:
    """The approved tenders (amount > 0) this transaction added to the order and has not
    written yet, oldest first: mapped objects, then rows queued as plain values."""
    found = [
        Tender(p.tender, p.amount_minor, p.currency, p.details)
        for p in session.new
        if isinstance(p, m.Payment)
        and p.order_id == order_id
        and p.status == "approved"
        and p.amount_minor > 0
    ]
    found += [
        Tender(p["tender"], int(p["amount_minor"]), p["currency"], p.get("details"))
        for p in plain_rows.pending(session, m.Payment)
        if p["order_id"] == order_id and p["status"] == "approved" and p["amount_minor"] > 0
    ]
    return found


def _stored(session: Session, order: m.Order) -> int:
    stored = prepared.scalar(session.connection(), _STORED_PAID, {"order_id": order.id})
    return int(stored or 0)
