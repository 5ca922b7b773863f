"""Committing plain rows without the ORM's flush (app/db/row_writes.py), on SQLite and
PostgreSQL: the same rows and outbox rows as the ORM writes, a clean session after,
the version check kept, and everything that is not plain left to the ORM."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import models as m
from app.db.base import Base
from app.db.row_writes import write_pending
from app.db.uow import UnitOfWork, row_payload

Uow = Callable[..., UnitOfWork]  # the `database` fixture (conftest.py) gives one
SKIPPED = {"id", "customer_id", "billing_account_id", "created_at", "updated_at"}


def _new_line(uow: Uow, n: int, *, orm: bool) -> tuple[uuid.UUID, uuid.UUID]:
    """A customer with an account and a subscription, and a change to the customer, in
    two transactions; ``orm`` makes the ORM's flush write them (as before the commit)."""
    with uow() as work:
        customer = m.Customer(customer_no=f"C{n}", first_name="Anna", search_name="anna")
        work.session.add(customer)
        work.session.flush()
        account = m.BillingAccount(id=uuid.uuid4(), customer_id=customer.id, account_no=f"BA{n}",
                                   name="Anna")  # fmt: skip
        work.session.add(account)
        work.session.add(
            m.Subscription(
                customer_id=customer.id, msisdn=f"+4915200000{n}", plan_name="S",
                billing_account_id=account.id, commitment_end=date(2028, 1, 31),
            )
        )  # fmt: skip
        if orm:
            work.session.flush()
        work.commit()
    with uow() as work:
        again = _customer(work.session, customer.id)
        again.email = "anna@example.org"
        again.birth_date = date(1990, 5, 17)
        if orm:
            work.session.flush()
        work.commit()
    return customer.id, account.id


def _customer(session: Session, customer_id: uuid.UUID) -> m.Customer:
    found = session.get(m.Customer, customer_id)
    assert found is not None
    return found


def _stored(engine: Engine, customer_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    """The customer's rows as stored, without their ids, keys and timestamps."""
    found = {}
    tables = {"customers": "id", "billing_accounts": "customer_id", "subscriptions": "customer_id"}
    with engine.connect() as conn:
        for name, key in tables.items():
            table = Base.metadata.tables[name]
            row = conn.execute(select(table).where(table.c[key] == customer_id)).one()
            found[name] = {k: v for k, v in row._mapping.items() if k not in SKIPPED}
    return found


def _outbox(engine: Engine) -> list[tuple[str, str, int, dict[str, Any]]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(m.OutboxRow.entity, m.OutboxRow.operation, m.OutboxRow.version,
                   m.OutboxRow.payload).order_by(m.OutboxRow.seq)
        ).all()  # fmt: skip
    return [(e, o, v, {k: x for k, x in p.items() if k not in SKIPPED}) for e, o, v, p in rows]


def test_plain_rows_are_stored_as_the_orm_stores_them(database: tuple[Engine, Uow]) -> None:
    engine, uow = database
    by_orm, _ = _new_line(uow, 1, orm=True)
    mark = len(_outbox(engine))
    plain, _ = _new_line(uow, 2, orm=False)
    orm_rows, plain_rows = _stored(engine, by_orm), _stored(engine, plain)
    for rows in (orm_rows, plain_rows):  # the number in each differs by design
        rows["customers"].pop("customer_no")
        rows["billing_accounts"].pop("account_no")
        rows["subscriptions"].pop("msisdn")
    assert plain_rows == orm_rows
    assert plain_rows["customers"]["version"] == 2
    assert plain_rows["customers"]["store_id"] == "S9"
    assert plain_rows["subscriptions"]["addons"] == []  # a callable default
    assert plain_rows["subscriptions"]["status"] == "active"  # a scalar default

    outbox = _outbox(engine)
    strip = {"customer_no", "account_no", "msisdn"}
    orm_box = [
        (e, o, v, {k: x for k, x in p.items() if k not in strip}) for e, o, v, p in outbox[:mark]
    ]
    plain_box = [
        (e, o, v, {k: x for k, x in p.items() if k not in strip}) for e, o, v, p in outbox[mark:]
    ]
    assert plain_box == orm_box
    assert [(e, v) for e, _, v, _ in plain_box] == [
        ("customer", 1), ("billing_account", 1), ("subscription", 1), ("customer", 2),
    ]  # fmt: skip


def test_outbox_payload_is_the_row_as_stored(database: tuple[Engine, Uow]) -> None:
    _, uow = database
    customer_id, _ = _new_line(uow, 3, orm=False)
    with uow() as work:
        customer = work.session.get(m.Customer, customer_id)
        last = work.session.scalars(
            select(m.OutboxRow).where(m.OutboxRow.entity_id == customer_id)
            .order_by(m.OutboxRow.seq.desc()).limit(1)
        ).one()  # fmt: skip
        assert customer is not None
        assert last.payload == row_payload(customer)
        assert last.version == customer.version == 2


def test_after_writing_the_session_is_clean_and_the_rows_are_persistent(
    database: tuple[Engine, Uow],
) -> None:
    engine, uow = database
    customer_id, account_id = _new_line(uow, 4, orm=False)
    with uow() as work:
        session = work.session
        customer = _customer(session, customer_id)
        customer.segment = "business"
        sub = m.Subscription(customer_id=customer_id, msisdn="+491520000099", plan_name="M",
                             billing_account_id=account_id)  # fmt: skip
        session.add(sub)
        assert write_pending(session) is True
        assert not session.new and not session.dirty
        assert inspect(sub).persistent and inspect(customer).persistent
        assert sub.customer is customer  # a relationship loads as for a flushed row
        assert sub.version == 1 and customer.version == 3
        session.flush()  # nothing left: no second write, no second outbox row
        work.commit()
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(m.OutboxRow).where(m.OutboxRow.entity_id == sub.id)
        ).scalar()
    assert count == 1


def test_a_change_made_meanwhile_fails_the_version_check(database: tuple[Engine, Uow]) -> None:
    engine, uow = database
    customer_id, _ = _new_line(uow, 5, orm=False)
    with uow() as work:
        customer = _customer(work.session, customer_id)
        work.session.execute(text("UPDATE customers SET version = version + 1"))
        customer.email = "late@example.org"
        with pytest.raises(StaleDataError):
            work.commit()
    with engine.connect() as conn:
        email = conn.execute(select(m.Customer.email).where(m.Customer.id == customer_id))
        assert email.scalar() == "anna@example.org"


def test_a_unique_value_freed_and_taken_in_one_transaction(
    database: tuple[Engine, Uow],
) -> None:
    """Updates go before inserts within a table, as with the ORM's flush."""
    engine, uow = database
    customer_id, _ = _new_line(uow, 6, orm=False)
    with uow() as work:
        old = _customer(work.session, customer_id)
        old.customer_no = "C6-merged"
        work.session.add(m.Customer(customer_no="C6", search_name="b"))
        work.commit()
    with engine.connect() as conn:
        numbers = conn.execute(select(m.Customer.customer_no).order_by(m.Customer.customer_no))
        assert numbers.scalars().all() == ["C6", "C6-merged"]


def test_what_is_not_plain_is_left_to_the_orm(database: tuple[Engine, Uow]) -> None:
    engine, uow = database
    customer_id, account_id = _new_line(uow, 7, orm=False)
    before = len(_outbox(engine))
    with uow() as work:
        session = work.session
        sub = session.scalars(
            select(m.Subscription).where(m.Subscription.customer_id == customer_id)
        ).one()
        session.delete(sub)
        assert write_pending(session) is False  # a delete
        assert session.deleted
        work.commit()
    with uow() as work:
        customer = _customer(work.session, customer_id)
        # A new row joined by its relationship: the ORM works out the foreign key.
        customer.subscriptions.append(
            m.Subscription(msisdn="+491520000077", plan_name="L", billing_account_id=account_id)
        )
        assert write_pending(work.session) is False
        assert work.session.new
        work.commit()
    outbox = _outbox(engine)[before:]
    # The flush hook also names the customer whose collection changed, at its unchanged
    # version (an upsert the centre finds it already has).
    assert [(e, o, v) for e, o, v, _ in outbox] == [
        ("subscription", "delete", 1), ("subscription", "upsert", 1), ("customer", "upsert", 2),
    ]  # fmt: skip
