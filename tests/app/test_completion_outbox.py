"""What one completed sale leaves for sync and search, read back from the database.

- Every business row the completion inserted or updated has exactly ONE new outbox row,
  with the row's stored version and a payload equal to :func:`app.db.uow.row_payload` of
  the row as stored; no outbox row names a row that did not change. (Completion writes
  everything in one flush; before, a row written by two flushes got two outbox rows.)
- The customer's search row gets the sale's identifiers added in place of a rebuild: it
  must hold exactly the identifiers a full rebuild from the tables gives.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.bootstrap import Services
from app.db import models as m
from app.db.base import Base, SyncRow
from app.db.uow import row_payload
from app.demo.seed import demo_iccid, demo_imei
from app.services import customer_index
from app.services.auth import UserInfo

MAPPED: dict[str, type[Any]] = {
    mapper.local_table.name: mapper.class_  # type: ignore[attr-defined]
    for mapper in Base.registry.mappers
    if issubclass(mapper.class_, SyncRow)
}


def _versions(services: Services) -> dict[tuple[str, uuid.UUID], int]:
    """(table, id) → version of every business row."""
    found: dict[tuple[str, uuid.UUID], int] = {}
    with Session(services.engine) as session:
        for table, cls in MAPPED.items():
            for row_id, version in session.execute(select(cls.id, cls.version)):
                found[(table, row_id)] = version
    return found


def _full_basket(services: Services, user: UserInfo) -> tuple[uuid.UUID, uuid.UUID]:
    """Plan with a chosen number, SIM, phone and case for C00000025, ready to pay."""
    sales = services.sales
    customer_id = services.customers.search("C00000025")[0].id
    basket = sales.start(customer_id=customer_id, user=user)
    basket = sales.add_code(basket.order_id, "PLAN-S", user=user)
    sales.choose_number(basket.order_id, basket.lines[0].id, "+4915203000209", user=user)
    sales.add_code(basket.order_id, demo_iccid(1, 76), user=user)
    sales.add_code(basket.order_id, demo_imei("35328115", 5), user=user)
    basket = sales.add_code(basket.order_id, "ACC-CASE", user=user)
    assert [line.sku for line in basket.lines] == ["PLAN-S", "SIM-STD", "DEV-A15", "ACC-CASE"]
    return basket.order_id, customer_id


def test_every_row_a_sale_writes_has_exactly_one_outbox_row(
    demo_services: Services, anna: UserInfo
) -> None:
    services = demo_services
    order_id, _ = _full_basket(services, anna)
    with services.engine.connect() as conn:
        last_seq = conn.execute(text("SELECT coalesce(max(seq), 0) FROM outbox")).scalar_one()
    before = _versions(services)
    services.sales.pay_cash(order_id, "2000", user=anna)
    after = _versions(services)
    changed = {key: v for key, v in after.items() if before.get(key) != v}
    assert ("orders", order_id) in changed

    with Session(services.engine) as session:
        outbox = session.scalars(
            select(m.OutboxRow).where(m.OutboxRow.seq > last_seq).order_by(m.OutboxRow.seq)
        ).all()
        named = [(row.entity, row.entity_id) for row in outbox]
        assert len(named) == len(set(named)), "a row has more than one outbox row"
        entity_of = {table: cls.__entity__ for table, cls in MAPPED.items()}
        assert set(named) == {(entity_of[t], i) for t, i in changed}
        for row in outbox:
            table = next(t for t, e in entity_of.items() if e == row.entity)
            stored = session.get(MAPPED[table], row.entity_id)
            assert stored is not None, (row.entity, row.entity_id)
            assert row.operation == "upsert"
            assert row.version == stored.version, row.entity
            assert row.payload == row_payload(stored), row.entity
    sale = {e for e, _ in named}
    assert {"order", "order_event", "payment", "sim_card", "device_unit", "phone_number"} <= sale
    assert {"subscription", "interaction", "stock_move", "till_movement"} <= sale


def test_the_search_row_after_a_sale_is_what_a_rebuild_gives(
    demo_services: Services, anna: UserInfo
) -> None:
    services = demo_services
    order_id, customer_id = _full_basket(services, anna)
    services.sales.pay_cash(order_id, "2000", user=anna)

    def ids_in_index() -> set[str]:
        with services.engine.connect() as conn:
            (ids,) = conn.execute(
                text("SELECT ids FROM customer_search WHERE customer_id = :cid"),
                {"cid": customer_id.hex},
            ).one()
        return set(ids.split())

    added = ids_in_index()
    with services.engine.begin() as conn:
        customer_index.refresh(conn, customer_id)
    assert added == ids_in_index()
    assert {"4915203000209", demo_iccid(1, 76), demo_imei("35328115", 5)} <= added


def test_adding_identifiers_needs_the_row(demo_services: Services) -> None:
    """No row to add to (or an index without it): nothing is written, False is returned."""
    services = demo_services
    customer_id = services.customers.search("C00000026")[0].id
    with services.engine.begin() as conn:
        assert customer_index.add_identifiers(conn, customer_id, "C00000026", ["RCP-X-1"])
        assert not customer_index.add_identifiers(conn, uuid.uuid4(), "C99999999", ["RCP-X-2"])
        held = conn.execute(
            text("SELECT ids FROM customer_search WHERE customer_id = :cid"),
            {"cid": customer_id.hex},
        ).scalar_one()
        assert held.split().count("RCPX1") == 1
        # Adding what the row already holds writes nothing.
        assert customer_index.add_identifiers(conn, customer_id, "C00000026", ["RCP-X-1"])
        again = conn.execute(
            text("SELECT ids FROM customer_search WHERE customer_id = :cid"),
            {"cid": customer_id.hex},
        ).scalar_one()
        assert again == held
    assert [c.id for c in services.customers.search("RCP-X-1")] == [customer_id]
