"""The print queue's table: every receipt or document sent to the printer, kept until printed.

A job is written (and committed) before the printer is touched, so a print that fails, a
printer that is out of paper or a program that crashes mid-print never loses the document and
never undoes the sale it belongs to. The table is local to the terminal: jobs are about this
counter's printer, so :class:`PrintJobRecord` is not a :class:`~app.db.base.SyncRow` and
writes no outbox rows.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.types import UtcDateTime, utcnow
from domain.ids import new_id


class PrintJobRecord(Base):
    """One document to print: what it is, the serialised document, and how printing went."""

    __tablename__ = "print_jobs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # receipt, slip, report …
    reference: Mapped[str] = mapped_column(String(64), index=True)  # the receipt number …
    # The document as JSON (a ReceiptDoc for receipts), printable without the sale's rows.
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    copy: Mapped[bool] = mapped_column(Boolean, default=False)  # a reprint, marked COPY
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, printed, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    printed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
