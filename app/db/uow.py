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

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.db.base import SyncRow
from app.db.engine import DURABLE_OPTION, READ_ONLY_OPTION
from app.db.outbox import row_payload, write_outbox
from app.db.plain_rows import StoreSession
from app.db.row_writes import write_pending
from domain.ids import new_id

__all__ = ["UnitOfWork", "make_uow_factory", "row_payload"]


class UnitOfWork:
    """A session and its transaction. Not thread-safe: one per thread, per change."""

    def __init__(
        self, factory: sessionmaker[StoreSession], *, durable: bool = False, read_only: bool = False
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
        # Plain pending rows are written without the ORM's flush (row_writes.py); the
        # session's own flush then has nothing left to do.
        write_pending(self.session)
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
        class_=StoreSession,
        expire_on_commit=False,
        autoflush=True,
        info={"store_id": store_id, "terminal_id": terminal_id},
    )
    _install_row_hooks(factory, store_id=store_id, terminal_id=terminal_id)

    def uow(*, durable: bool = False, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(factory, durable=durable, read_only=read_only)

    return uow


def _install_row_hooks(
    factory: sessionmaker[StoreSession], *, store_id: str, terminal_id: str
) -> None:
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
        write_outbox(session)

    event.listen(factory, "before_flush", before_flush)
    event.listen(factory, "after_flush", after_flush)
