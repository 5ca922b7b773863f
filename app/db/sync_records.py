"""The sync engine's own local tables: pull watermarks and the sync history.

They describe this terminal's conversation with the centre, so they are plain tables (not
:class:`~app.db.base.SyncRow`) and write no outbox rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.types import UtcDateTime, utcnow


class SyncWatermark(Base):
    """How far this terminal has pulled one entity (a central transaction id)."""

    __tablename__ = "sync_watermarks"

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SyncRun(Base):
    """One sync attempt: when, what moved, and the error that stopped it, if any."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime)
    pushed: Mapped[int] = mapped_column(Integer, default=0)
    pulled: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    ok: Mapped[bool] = mapped_column(default=True)
    error: Mapped[str] = mapped_column(String(1000), default="")
