"""Reads compiled once and run as the driver's SQL (app/db/prepared.py), on SQLite and
PostgreSQL: the same rows and value types as ``connection.execute``, the values a
statement was built with kept, ``UPDATE … RETURNING`` and plain UPDATEs, the engine's
cursor events still seen, and what cannot be prepared refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, event, insert, select, update
from sqlalchemy.exc import OperationalError

from app.db import models as m
from app.db import prepared
from app.db.uow import UnitOfWork

Uow = Callable[..., UnitOfWork]  # the `database` fixture (conftest.py) gives one
T0 = datetime(2026, 11, 23, 9, 30, 15, 250_000, tzinfo=UTC)

# Module-level, as in the services: the same statement objects serve both databases.
_BY_ENTITY = (
    select(
        m.OutboxRow.entity_id, m.OutboxRow.version, m.OutboxRow.payload,
        m.OutboxRow.created_at, m.OutboxRow.sent_at,
    )
    .where(m.OutboxRow.entity == bindparam("entity"))
    .order_by(m.OutboxRow.version)
)  # fmt: skip
_UNSENT_UPSERTS = (
    select(m.OutboxRow.version)
    .where(m.OutboxRow.operation == "upsert", m.OutboxRow.sent_at.is_(None))
    .order_by(m.OutboxRow.version)
    .limit(2)
)
_BUMP = (
    update(m.OutboxRow)
    .where(m.OutboxRow.entity_id == bindparam("entity_id"))
    .values(version=m.OutboxRow.version + 10)
    .returning(m.OutboxRow.version)
)
_MARK_SENT = (
    update(m.OutboxRow)
    .where(m.OutboxRow.entity_id == bindparam("entity_id"))
    .values(sent_at=bindparam("sent_at"))
)
_IN_LIST = select(m.OutboxRow.seq).where(m.OutboxRow.entity.in_(["a", "b"]))


def _fill(engine: Engine) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(4)]
    rows: list[dict[str, Any]] = [
        {
            "entity": "customer" if n < 3 else "order",
            "entity_id": ids[n],
            "operation": "upsert" if n != 1 else "delete",
            "version": n + 1,
            "payload": {"n": n, "name": "Zoë", "tags": ["a", None]},
            "created_at": T0 + timedelta(minutes=n),
            "sent_at": T0 if n == 0 else None,
        }
        for n in range(4)
    ]
    with engine.begin() as conn:
        conn.execute(insert(m.OutboxRow), rows)
    return ids


def test_a_read_gives_what_connection_execute_gives(database: tuple[Engine, Uow]) -> None:
    engine, _ = database
    ids = _fill(engine)
    with engine.connect() as conn:
        expected = [tuple(r) for r in conn.execute(_BY_ENTITY, {"entity": "customer"})]
        found = prepared.rows(conn, _BY_ENTITY, {"entity": "customer"})
        again = prepared.rows(conn, _BY_ENTITY, {"entity": "order"})  # compiled once, reused
    assert found == expected and len(found) == 3
    entity_id, version, payload, created_at, sent_at = found[0]
    assert entity_id == ids[0] and isinstance(entity_id, uuid.UUID)
    assert (version, payload) == (1, {"n": 0, "name": "Zoë", "tags": ["a", None]})
    assert created_at == T0 and created_at.tzinfo is not None and sent_at == T0
    assert found[1][4] is None
    assert [r[0] for r in again] == [ids[3]]


def test_values_the_statement_was_built_with_are_kept(database: tuple[Engine, Uow]) -> None:
    engine, _ = database
    _fill(engine)
    with engine.connect() as conn:
        assert prepared.rows(conn, _UNSENT_UPSERTS, {}) == [(3,), (4,)]  # not 1 (sent), not 2
        assert prepared.first(conn, _UNSENT_UPSERTS, {}) == (3,)
        assert prepared.scalar(conn, _UNSENT_UPSERTS, {}) == 3
        assert prepared.first(conn, _BY_ENTITY, {"entity": "case"}) is None
        assert prepared.scalar(conn, _BY_ENTITY, {"entity": "case"}) is None


def test_update_returning_and_a_plain_update(database: tuple[Engine, Uow]) -> None:
    engine, _ = database
    ids = _fill(engine)
    later = T0 + timedelta(hours=1)
    with engine.begin() as conn:
        assert prepared.scalar(conn, _BUMP, {"entity_id": ids[2]}) == 13
        assert prepared.rows(conn, _MARK_SENT, {"entity_id": ids[2], "sent_at": later}) == []
    with engine.connect() as conn:
        row = conn.execute(
            select(m.OutboxRow.version, m.OutboxRow.sent_at).where(m.OutboxRow.entity_id == ids[2])
        ).one()
    assert tuple(row) == (13, later)  # the timestamp went through the column's conversion


def test_the_engine_still_sees_each_statement(database: tuple[Engine, Uow]) -> None:
    """Failure injection (the atomicity tests) and statement capture (the benchmarks) hang
    on the engine's cursor events: a prepared read passes through them."""
    engine, _ = database
    ids = _fill(engine)
    seen: list[str] = []

    def fail_updates(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        seen.append(statement)
        if statement.lstrip().upper().startswith("UPDATE"):
            raise OperationalError(statement, None, RuntimeError("injected"))

    event.listen(engine, "before_cursor_execute", fail_updates)
    try:
        with engine.connect() as conn:
            assert len(prepared.rows(conn, _BY_ENTITY, {"entity": "customer"})) == 3
            with pytest.raises(OperationalError, match="injected"):
                prepared.scalar(conn, _BUMP, {"entity_id": ids[0]})
    finally:
        event.remove(engine, "before_cursor_execute", fail_updates)
    statements = [s for s in seen if "outbox" in s]  # SQLite's BEGIN IMMEDIATE too
    assert len(statements) == 2 and statements[0].lstrip().startswith("SELECT")
    with engine.connect() as conn:
        assert conn.scalar(select(m.OutboxRow.version).where(m.OutboxRow.entity_id == ids[0])) == 1


def test_what_cannot_be_prepared_is_refused(database: tuple[Engine, Uow]) -> None:
    engine, _ = database
    with engine.connect() as conn:
        with pytest.raises(ValueError, match="expanding IN"):
            prepared.rows(conn, _IN_LIST, {})
        with pytest.raises(TypeError, match="'entity'"):
            prepared.rows(conn, _BY_ENTITY, {"kind": "customer"})


def test_timestamps_are_stored_in_utc_whatever_their_zone(database: tuple[Engine, Uow]) -> None:
    """Writes remember the timestamps they converted last: the same instant given in
    another zone, and more timestamps than are remembered, are all stored right."""
    engine, _ = database
    berlin = timezone(timedelta(hours=1))
    stamps = [T0 + timedelta(seconds=n) for n in range(40)]
    stamps += [s.astimezone(berlin) for s in stamps]  # equal instants, other zone
    rows = [
        {"entity": "order", "entity_id": uuid.uuid4(), "operation": "upsert", "version": n,
         "payload": {}, "created_at": stamp, "sent_at": None}
        for n, stamp in enumerate(stamps)
    ]  # fmt: skip
    with engine.begin() as conn:
        for row in rows:
            prepared.run(conn, "test-outbox", lambda: insert(m.OutboxRow), [row])
    with engine.connect() as conn:
        stored = conn.execute(
            select(m.OutboxRow.created_at).order_by(m.OutboxRow.version)
        ).scalars()
        assert list(stored) == stamps
