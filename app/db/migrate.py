"""Schema migrations run from the app: at start-up and by ``storedesk db upgrade``.

Before a SQLite file is migrated it is copied with SQLite's online backup API next to the
original (``storedesk.sqlite3.bak-<old revision>-<UTC time>``), so a failed upgrade never
costs data. A database written by a newer StoreDesk, or a file that is not a database,
raises :class:`DatabaseProblem` with what is wrong and what to do; the file is left as is.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError, OperationalError

import migrations

SEARCH_TABLE_PREFIX = "customer_search"  # app.services.customer_index.TABLE and its shadows

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


class DatabaseProblem(Exception):
    """The database cannot be used as it is; the message says why and what to do."""


@dataclass(frozen=True)
class MigrationResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "migrations/versions holds no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except (DatabaseError, OperationalError) as exc:
        raise DatabaseProblem(
            f"The local database at {_where(engine)} cannot be read ({_reason(exc)}). "
            "It may be damaged or not a StoreDesk database. It has not been changed: move it "
            "aside (or restore the newest .bak file next to it) and start StoreDesk again."
        ) from exc


def upgrade(engine: Engine, *, backup: bool = True) -> MigrationResult:
    """Bring the schema to the newest revision; back the SQLite file up first if it changes."""
    script = ScriptDirectory.from_config(_config())
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return MigrationResult(current, head, None)
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise DatabaseProblem(
            f"The local database at {_where(engine)} was written by a newer StoreDesk "
            f"(schema {current}; this version knows up to {head}). It has not been changed: "
            "install the newer StoreDesk again, or ask IT."
        )
    backup_path = _backup_sqlite(engine, current) if backup and current is not None else None
    cfg = _config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # A batch migration rebuilds a table (copy, drop, rename) that others refer
            # to; SQLite's own recipe is keys off for the change and one check before the
            # commit (deferring them is not enough: a dropped parent counts as violated).
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite:
                    _check_foreign_keys(conn)
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    return MigrationResult(current, head, backup_path)


def _check_foreign_keys(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        raise DatabaseProblem(
            f"Upgrading the local database would leave a {broken[0]} row referring to a "
            f"missing {broken[2]} row; nothing was changed. Ask IT (keep the database file)."
        )


def _backup_sqlite(engine: Engine, revision: str | None) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    source = Path(database)
    if not source.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = source.with_name(f"{source.name}.bak-{revision}-{stamp}")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def _where(engine: Engine) -> str:
    return (
        engine.url.database or ""
        if engine.dialect.name == "sqlite"
        else engine.url.render_as_string()
    )


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0]


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave SQLite's FTS5 search tables (and their shadow tables) out of schema compares."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE_PREFIX))
