"""The tables around selling beyond the basket: stock movements and levels, transfers,
returns, plan and add-on changes, port-in requests, and hand-ons to the second line.

Stock of serialised goods is one row per unit (``sim_cards``, ``device_units`` in
:mod:`app.db.models`); quantity goods (accessories) have one ``stock_levels`` row per
offering. Every change of either writes a ``stock_moves`` row in the same transaction,
so the movement journal always explains the level.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, SyncRow
from app.db.types import UtcDateTime, utcnow


class StockLevel(SyncRow, Base):
    """How many of a quantity-tracked offering the store holds, and when to warn."""

    __tablename__ = "stock_levels"
    __entity__ = "stock_level"
    __table_args__ = (UniqueConstraint("store_id", "offering_id"),)

    offering_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offerings.id"))
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    # Warn when what is in stock falls to this; None: the store's default from settings.
    reorder_level: Mapped[int | None] = mapped_column(Integer)


class StockMove(SyncRow, Base):
    """One movement of stock (append-only): receipt, sale, return, transfer, adjustment."""

    __tablename__ = "stock_moves"
    __entity__ = "stock_move"
    __table_args__ = (Index("ix_stock_moves_offering", "offering_id", "created_at"),)

    kind: Mapped[str] = mapped_column(String(16))
    offering_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offerings.id"))
    serial: Mapped[str | None] = mapped_column(String(20), index=True)
    quantity: Mapped[int] = mapped_column(Integer)  # signed: + into the store, - out
    status: Mapped[str] = mapped_column(String(16), default="")  # a unit's status after it
    reason: Mapped[str] = mapped_column(String(300), default="")
    reference: Mapped[str] = mapped_column(String(64), default="")  # delivery note, order …
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class StockTransfer(SyncRow, Base):
    """Goods sent to or received from another store, as one document."""

    __tablename__ = "stock_transfers"
    __entity__ = "stock_transfer"
    # The sender's number is also the receiver's reference: once out, once in.
    __table_args__ = (UniqueConstraint("number", "direction"),)

    number: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(3))  # "out" or "in"
    other_store: Mapped[str] = mapped_column(String(16))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(300), default="")
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class ReturnRecord(SyncRow, Base):
    """Goods taken back from a completed order, and the money given back for them."""

    __tablename__ = "returns"
    __entity__ = "return"
    __table_args__ = (UniqueConstraint("number"),)

    number: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), index=True)
    # completed, or awaiting_approval (handed on to the second line; nothing refunded yet)
    status: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(300))
    currency: Mapped[str] = mapped_column(String(3))
    refund_minor: Mapped[int] = mapped_column(BigInteger)
    tender: Mapped[str] = mapped_column(String(16))  # refunded to the original tender
    credit_note_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # An exchange: the new sale this return's amount went towards.
    exchange_order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReturnLine(SyncRow, Base):
    __tablename__ = "return_lines"
    __entity__ = "return_line"

    return_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("returns.id"), index=True)
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    condition: Mapped[str] = mapped_column(String(16))  # unopened, opened, damaged
    restock_as: Mapped[str] = mapped_column(String(16))  # returned, damaged


class SubscriptionChange(SyncRow, Base):
    """A plan change or an add-on added/removed, applied now or scheduled."""

    __tablename__ = "subscription_changes"
    __entity__ = "subscription_change"

    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # plan, addon_add, addon_remove
    from_code: Mapped[str] = mapped_column(String(64), default="")
    to_code: Mapped[str] = mapped_column(String(64), default="")
    effective_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # applied, scheduled, cancelled
    commitment: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PortInRequest(SyncRow, Base):
    """A number to bring over from another operator; pending until the second line ends it."""

    __tablename__ = "port_in_requests"
    __entity__ = "port_in_request"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"))
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subscriptions.id"))
    msisdn: Mapped[str] = mapped_column(String(16), index=True)
    donor_operator: Mapped[str] = mapped_column(String(64))
    porting_code: Mapped[str] = mapped_column(String(32))
    requested_date: Mapped[date] = mapped_column(Date)
    temporary_msisdn: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class Handoff(SyncRow, Base):
    """Work the counter could not finish, waiting for the second line.

    The case system turns each waiting hand-on into a case (``case_id``); until then the
    Cases screen lists them, so nothing handed on is lost.
    """

    __tablename__ = "handoffs"
    __entity__ = "handoff"
    __table_args__ = (Index("ix_handoffs_status", "status"),)

    kind: Mapped[str] = mapped_column(String(32))  # port_in, refund, replacement, …
    summary: Mapped[str] = mapped_column(String(500))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"))
    ref_kind: Mapped[str] = mapped_column(String(24), default="")
    ref_id: Mapped[uuid.UUID | None] = mapped_column()
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    case_id: Mapped[uuid.UUID | None] = mapped_column()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
