"""Paying out a return that waited for approval (a refund handed on to the second line).

:func:`settle_waiting_return` finishes such a return inside the caller's transaction the
way :meth:`app.services.returns.ReturnService.create_return` finishes one at once: the
credit note number, and the money back to the original tender through
:func:`app.services.exchange_credit.refund_payment` — a new negative payment, never an
edit of an existing one. Cash leaves this terminal's open till (with a drawer entry); a
card refund is written ``refund_pending`` and paid back at the terminal afterwards
(:meth:`app.services.card_payments.CardPayments.refund_to_card`); a store-credit return
only gets its credit note number (that number is the customer's voucher).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.db import models as m
from app.db.counters import next_number
from app.errors import NotFound
from app.services import customer_index
from app.services.exchange_credit import refund_payment
from app.services.till_session import log_drawer, open_session
from domain.errors import RuleViolation
from domain.money import Money

WAITING = "awaiting_approval"


@dataclass(frozen=True)
class SettledRefund:
    return_id: uuid.UUID
    return_number: str
    amount: Money
    tender: str
    credit_note_number: str
    # Set for a card refund: the order whose pending card refund the terminal pays back.
    card_refund_order_id: uuid.UUID | None


def settle_waiting_return(
    session: Session,
    return_id: uuid.UUID,
    *,
    approved_by: uuid.UUID,
    store_id: str,
    terminal_id: str,
    now: datetime,
) -> SettledRefund:
    """Approve and pay out a waiting return; RuleViolation if it is not waiting."""
    record = session.get(m.ReturnRecord, return_id)
    if record is None:
        raise NotFound("The return this refund is for no longer exists.")
    if record.status != WAITING:
        raise RuleViolation(
            f"Return {record.number} is {record.status.replace('_', ' ')}: nothing waits to "
            "be refunded."
        )
    if record.tender == "exchange":
        raise RuleViolation(
            f"Return {record.number} is an exchange: it is finished at the counter with the "
            "customer's new basket, not paid out here."
        )
    order = session.get(m.Order, record.order_id)
    if order is None:
        raise NotFound(f"The sale of return {record.number} no longer exists.")
    record.status = "completed"
    record.approved_by = approved_by
    record.completed_at = now
    record.credit_note_number = next_number(
        session, kind="CRN", store_id=store_id, terminal_id=terminal_id
    )
    amount = Money.from_minor(record.refund_minor, record.currency)
    tender = record.tender
    if tender == "credit_note":
        pass  # the credit note number is the customer's voucher
    elif tender == "cash":  # out of this terminal's drawer, which must be open
        till = open_session(session, store_id, terminal_id)
        refund_payment(
            session, order, record.refund_minor, tender, user_id=approved_by, session_id=till.id
        )
        log_drawer(session, till.id, "cash refund", approved_by, reference=record.number)
    else:
        refund_payment(session, order, record.refund_minor, tender, user_id=approved_by)
    if record.customer_id is not None:
        session.add(
            m.Interaction(
                customer_id=record.customer_id,
                kind="return",
                summary=f"Refund of {amount.format()} approved and paid back ({tender}) — "
                f"return {record.number}",
                occurred_at=now,
                user_id=approved_by,
                ref_kind="return",
                ref_id=record.id,
            )
        )
        session.flush()
        customer_index.refresh(session.connection(), record.customer_id)
    return SettledRefund(
        return_id=record.id,
        return_number=record.number,
        amount=amount,
        tender=tender,
        credit_note_number=record.credit_note_number,
        card_refund_order_id=order.id if tender == "card" else None,
    )
