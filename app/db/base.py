"""Declarative base, the one naming convention, and the sync-ready mixin.

Every business table inherits :class:`SyncRow`: a client-generated UUIDv7 primary key,
``store_id`` and ``terminal_id``, created/updated timestamps and a version counter used
for optimistic locking (SQLAlchemy's ``version_id_col``) and, later, sync conflict checks.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Integer, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from app.db.types import UtcDateTime, utcnow
from domain.ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SyncRow:
    """Columns every business row carries so that it can be synced without renumbering."""

    # Entity name used in outbox rows and, later, in the central change feed.
    __entity__: ClassVar[str]

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    store_id: Mapped[str] = mapped_column(String(16), index=True)
    terminal_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - SQLAlchemy's declared_attr
        return {"version_id_col": cls.version}
