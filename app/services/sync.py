"""The UI's door to sync: status (no I/O), "sync now", and the history for the sync panel.

Built by the composition root from ``[central]`` settings. Without a central URL the
terminal is not provisioned and :attr:`SyncService.enabled` is False: the status bar says
"Sync off" and everything else is local, as in demo mode.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, text

from app.db.engine import READ_ONLY_OPTION
from app.errors import SyncError
from app.services import customer_index
from app.services.cases import CaseService
from app.services.catalog import CatalogService
from app.sync.engine import CentralLink, CycleReport, SyncEngine, make_central_engine
from app.sync.worker import SyncStatus, SyncWorker


@dataclass(frozen=True)
class SyncRunView:
    started_at: str
    seconds: float
    pushed: int
    pulled: int
    conflicts: int
    ok: bool
    error: str


@dataclass(frozen=True)
class QueueRow:
    entity: str
    count: int
    oldest: str


class SyncService:
    def __init__(
        self,
        local: Engine,
        *,
        store_id: str,
        terminal_id: str,
        central_url: str,
        password: Callable[[], str],
        interval_s: float = 30.0,
        batch_size: int = 2000,
        on_cycle: Callable[[CycleReport], None] | None = None,
    ) -> None:
        self._local = local
        self._on_cycle = on_cycle
        self.enabled = bool(central_url)
        self._worker: SyncWorker | None = None
        self._problem = ""
        if not self.enabled:
            return
        try:
            engine = make_central_engine(central_url, password())
        except (SyncError, OSError, ValueError) as exc:
            self._problem = str(exc)
            return
        self.engine = SyncEngine(
            local,
            CentralLink(engine, store_id=store_id),
            store_id=store_id,
            terminal_id=terminal_id,
            batch_size=batch_size,
        )
        self._worker = SyncWorker(self.engine, interval_s=interval_s, on_cycle=on_cycle)

    def start(self) -> None:
        if self._worker is not None:
            self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self.engine.link.engine.dispose()

    def status(self) -> SyncStatus:
        """The last known state; cheap, no I/O: the status bar calls it every second."""
        if not self.enabled:
            return SyncStatus(state="off")
        if self._worker is None:
            return SyncStatus(state="offline", error=self._problem)
        return self._worker.status()

    def find_customer(self, queries: Sequence[str]) -> list[uuid.UUID]:
        """Ask the centre for a customer of another store (exact number, phone, document);
        the customer comes down with contacts and subscriptions. Network: off the GUI thread.
        Raises SyncError when not provisioned or offline."""
        if not self.enabled or self._worker is None:
            raise SyncError(
                "Searching other stores needs the central database; this terminal is "
                + ("not provisioned." if not self.enabled else f"offline ({self._problem}).")
            )
        found: list[uuid.UUID] = []
        for query in dict.fromkeys(q.strip() for q in queries if q.strip()):
            found += [i for i in self.engine.find_customer(query) if i not in found]
            if found:
                break
        if found and self._on_cycle is not None and self.engine.last_fetch is not None:
            from app.db.types import utcnow
            from app.sync.push import PushReport

            self._on_cycle(CycleReport(utcnow(), PushReport(), self.engine.last_fetch, None, 0.0))
        return found

    def sync_now(self) -> None:
        if self._worker is not None:
            self._worker.sync_now()

    # -- for the sync panel (run off the GUI thread) ----------------------------------
    def history(self, *, limit: int = 50) -> list[SyncRunView]:
        with _reader(self._local).connect() as conn:  # no write lock: never waits for a sale
            rows = conn.execute(
                text(
                    "SELECT started_at, finished_at, pushed, pulled, conflicts, ok, error "
                    "FROM sync_runs ORDER BY id DESC LIMIT :n"
                ),
                {"n": limit},
            ).all()
        return [
            SyncRunView(
                started_at=str(r[0])[:19],
                seconds=_seconds(r[0], r[1]),
                pushed=int(r[2]),
                pulled=int(r[3]),
                conflicts=int(r[4]),
                ok=bool(r[5]),
                error=str(r[6] or ""),
            )
            for r in rows
        ]

    def queue(self) -> list[QueueRow]:
        with _reader(self._local).connect() as conn:  # no write lock: never waits for a sale
            rows = conn.execute(
                text(
                    "SELECT entity, count(*), min(created_at) FROM outbox "
                    "WHERE sent_at IS NULL GROUP BY entity ORDER BY count(*) DESC"
                )
            ).all()
        return [QueueRow(str(r[0]), int(r[1]), str(r[2])[:19]) for r in rows]


def refresh_after_pull(
    local: Engine, catalog: CatalogService, cases: CaseService | None = None
) -> Callable[[CycleReport], None]:
    """What a pull changes outside its rows: the loaded catalog, the customer search, and
    the timeline and hand-ons of cases worked at another store."""

    def after(report: CycleReport) -> None:
        if cases is not None and report.pull.remote_case_events:
            cases.after_pull(report.pull.remote_case_events)
        if report.pull.changed & {"offering", "promotion", "catalog_policies"}:
            catalog.invalidate()
        if report.pull.changed_customers:
            with local.begin() as conn:
                for customer_id in report.pull.changed_customers:
                    customer_index.refresh(conn, customer_id)

    return after


def _seconds(start: object, end: object) -> float:
    try:
        a = datetime.fromisoformat(str(start))
        b = datetime.fromisoformat(str(end))
    except ValueError:
        return 0.0
    return max((b - a).total_seconds(), 0.0)


def _reader(local: Engine) -> Engine:
    return local.execution_options(**{READ_ONLY_OPTION: True})
