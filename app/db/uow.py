"""Unit of work: one transaction per business change, rolled back unless committed.

Usage (in a service)::

    with self._uow() as uow:
        uow.session.add(row)
        uow.commit()

Leaving the ``with`` block without :meth:`UnitOfWork.commit` rolls everything back, so an
exception anywhere leaves no half-written change. Every flush also writes one outbox row
per inserted, updated or deleted business row, in the same transaction (see
:func:`_write_outbox`), which is what makes the later push exactly-once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, event, insert, inspect
from sqlalchemy.orm import Session, sessionmaker

from app.db.base import SyncRow
from app.db.engine import DURABLE_OPTION, READ_ONLY_OPTION
from app.db.models import OutboxRow
from app.db.types import utcnow
from domain.ids import new_id


class UnitOfWork:
    """A session and its transaction. Not thread-safe: one per thread, per change."""

    def __init__(
        self, factory: sessionmaker[Session], *, durable: bool = False, read_only: bool = False
    ) -> None:
        self._factory = factory
        self._durable = durable
        self._read_only = read_only
        self._committed = False
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        engine = self._factory.kw["bind"]
        if self._durable:
            # On SQLite, the begin hook turns this into PRAGMA synchronous=FULL (engine.py).
            engine = engine.execution_options(**{DURABLE_OPTION: True})
        elif self._read_only:
            # On SQLite a deferred BEGIN: no write lock. Nothing may be written.
            engine = engine.execution_options(**{READ_ONLY_OPTION: True})
        self.session = self._factory(bind=engine)
        return self

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.session.commit()
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()


def make_uow_factory(
    engine: Engine, *, store_id: str, terminal_id: str
) -> Callable[..., UnitOfWork]:
    """Return ``uow(durable=False, read_only=False)`` bound to this engine, store, terminal."""
    # ``info`` tells code that runs inside a session whose store it is (case types).
    factory = sessionmaker(
        bind=engine,
        expire_on_commit=False,
        autoflush=True,
        info={"store_id": store_id, "terminal_id": terminal_id},
    )
    _install_row_hooks(factory, store_id=store_id, terminal_id=terminal_id)

    def uow(*, durable: bool = False, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(factory, durable=durable, read_only=read_only)

    return uow


def _install_row_hooks(factory: sessionmaker[Session], *, store_id: str, terminal_id: str) -> None:
    def before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
        for obj in session.new:
            if isinstance(obj, SyncRow):
                if obj.id is None:
                    obj.id = new_id()
                if getattr(obj, "store_id", None) is None:
                    obj.store_id = store_id
                if getattr(obj, "terminal_id", None) is None:
                    obj.terminal_id = terminal_id

    def after_flush(session: Session, _ctx: Any) -> None:
        _write_outbox(session)

    event.listen(factory, "before_flush", before_flush)
    event.listen(factory, "after_flush", after_flush)


def _write_outbox(session: Session) -> None:
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for obj, operation in (
        *((o, "upsert") for o in session.new),
        *((o, "upsert") for o in session.dirty if session.is_modified(o)),
        *((o, "delete") for o in session.deleted),
    ):
        if not isinstance(obj, SyncRow):
            continue
        rows.append(
            {
                "entity": type(obj).__entity__,
                "entity_id": obj.id,
                "operation": operation,
                "version": obj.version,
                "payload": row_payload(obj),
                "created_at": now,
                "sent_at": None,
            }
        )
    if rows:
        session.connection().execute(insert(OutboxRow), rows)


def row_payload(obj: SyncRow) -> dict[str, Any]:
    """Column values as JSON-safe primitives (UUIDs, dates and Decimals as strings)."""
    state = inspect(obj)
    loaded = state.dict
    payload: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in loaded:
            value = loaded[key]
        elif state.pending or state.key is None or key not in state.expired_attributes:
            value = None  # never set on a new row: stored as NULL
        else:
            value = getattr(obj, key)
        payload[key] = _jsonable(value)
    return payload


_PLAIN = frozenset({str, int, bool, float, type(None)})


def _jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:  # most columns: no conversion, and no isinstance chain
        return value
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
