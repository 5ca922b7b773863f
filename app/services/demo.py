"""Creating the demo store (for trying StoreDesk and for benchmarks)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from app.db.uow import UnitOfWork
from app.demo.seed import DemoSummary, Progress, ensure_demo


class DemoService:
    def __init__(
        self, engine: Engine, uow: Callable[..., UnitOfWork], *, store_id: str, terminal_id: str
    ) -> None:
        self._engine = engine
        self._uow = uow
        self._store_id = store_id
        self._terminal_id = terminal_id

    def ensure(self, *, customers: int = 300, progress: Progress | None = None) -> DemoSummary:
        if customers < 0:
            raise ValueError("customers cannot be negative")
        return ensure_demo(
            self._engine,
            self._uow,
            store_id=self._store_id,
            terminal_id=self._terminal_id,
            customers=customers,
            progress=progress,
        )
