"""Rows queued as plain values (app/db/plain_rows.py), on SQLite and PostgreSQL: stored
and put in the outbox exactly as mapped objects are, changed with the version check, seen
by queries after a flush, and forgotten by a rollback."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm.exc import StaleDataError

from app.db import models as m
from app.db.base import Base
from app.db.plain_rows import add_row, change_row, read_row
from app.db.uow import UnitOfWork, row_payload

Uow = Callable[..., UnitOfWork]  # the `database` fixture (conftest.py) gives one
SKIPPED = {"id", "created_at", "updated_at"}


def _customer(uow: Uow, n: int) -> uuid.UUID:
    with uow() as work:
        customer = m.Customer(customer_no=f"C{n}", first_name="Anna", search_name="anna")
        work.session.add(customer)
        work.commit()
    return customer.id


def _stored(engine: Engine, table: str, row_id: uuid.UUID) -> dict[str, Any]:
    t = Base.metadata.tables[table]
    with engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.id == row_id)).one()
    return {k: v for k, v in row._mapping.items() if k not in SKIPPED}


def _outbox(engine: Engine, row_id: uuid.UUID) -> list[tuple[str, str, int, dict[str, Any]]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(m.OutboxRow.entity, m.OutboxRow.operation, m.OutboxRow.version,
                   m.OutboxRow.payload)
            .where(m.OutboxRow.entity_id == row_id).order_by(m.OutboxRow.seq)
        ).all()  # fmt: skip
    return [(e, o, v, {k: x for k, x in p.items() if k not in SKIPPED}) for e, o, v, p in rows]


def _account(customer_id: uuid.UUID, n: int) -> dict[str, Any]:
    return {"customer_id": customer_id, "account_no": f"BA{n}", "name": "Anna"}


def test_a_queued_row_is_stored_as_a_mapped_object_is(database: tuple[Engine, Uow]) -> None:
    engine, uow = database
    customer_id = _customer(uow, 1)
    with uow() as work:
        by_orm = m.BillingAccount(**_account(customer_id, 2))
        work.session.add(by_orm)
        work.commit()
    with uow() as work:
        queued = add_row(work.session, m.BillingAccount, **_account(customer_id, 1))
        work.commit()
    orm_id = by_orm.id
    orm_row, plain_row = (
        _stored(engine, "billing_accounts", orm_id),
        _stored(engine, "billing_accounts", queued),
    )
    assert orm_row.pop("account_no") == "BA2" and plain_row.pop("account_no") == "BA1"
    assert plain_row == orm_row
    assert plain_row["store_id"] == "S9" and plain_row["terminal_id"] == "T9"
    assert plain_row["version"] == 1 and plain_row["status"] == "active"  # defaults
    [(entity, operation, version, payload)] = _outbox(engine, queued)
    [(_, _, _, orm_payload)] = _outbox(engine, orm_id)
    assert (entity, operation, version) == ("billing_account", "upsert", 1)
    assert payload.pop("account_no") == "BA1" and orm_payload.pop("account_no") == "BA2"
    assert payload == orm_payload


def test_a_column_the_model_does_not_have_is_refused(database: tuple[Engine, Uow]) -> None:
    _, uow = database
    with uow() as work, pytest.raises(TypeError, match="no column 'acount_no'"):
        add_row(work.session, m.BillingAccount, acount_no="BA1")


def test_a_query_after_a_flush_sees_queued_rows(database: tuple[Engine, Uow]) -> None:
    engine, uow = database
    customer_id = _customer(uow, 2)
    with uow() as work:
        queued = add_row(work.session, m.BillingAccount, **_account(customer_id, 3))
        # Autoflush before the query: the queued row becomes a mapped object and is written.
        found = work.session.scalars(
            select(m.BillingAccount).where(m.BillingAccount.customer_id == customer_id)
        ).one()
        assert found.id == queued
        found.name = "Anna Schmidt"  # and it goes on as an ORM row
        work.commit()
    assert _stored(engine, "billing_accounts", queued)["name"] == "Anna Schmidt"
    assert [v for _, _, v, _ in _outbox(engine, queued)] == [1, 2]


def test_a_rollback_forgets_what_was_queued(database: tuple[Engine, Uow]) -> None:
    engine, uow = database
    customer_id = _customer(uow, 3)
    with uow() as work:
        session = work.session

        def refused() -> None:
            with session.begin_nested():
                add_row(session, m.BillingAccount, **_account(customer_id, 4))
                raise RuntimeError("refused")

        with pytest.raises(RuntimeError):
            refused()
        kept = add_row(session, m.BillingAccount, **_account(customer_id, 5))
        work.commit()
    with engine.connect() as conn:
        numbers = conn.execute(
            select(m.BillingAccount.account_no, m.BillingAccount.id)
            .where(m.BillingAccount.customer_id == customer_id)
        ).all()  # fmt: skip
    assert [tuple(r) for r in numbers] == [("BA5", kept)]


def test_a_queued_change_is_written_with_the_version_and_the_outbox(
    database: tuple[Engine, Uow],
) -> None:
    engine, uow = database
    customer_id = _customer(uow, 4)
    with uow() as work:
        row = read_row(work.session, m.Customer, "customer_no", "C4")
        assert row is not None and row["id"] == customer_id and row["version"] == 1
        change_row(work.session, m.Customer, row, email="anna@example.org",
                   birth_date=date(1990, 5, 17))  # fmt: skip
        work.commit()
    stored = _stored(engine, "customers", customer_id)
    assert stored["email"] == "anna@example.org" and stored["version"] == 2
    last = _outbox(engine, customer_id)[-1]
    with uow(read_only=True) as work:
        held = work.session.get(m.Customer, customer_id)
        assert held is not None
        payload = row_payload(held)
    assert last[:3] == ("customer", "upsert", 2)
    assert last[3]["birth_date"] == "1990-05-17"
    assert last[3] == {k: v for k, v in payload.items() if k not in SKIPPED}


def test_a_row_changed_meanwhile_fails_the_queued_change(database: tuple[Engine, Uow]) -> None:
    engine, uow = database
    customer_id = _customer(uow, 5)
    with uow() as work:
        row = read_row(work.session, m.Customer, "customer_no", "C5")
        assert row is not None
        work.session.execute(text("UPDATE customers SET version = version + 1"))
        change_row(work.session, m.Customer, row, email="late@example.org")
        with pytest.raises(StaleDataError):
            work.commit()
    assert _stored(engine, "customers", customer_id)["email"] is None


def test_a_queued_change_flushed_by_a_query_keeps_the_version_check(
    database: tuple[Engine, Uow],
) -> None:
    _, uow = database
    _customer(uow, 6)
    with uow() as work:
        session = work.session
        row = read_row(session, m.Customer, "customer_no", "C6")
        assert row is not None
        session.execute(text("UPDATE customers SET version = version + 1"))
        change_row(session, m.Customer, row, email="late@example.org")
        with pytest.raises(StaleDataError):
            session.flush()


def test_a_row_the_session_holds_is_read_and_changed_through_its_object(
    database: tuple[Engine, Uow],
) -> None:
    engine, uow = database
    customer_id = _customer(uow, 7)
    with uow() as work:
        held = work.session.get(m.Customer, customer_id)
        assert held is not None
        held.first_name = "Anne"  # not flushed yet
        row = read_row(work.session, m.Customer, "id", customer_id)
        assert row is not None and row["first_name"] == "Anne"
        change_row(work.session, m.Customer, row, email="anne@example.org")
        assert held.email == "anne@example.org"
        work.commit()
    stored = _stored(engine, "customers", customer_id)
    assert (stored["first_name"], stored["email"], stored["version"]) == (
        "Anne", "anne@example.org", 2,
    )  # fmt: skip
