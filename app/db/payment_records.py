"""The tables of the till and of card payments: till sessions, till movements, intents.

A card payment is a ``payment_intents`` row committed before the terminal is asked (see
:mod:`domain.payment_intent`); the ``payments`` row is written only when the terminal
approved. Cash in and out and every drawer opening are ``till_movements`` of the open
``till_sessions`` row; cash sales and refunds are the session's ``payments``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, SyncRow
from app.db.types import UtcDateTime, utcnow


class TillSession(SyncRow, Base):
    """One drawer from the opening float to the closing count; one open session per till."""

    __tablename__ = "till_sessions"
    __entity__ = "till_session"
    __table_args__ = (
        Index(
            "uq_till_sessions_open", "store_id", "till_id", unique=True,
            sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'"),
        ),
    )  # fmt: skip

    number: Mapped[str] = mapped_column(String(40), unique=True)
    till_id: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8))  # open, closed
    currency: Mapped[str] = mapped_column(String(3))
    float_minor: Mapped[int] = mapped_column(BigInteger)
    float_count: Mapped[dict[str, int]] = mapped_column(JSON)
    opened_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # At close: the count, what was expected per tender, and the card totals compared.
    closing_count: Mapped[dict[str, int] | None] = mapped_column(JSON)
    expected_minor: Mapped[int | None] = mapped_column(BigInteger)
    counted_minor: Mapped[int | None] = mapped_column(BigInteger)
    variance_minor: Mapped[int | None] = mapped_column(BigInteger)
    variance_reason: Mapped[str] = mapped_column(String(500), default="")
    approved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    totals: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class TillMovement(SyncRow, Base):
    """Cash paid in or out with its reason, or an opening of the drawer (append-only)."""

    __tablename__ = "till_movements"
    __entity__ = "till_movement"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("till_sessions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # cash_in, cash_out, drawer
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PaymentIntent(SyncRow, Base):
    """A card payment asked of the terminal: written pending first, resolved after."""

    __tablename__ = "payment_intents"
    __entity__ = "payment_intent"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # sale, refund, reversal
    status: Mapped[str] = mapped_column(String(16), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # Sent to the terminal and printed on both slips, so the two can be matched.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("till_sessions.id"))
    # For a reversal or refund: the intent it undoes.
    original_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payment_intents.id"))
    slip: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # domain.card.CardSlip
    result_code: Mapped[str] = mapped_column(String(8), default="")
    message: Mapped[str] = mapped_column(String(300), default="")
    receipt_lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
