"""The case system's tables: case types and calendars (as data), cases, their history,
comments and attachments.

A case keeps the type's code and version it follows; ``case_types`` keeps every version
(``current`` marks the one new cases use). ``cases`` copies what the board filters and
sorts on into columns (status, open or not, priority rank, group, assignee, due times), so
the board is one indexed query; breach and near-breach are worked out at query time from
``due_at`` and ``warn_at`` (see :mod:`domain.cases.sla`). Attachment bytes live in files
under the data folder (``stored_as`` is relative to it); the table keeps what they are.

A case travels to the back office and the stores that work its group (see
:mod:`app.sync.case_pull`), which do not have the opening store's customers, orders or
staff: the case's links and the people in its history are therefore plain ids, not
foreign keys (the service checks links when they are set; a view shows a link that is not
on this terminal as such). Only ``case_id`` of the history rows is a foreign key.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, SyncRow
from app.db.types import UtcDateTime, utcnow

NOTHING_DUE = datetime(9999, 12, 31, tzinfo=UTC)  # paused and finished cases sort last


class CaseCalendarRecord(SyncRow, Base):
    """Business hours a case type's SLA counts in (``store``, ``back_office`` …)."""

    __tablename__ = "case_calendars"
    __entity__ = "case_calendar"
    __table_args__ = (UniqueConstraint("store_id", "name"),)

    name: Mapped[str] = mapped_column(String(40))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)


class CaseTypeRecord(SyncRow, Base):
    """One version of a case type, kept whole in the definition format."""

    __tablename__ = "case_types"
    __entity__ = "case_type"
    __table_args__ = (UniqueConstraint("store_id", "code", "type_version"),)

    code: Mapped[str] = mapped_column(String(40))
    # The definition's own version ("version" is the row's, for optimistic locking).
    type_version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(200), default="")  # "shipped" or the file
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)


class CaseRecord(SyncRow, Base):
    __tablename__ = "cases"
    __entity__ = "case"
    __table_args__ = (
        UniqueConstraint("store_id", "number"),
        # The board walks this in order and stops at its page: no sort of every open case.
        Index("ix_cases_board", "is_open", "board_at", "priority_rank", "opened_at"),
        # The board's counts per status, and its usual filters, without reading the rows.
        Index(
            "ix_cases_board_counts",
            "is_open",
            "assignee_group",
            "type_code",
            "type_version",
            "status",
            "priority",
            "assignee_user_id",
            "board_at",
            "warn_at",
        ),
        # One type's cases, a customer's cases, and "my cases", straight in board order.
        Index(
            "ix_cases_type_open", "type_code", "is_open", "board_at", "priority_rank", "opened_at"
        ),
        Index(
            "ix_cases_customer_open",
            "customer_id",
            "is_open",
            "board_at",
            "priority_rank",
            "opened_at",
        ),
        Index(
            "ix_cases_assignee_open",
            "assignee_user_id",
            "is_open",
            "board_at",
            "priority_rank",
            "opened_at",
        ),
        Index("ix_cases_ref", "ref_kind", "ref_id"),
    )

    number: Mapped[str] = mapped_column(String(40))
    type_code: Mapped[str] = mapped_column(String(40))
    type_version: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(40))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)  # not in a terminal status
    priority: Mapped[str] = mapped_column(String(8))
    priority_rank: Mapped[int] = mapped_column(Integer)  # 0 urgent … 3 low
    assignee_group: Mapped[str] = mapped_column(String(40))
    assignee_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The context the case was opened in (customer 360, a sale, a return, the till …).
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The record the case is about when it came from a hand-on (a return, a till session …).
    ref_kind: Mapped[str] = mapped_column(String(24), default="")
    ref_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The SLA clock (domain.cases.sla.SlaClock) and the due times it gives.
    sla_started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    response_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # None: paused or closed
    warn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Where the board sorts it: ``due_at``, or (nothing due) :data:`NOTHING_DUE`.
    board_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)


class CaseEventRecord(SyncRow, Base):
    """One entry of a case's history (append-only): who did what, when, what changed."""

    __tablename__ = "case_events"
    __entity__ = "case_event"
    __table_args__ = (Index("ix_case_events_case_at", "case_id", "occurred_at"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(40), default="")
    to_status: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(2000), default="")
    # [{"name": field, "old": text, "new": text}, …]
    changes: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseCommentRecord(SyncRow, Base):
    __tablename__ = "case_comments"
    __entity__ = "case_comment"
    __table_args__ = (Index("ix_case_comments_case_at", "case_id", "occurred_at"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    body: Mapped[str] = mapped_column(String(2000))
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseAttachmentRecord(SyncRow, Base):
    """A file attached to a case; its bytes are in ``<data folder>/<stored_as>``."""

    __tablename__ = "case_attachments"
    __entity__ = "case_attachment"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_as: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
