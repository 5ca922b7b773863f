"""One sync cycle: connect, check, push, pull, check the sums — with messages a person can act on.

:class:`CentralLink` opens the store role's connection to the centre and, once per
connection, checks what would make syncing wrong rather than merely impossible: the
central schema revision and central version against this terminal's, that the login is a
registered store role of *this* store, and the clock difference. Every failure becomes a
:class:`~app.errors.SyncError` whose message says what is wrong and what to do; the local
outbox is never touched by a failed cycle, and selling never waits for any of it.

:meth:`SyncEngine.cycle` runs push (everything waiting), pull, then the sanity check of
:mod:`app.sync.sanity`, and records the run in ``sync_runs`` for the sync panel.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.db.migrate import head_revision
from app.db.types import utcnow
from app.errors import SyncError
from app.sync.central_schema import CENTRAL_VERSION
from app.sync.pull import Puller, PullProblem, PullReport
from app.sync.push import Pusher, PushReport
from app.sync.sanity import SanityReport, check_sums

log = logging.getLogger(__name__)

MAX_CLOCK_SKEW_S = 300.0
DEADLINE_S = 120.0  # one push batch or one pull, connection included


def _shut(conn: Connection) -> None:
    """Shut the socket under a connection whose peer went silent (from the watchdog)."""
    try:
        fd = conn.connection.dbapi_connection.pgconn.socket  # type: ignore[union-attr]
        sock = socket.socket(fileno=os.dup(fd))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()
    except (OSError, AttributeError, ValueError):
        log.warning("could not shut a silent central connection", exc_info=True)


def central_url(url: str, password: str) -> URL:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SyncError(f"The central URL must start with postgresql:// (got {parsed.drivername}).")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.set(password=password) if password else parsed


def make_central_engine(url: str, password: str, *, timeout_s: int = 10) -> Engine:
    """An engine for the centre: short connect timeout, statement timeout, TCP keepalives."""
    return create_engine(
        central_url(url, password),
        pool_size=1,
        max_overflow=1,
        # No pre-ping: it would block before the watchdog of CentralLink.connect runs. A dead
        # pooled connection fails the cycle once and is replaced on the next.
        pool_pre_ping=False,
        connect_args={
            "connect_timeout": timeout_s,
            "options": f"-c statement_timeout={timeout_s * 6000}",
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 3,
            "keepalives_count": 3,
            "tcp_user_timeout": timeout_s * 3000,
            "application_name": "storedesk-sync",
        },
    )


def explain(exc: BaseException, *, where: str) -> str:
    """The sentence for the status bar and the sync panel."""
    if isinstance(exc, SyncError | PullProblem):
        return str(exc)
    raw = str(getattr(exc, "orig", None) or exc)
    first = raw.strip().splitlines()[0] if raw.strip() else type(exc).__name__
    lowered = raw.lower()
    if (
        "password authentication failed" in lowered
        or "no password supplied" in lowered
        or ("role" in lowered and "does not exist" in lowered)
    ):
        return (
            f"The central database at {where} refused this store's login ({first}). "
            "Provision the terminal again with the store's password file "
            "(storedesk provision … --password-file)."
        )
    if "permission denied" in lowered or "row-level security" in lowered:
        return (
            f"The store's role is not allowed to do this at {where} ({first}). "
            "Ask IT to run `storedesk central init` and `central add-store` for this store."
        )
    if "money record" in lowered or "is completed" in lowered:
        return f"The centre refused a change to a money record ({first})."
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return f"The connection to the central database at {where} was lost ({first})."
    if "connection" in lowered or "timeout" in lowered or "could not" in lowered:
        return f"The central database at {where} cannot be reached ({first})."
    return f"Sync failed at {where}: {first}"


@dataclass(frozen=True)
class CycleReport:
    started_at: datetime
    push: PushReport
    pull: PullReport
    sanity: SanityReport | None
    seconds: float


class CentralLink:
    """The store's connection to the centre, checked once per new connection."""

    def __init__(
        self,
        engine: Engine,
        *,
        store_id: str,
        clock: Callable[[], datetime] = utcnow,
        max_skew_s: float = MAX_CLOCK_SKEW_S,
        deadline_s: float = DEADLINE_S,
    ) -> None:
        self.engine = engine
        self.deadline_s = deadline_s
        self.store_id = store_id
        self._clock = clock
        self._max_skew_s = max_skew_s
        self._checked = False
        url = engine.url
        self.where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        try:
            conn = self.engine.connect()
        except SQLAlchemyError as exc:
            self._checked = False
            raise SyncError(explain(exc, where=self.where)) from exc
        # A route that swallows packets but keeps the TCP session alive never times out by
        # itself: past the deadline the socket is shut, and the blocked read returns.
        watchdog = threading.Timer(self.deadline_s, _shut, args=(conn,))
        watchdog.daemon = True
        watchdog.start()
        try:
            if not self._checked:
                self.check(conn)
                self._checked = True
            yield conn
        except SQLAlchemyError as exc:
            self._checked = False
            if not watchdog.is_alive():
                raise SyncError(
                    f"The central database at {self.where} did not answer within "
                    f"{self.deadline_s:.0f} s; the connection was dropped."
                ) from exc
            raise SyncError(explain(exc, where=self.where)) from exc
        finally:
            watchdog.cancel()
            conn.close()

    def recheck(self) -> None:
        """Check schema, store and clock again on the next connection (once per cycle)."""
        self._checked = False

    def check(self, conn: Connection) -> None:
        row = conn.execute(
            text(
                "SELECT (SELECT version_num FROM alembic_version LIMIT 1), "
                "(SELECT value FROM sync_meta WHERE key = 'central_version'), "
                "sync_current_store(), now()"
            )
        ).one()
        conn.rollback()
        revision, version, store, now = row
        mine = head_revision()
        if revision != mine:
            raise SyncError(
                f"The central database has schema {revision}, this terminal {mine}. "
                + (
                    "Update StoreDesk on this terminal."
                    if (revision or "") > mine
                    else "Ask IT to run `storedesk central init` with this version."
                )
            )
        if version is None or int(version) != CENTRAL_VERSION:
            raise SyncError(
                f"The central sync schema is version {version}, this terminal needs "
                f"{CENTRAL_VERSION}: ask IT to run `storedesk central init`."
            )
        if store is None:
            raise SyncError(
                f"The login {self.engine.url.username!r} is not a registered store role; "
                "ask IT to run `storedesk central add-store`."
            )
        if store != self.store_id:
            raise SyncError(
                f"The login belongs to store {store}, but this terminal is store "
                f"{self.store_id}: provision the terminal with its own store's password."
            )
        skew = (self._clock() - now).total_seconds()
        if abs(skew) > self._max_skew_s:
            direction = "ahead of" if skew > 0 else "behind"
            raise SyncError(
                f"This computer's clock is {abs(skew) / 60:.0f} minutes {direction} the "
                "central server. Set the date and time (or ask IT); sync waits, selling "
                "goes on."
            )


class SyncEngine:
    def __init__(
        self,
        local: Engine,
        link: CentralLink,
        *,
        store_id: str,
        terminal_id: str,
        batch_size: int = 2000,
    ) -> None:
        self.local = local
        self.link = link
        self.store_id = store_id
        self.terminal_id = terminal_id
        self.pusher = Pusher(
            local, link.connect, store_id=store_id, terminal_id=terminal_id, batch_size=batch_size
        )
        self.puller = Puller(local, link.connect, store_id=store_id)
        self.last_fetch: PullReport | None = None

    def cycle(self, *, should_stop: Callable[[], bool] = lambda: False) -> CycleReport:
        self.link.recheck()
        started = utcnow()
        t0 = time.perf_counter()
        push = PushReport()
        pull = PullReport()
        sanity: SanityReport | None = None
        try:
            push = self.pusher.push_all(should_stop=should_stop)
            pull = self.puller.pull(should_stop=should_stop)
            if not should_stop() and self.pusher.waiting() == 0:
                sanity = check_sums(
                    self.local, self.link.connect, store_id=self.store_id,
                    terminal_id=self.terminal_id,
                )  # fmt: skip
                if sanity.mismatches:
                    # Send the day's records again (idempotent) and look once more.
                    sanity.requeued = sanity.requeue(self.local)
                    push = _add(push, self.pusher.push_all(should_stop=should_stop))
                    sanity = check_sums(
                        self.local, self.link.connect, store_id=self.store_id,
                        terminal_id=self.terminal_id, requeued=sanity.requeued,
                    )  # fmt: skip
                    if sanity.mismatches:
                        raise SyncError(sanity.describe())
        except (SQLAlchemyError, PullProblem, SyncError, OSError) as exc:
            message = explain(exc, where=self.link.where)
            self._record(started, push, pull, ok=False, error=message)
            raise SyncError(message) from exc
        report = CycleReport(started, push, pull, sanity, time.perf_counter() - t0)
        self._record(started, push, pull, ok=True, error="")
        return report

    def find_customer(self, query: str) -> list[uuid.UUID]:
        """Fetch a customer of another store by exact customer number, phone or document
        number (online only); returns the ids now at this terminal."""
        self.link.recheck()
        try:
            with self.link.connect() as conn, conn.begin():
                ids = list(
                    conn.execute(text("SELECT sync_share_customer(:q)"), {"q": query}).scalars()
                )
            if ids:
                self.last_fetch = self.puller.fetch_customers(ids)
        except (SQLAlchemyError, PullProblem) as exc:
            raise SyncError(explain(exc, where=self.link.where)) from exc
        return ids

    def _record(
        self, started: datetime, push: PushReport, pull: PullReport, *, ok: bool, error: str
    ) -> None:
        try:
            with self.local.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO sync_runs (started_at, finished_at, pushed, pulled, conflicts, "
                    "ok, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        _stamp(started),
                        _stamp(utcnow()),
                        push.rows,
                        pull.rows,
                        push.conflicts,
                        ok,
                        error[:1000],
                    ),
                )
                # Keep a month of history and of sent outbox rows (a re-push needs them).
                conn.exec_driver_sql(
                    "DELETE FROM sync_runs WHERE started_at < datetime('now', '-35 days')"
                )
                conn.exec_driver_sql(
                    "DELETE FROM outbox WHERE sent_at IS NOT NULL "
                    "AND sent_at < datetime('now', '-35 days')"
                )
        except SQLAlchemyError:
            log.exception("could not record the sync run")


def _stamp(value: datetime) -> str:
    return value.replace(tzinfo=None).isoformat(sep=" ")


def _add(a: PushReport, b: PushReport) -> PushReport:
    return PushReport(
        a.batches + b.batches, a.rows + b.rows, a.skipped + b.skipped, a.conflicts + b.conflicts
    )
