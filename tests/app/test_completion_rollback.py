"""Completing a sale is one transaction: a failure at any table's write leaves nothing behind.

A full new-line sale (plan with a chosen number, SIM, phone by IMEI, accessory from stock,
registered customer) writes the order, its lines and events, the payment, stock units and
levels with their moves, the number, the subscription and billing account, the timeline,
the search index, counters and the outbox. For each of those tables the write is made to
fail; afterwards every table holds exactly what it held before, and the same basket can
then be paid.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text

from app.bootstrap import Services
from app.db import models as m
from app.db.base import Base
from app.demo.seed import demo_iccid, demo_imei
from app.services.auth import UserInfo

WRITE = re.compile(r'^\s*(?:INSERT(?: OR \w+)? INTO|UPDATE|DELETE FROM)\s+"?(\w+)', re.I)

# Everything completing a new-line sale may write; a new table written by completion
# makes test_completion_writes_only_the_known_tables fail until it is added here.
TABLES = (
    "orders",
    "order_events",
    "payments",
    "sim_cards",
    "device_units",
    "stock_levels",
    "stock_moves",
    "phone_numbers",
    "billing_accounts",
    "subscriptions",
    "interactions",
    "customer_search",
    "counters",
    "outbox",
)


@pytest.fixture
def anna(demo_services: Services) -> UserInfo:
    return demo_services.auth.login("anna", "1111")


def _basket(services: Services, user: UserInfo, n: int) -> uuid.UUID:
    sales = services.sales
    cid = services.customers.search(f"C0000002{n}")[0].id
    basket = sales.start(customer_id=cid, user=user)
    basket = sales.add_code(basket.order_id, "PLAN-S", user=user)
    sales.choose_number(basket.order_id, basket.lines[0].id, f"+49152030001{n}0", user=user)
    sales.add_code(basket.order_id, demo_iccid(1, 70 + n), user=user)
    sales.add_code(basket.order_id, demo_imei("35328115", n), user=user)
    sales.add_code(basket.order_id, "ACC-CASE", user=user)
    return basket.order_id


@contextmanager
def _writes(engine: Engine) -> Iterator[set[str]]:
    seen: set[str] = set()

    def record(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        match = WRITE.match(statement)
        if match:
            seen.add(match.group(1).lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def _failing(engine: Engine, table: str) -> Iterator[list[str]]:
    hits: list[str] = []

    def boom(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        match = WRITE.match(statement)
        if match and match.group(1).lower() == table:
            hits.append(statement)
            raise OSError(f"disk unplugged while writing {table}")

    event.listen(engine, "before_cursor_execute", boom)
    try:
        yield hits
    finally:
        event.remove(engine, "before_cursor_execute", boom)


def _state(services: Services, order_id: uuid.UUID) -> dict[str, Any]:
    """Row counts of every table and the statuses the sale would change."""
    with services.engine.connect() as conn:
        state: dict[str, Any] = {
            table.name: conn.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }
        state["customer_search"] = conn.scalar(text("SELECT count(*) FROM customer_search"))
        state["order"] = conn.execute(
            select(m.Order.status, m.Order.receipt_number, m.Order.version).where(
                m.Order.id == order_id
            )
        ).one()
        state["units"] = sorted(
            [tuple(r) for r in conn.execute(select(m.SimCard.iccid, m.SimCard.status))]
            + [tuple(r) for r in conn.execute(select(m.DeviceUnit.imei, m.DeviceUnit.status))]
        )
        state["numbers"] = sorted(conn.execute(select(m.PhoneNumber.msisdn, m.PhoneNumber.status)))
        state["on_hand"] = sorted(
            conn.execute(select(m.StockLevel.offering_id, m.StockLevel.on_hand))
        )
        state["counters"] = sorted(
            conn.execute(select(m.Counter.series, m.Counter.next_value)).all()
        )
    return state


def test_completion_writes_only_the_known_tables(demo_services: Services, anna: UserInfo) -> None:
    order_id = _basket(demo_services, anna, 1)
    with _writes(demo_services.engine) as seen:
        demo_services.sales.pay_cash(order_id, "2000", user=anna)
    assert seen <= set(TABLES), f"completion now also writes {sorted(seen - set(TABLES))}"
    assert seen >= set(TABLES), f"completion no longer writes {sorted(set(TABLES) - seen)}"


@pytest.mark.parametrize("table", TABLES)
def test_a_failure_at_any_write_leaves_nothing(
    demo_services: Services, anna: UserInfo, table: str
) -> None:
    order_id = _basket(demo_services, anna, 2)
    before = _state(demo_services, order_id)
    with (
        _failing(demo_services.engine, table) as hits,
        pytest.raises(OSError, match=f"while writing {table}"),
    ):
        demo_services.sales.pay_cash(order_id, "2000", user=anna)
    assert hits
    assert _state(demo_services, order_id) == before
    # Nothing is stuck: the same basket completes once the disk is back.
    result = demo_services.sales.pay_cash(order_id, "2000", user=anna)
    after = _state(demo_services, order_id)
    assert after["order"][0] == "completed" and after["order"][1] == result.receipt_number
    assert after["payments"] == before["payments"] + 1
