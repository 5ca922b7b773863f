"""Issued invoices and credit notes: one row per document, kept to print it again.

``data`` holds the document as issued (see :mod:`app.services.invoices`), so a copy
printed years later says exactly what the original said, whatever happened since to
the customer's address, the catalog or the store's settings. The number comes from a
gap-free series (:mod:`app.db.counters`) in the same transaction that writes the row.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, SyncRow
from app.db.types import UtcDateTime


class InvoiceRecord(SyncRow, Base):
    """An invoice for a completed order, or a credit note for one of its returns."""

    __tablename__ = "invoices"
    __entity__ = "invoice"
    # One invoice per order; one credit note per return (``return_id`` is unique).
    __table_args__ = (
        Index(
            "uq_invoices_order_invoice", "order_id", unique=True,
            sqlite_where=text("kind = 'invoice'"), postgresql_where=text("kind = 'invoice'"),
        ),
    )  # fmt: skip

    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # invoice, credit_note
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    return_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("returns.id"), unique=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
