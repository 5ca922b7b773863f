"""The credit an exchange's return leaves on the customer's new basket.

Used inside the sale service's transactions: the credit counts as paid when the new sale
is paid (tender ``credit_note``; what the new sale does not use is paid out in cash), and
cancelling the new basket refunds the credit to the tender of the original sale.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db import prepared
from domain.money import Money

_WAITING_CREDIT = select(func.coalesce(func.sum(m.ReturnRecord.refund_minor), 0)).where(
    m.ReturnRecord.exchange_order_id == bindparam("order_id"),
    m.ReturnRecord.status == "completed",
)


def exchange_credit(session: Session, order_id: uuid.UUID) -> int:
    """Minor units of credit from completed exchange returns waiting on this basket."""
    total = prepared.scalar(session.connection(), _WAITING_CREDIT, {"order_id": order_id})
    return int(total or 0)


def pay_with_credit(
    session: Session, order: m.Order, credit: int, total: int, *, user_id: uuid.UUID
) -> None:
    """Write the credit as a tender of the new sale; any surplus goes back in cash."""
    used = min(credit, total)
    if used:
        session.add(
            m.Payment(
                order_id=order.id, tender="credit_note", status="approved", amount_minor=used,
                currency=order.currency, user_id=user_id,
            )
        )  # fmt: skip
    if credit > total:
        session.add(
            m.Payment(
                order_id=order.id, tender="cash", status="refunded",
                amount_minor=-(credit - total), currency=order.currency, user_id=user_id,
            )
        )  # fmt: skip


def refund_payment(
    session: Session, order: m.Order, amount: int, tender: str, *, user_id: uuid.UUID,
    session_id: uuid.UUID | None = None, details: dict[str, str] | None = None,
) -> None:  # fmt: skip
    """Money back to the original tender: a negative payment on the original order.

    Cash leaves the drawer and an account charge is reversed at once; a card refund waits
    for the terminal as ``refund_pending``.
    """
    session.add(
        m.Payment(
            order_id=order.id, tender=tender,
            # Cash leaves the drawer and an account charge is reversed at once; a card
            # refund waits for the terminal.
            status="refund_pending" if tender == "card" else "refunded",
            amount_minor=-amount, currency=order.currency, user_id=user_id,
            session_id=session_id, details=details,
        )
    )  # fmt: skip


def refund_unused_credit(
    session: Session, basket: m.Order, *, user_id: uuid.UUID, now: datetime
) -> None:
    """A cancelled exchange basket gives its credit back the way the money first came."""
    returns = session.scalars(
        select(m.ReturnRecord).where(
            m.ReturnRecord.exchange_order_id == basket.id,
            m.ReturnRecord.status == "completed",
        )
    ).all()
    for ret in returns:
        original = session.get(m.Order, ret.order_id)
        assert original is not None  # foreign key
        tender = (
            session.scalar(
                select(m.Payment.tender)
                .where(m.Payment.order_id == original.id, m.Payment.amount_minor > 0)
                .order_by(m.Payment.amount_minor.desc())
                .limit(1)
            )
            or "cash"
        )
        refund_payment(session, original, ret.refund_minor, tender, user_id=user_id)
        ret.exchange_order_id = None
        ret.tender = tender
        if ret.customer_id is not None:
            money = Money.from_minor(ret.refund_minor, ret.currency)
            session.add(
                m.Interaction(
                    customer_id=ret.customer_id, kind="return",
                    summary=f"Exchange basket {basket.number} cancelled: {money.format()} of "
                    f"return {ret.number} refunded ({tender})",
                    occurred_at=now, user_id=user_id, ref_kind="return", ref_id=ret.id,
                )
            )  # fmt: skip
