"""Unit of work, outbox, versioning and migrations on real SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, inspect, select, text

from app.db import models as m
from app.db.engine import make_engine
from app.db.migrate import DatabaseProblem, _backup_sqlite, head_revision, include_object, upgrade
from app.db.uow import make_uow_factory


def _uow(url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    upgrade(engine)
    return engine, make_uow_factory(engine, store_id="S9", terminal_id="T9")


def test_nothing_is_written_unless_committed(tmp_path: Path) -> None:
    engine, uow = _uow(f"sqlite:///{tmp_path / 'a.db'}")
    with uow() as work:
        work.session.add(m.Customer(customer_no="C1", search_name="a"))

    def crash_midway() -> None:
        with uow() as work:
            work.session.add(m.Customer(customer_no="C2", search_name="b"))
            work.session.flush()
            raise RuntimeError("crash in the middle")

    with pytest.raises(RuntimeError):
        crash_midway()
    with uow() as work:
        assert work.session.scalars(select(m.Customer)).all() == []
        assert work.session.scalars(select(m.OutboxRow)).all() == []
    engine.dispose()


def test_every_change_writes_an_outbox_row_in_the_same_transaction(tmp_path: Path) -> None:
    engine, uow = _uow(f"sqlite:///{tmp_path / 'a.db'}")
    with uow() as work:
        row = m.Customer(customer_no="C1", first_name="Anna", search_name="anna")
        work.session.add(row)
        work.commit()
    assert row.store_id == "S9" and row.terminal_id == "T9" and row.version == 1
    assert row.id.version == 7
    with uow() as work:
        again = work.session.get(m.Customer, row.id)
        assert again is not None
        again.email = "anna@example.org"
        work.commit()
    with uow() as work:
        rows = [
            (r.entity, r.operation, r.version, r.payload)
            for r in work.session.scalars(select(m.OutboxRow).order_by(m.OutboxRow.seq))
        ]
    assert [r[:3] for r in rows] == [("customer", "upsert", 1), ("customer", "upsert", 2)]
    assert rows[1][3]["email"] == "anna@example.org"
    assert rows[1][3]["id"] == str(row.id)
    engine.dispose()


def test_stale_update_is_refused_by_the_version_check(tmp_path: Path) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    engine, uow = _uow(f"sqlite:///{tmp_path / 'a.db'}")
    with uow() as work:
        row = m.Customer(customer_no="C1", search_name="a")
        work.session.add(row)
        work.commit()

    def write_after_someone_else() -> None:
        with uow() as work:
            loaded = work.session.get(m.Customer, row.id)
            assert loaded is not None and loaded.version == 1
            # Someone else's change lands between our read and our write:
            work.session.execute(text("UPDATE customers SET version = version + 1"))
            loaded.email = "x@example.org"
            work.commit()

    with pytest.raises(StaleDataError):
        write_after_someone_else()
    engine.dispose()


def test_sqlite_pragmas_and_durable_commits(tmp_path: Path) -> None:
    engine, uow = _uow(f"sqlite:///{tmp_path / 'a.db'}")
    with uow() as work:
        assert work.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert work.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert work.session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    with uow(durable=True) as work:
        assert work.session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    engine.dispose()


def test_the_safety_level_is_set_when_it_changes_and_kept_across_transactions(
    tmp_path: Path,
) -> None:
    engine, uow = _uow(f"sqlite:///{tmp_path / 'a.db'}")
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    levels = []
    for durable in (True, True, True, False, False, True):
        with uow(durable=durable) as work:
            levels.append(work.session.execute(text("PRAGMA synchronous")).scalar())
    assert levels == [2, 2, 2, 1, 1, 2]  # FULL for money records, NORMAL otherwise
    pragmas = [s for s in sent if s.startswith("PRAGMA synchronous=")]
    assert pragmas == ["PRAGMA synchronous=FULL", "PRAGMA synchronous=NORMAL",
                       "PRAGMA synchronous=FULL"]  # fmt: skip
    engine.dispose()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    import uuid

    from sqlalchemy.exc import IntegrityError

    engine, uow = _uow(f"sqlite:///{tmp_path / 'a.db'}")

    def add_orphan() -> None:
        with uow() as work:
            work.session.add(m.Interaction(customer_id=uuid.uuid4(), kind="note", summary="x"))
            work.commit()

    with pytest.raises(IntegrityError):
        add_orphan()
    engine.dispose()


def test_naming_convention_is_applied() -> None:
    names = {c.name for t in m.Base.metadata.tables.values() for c in t.constraints}
    assert "pk_customers" in names
    assert "uq_orders_number" in names
    assert "fk_order_lines_order_id_orders" in names


def _schema_diff(engine) -> list[object]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        return compare_metadata(context, m.Base.metadata)


def test_migrations_build_the_mapped_schema_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    first = upgrade(engine)
    assert first.from_revision is None and first.to_revision == head_revision()
    assert not upgrade(engine).changed
    assert _schema_diff(engine) == []
    assert "alembic_version" in inspect(engine).get_table_names()
    engine.dispose()


@pytest.mark.postgres
def test_migrations_build_the_mapped_schema_on_postgresql(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        assert upgrade(engine).to_revision == head_revision()
        assert not upgrade(engine).changed
        assert _schema_diff(engine) == []
        uow = make_uow_factory(engine, store_id="S1", terminal_id="T1")
        with uow(durable=True) as work:
            work.session.add(m.Customer(customer_no="C1", search_name="a"))
            work.commit()
        with uow() as work:
            entities = work.session.scalars(select(m.OutboxRow.entity)).all()
        assert entities == ["customer"]
    finally:
        engine.dispose()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corrupt_database_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    before = _digest(path)
    with pytest.raises(DatabaseProblem, match=r"cannot be read.*has not been changed"):
        upgrade(make_engine(f"sqlite:///{path}"))
    assert _digest(path) == before


def test_database_from_a_newer_version_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    before = _digest(path)
    with pytest.raises(DatabaseProblem, match="newer StoreDesk"):
        upgrade(make_engine(f"sqlite:///{path}"))
    assert _digest(path) == before


def test_backup_is_a_consistent_copy(tmp_path: Path) -> None:
    engine, uow = _uow(f"sqlite:///{tmp_path / 'a.db'}")
    with uow() as work:
        work.session.add(m.Customer(customer_no="C1", search_name="a"))
        work.commit()
    backup = _backup_sqlite(engine, "0001_initial")
    assert backup is not None and backup.name.startswith("a.db.bak-0001_initial-")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT customer_no FROM customers").fetchall() == [("C1",)]
    engine.dispose()


def test_upgrade_from_0002_copies_contacts_documents_and_builds_the_index(tmp_path: Path) -> None:
    from alembic import command

    from app.db.migrate import _config
    from app.services.customer_search import CustomerSearch

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002_catalog")
        conn.exec_driver_sql(
            "INSERT INTO customers (id, store_id, terminal_id, created_at, updated_at, version, "
            "customer_no, kind, first_name, last_name, company_name, search_name, phone, email, "
            "doc_type, doc_number, doc_country, doc_expiry, status) VALUES ("
            "'0123456789abcdef0123456789abcdef', 'S1', 'T1', '2026-01-01 00:00:00', "
            "'2026-01-01 00:00:00', 1, 'C1', 'individual', 'Ольга', 'Шевченко', '', "
            "'шевченко ольга', '+4915112345678', 'o@example.org', 'ID', 'L01X00T47', 'DEU', "
            "'2030-01-01', 'active')"
        )
    upgrade(engine, backup=False)
    with engine.connect() as conn:
        media = conn.exec_driver_sql("SELECT kind, value FROM contact_media ORDER BY kind").all()
        docs = conn.exec_driver_sql("SELECT number, doc_type FROM identity_documents").all()
        hits = CustomerSearch(region="DE").search(conn, "olga shevchenko", limit=5)
        by_phone = CustomerSearch(region="DE").search(conn, "0151 12345678", limit=5)
    assert media == [("email", "o@example.org"), ("phone", "+4915112345678")]
    assert docs == [("L01X00T47", "id_card")]
    assert [h.customer_no for h in hits] == ["C1"]
    assert [h.customer_no for h in by_phone] == ["C1"]
    engine.dispose()


def test_read_only_work_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    import time

    engine = make_engine(f"sqlite:///{tmp_path / 'rw.db'}")
    upgrade(engine, backup=False)
    uow = make_uow_factory(engine, store_id="S1", terminal_id="T1")
    with uow() as writer:
        writer.session.add(m.Customer(customer_no="C1", search_name="a"))
        writer.session.flush()  # BEGIN IMMEDIATE: this transaction holds the write lock
        started = time.monotonic()
        with uow(read_only=True) as reader:
            seen = reader.session.scalar(select(func.count()).select_from(m.Customer))
            with pytest.raises(RuntimeError, match="cannot commit"):
                reader.commit()
        assert seen == 0  # the writer's row is not committed yet
        assert time.monotonic() - started < 5  # no busy wait (the timeout is 15 s)
        writer.commit()
    engine.dispose()
