"""Engine creation for the local SQLite database (and PostgreSQL, for the centre and tests).

SQLite is opened with WAL, foreign keys on and a busy timeout. Python's sqlite3 module is
told to leave transactions alone, and every transaction starts with ``BEGIN IMMEDIATE``:
a writer takes the write lock up front instead of failing halfway with SQLITE_BUSY when
it upgrades from a read (SQLAlchemy's documented pysqlite recipe).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_S = 15.0


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create (not connect) an engine; nothing touches the disk or network until first use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, entry: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, see _sqlite_on_begin
    entry.info.pop("synchronous", None)  # a new connection: its level is set at its first BEGIN
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


DURABLE_OPTION = "storedesk_durable"
READ_ONLY_OPTION = "storedesk_read_only"


def _sqlite_on_begin(conn: Any) -> None:
    options = conn.get_execution_options()
    if options.get(READ_ONLY_OPTION, False):
        # Reads (search, profiles, lists) take no write lock: a plain deferred BEGIN sees
        # one consistent snapshot (WAL) and never waits for, or blocks, a sale.
        conn.exec_driver_sql("BEGIN")
        return
    # The safety level can only change outside a transaction, so it is chosen here, per
    # transaction: FULL for money records (fsync on every commit), NORMAL otherwise.
    # The connection remembers the level it was last given: a run of sales sets it once.
    level = "FULL" if options.get(DURABLE_OPTION, False) else "NORMAL"
    held = conn.connection.info
    if held.get("synchronous") != level:
        conn.exec_driver_sql(f"PRAGMA synchronous={level}")
        held["synchronous"] = level
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
