"""Push and pull against a real central PostgreSQL: two stores, terminals that converge."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from app.db import models as m
from tests.sync.terminals import Central, Terminal

pytestmark = pytest.mark.postgres


def test_a_new_terminal_pulls_catalog_staff_and_its_numbers(
    central: Central, terminal: Callable[..., Terminal]
) -> None:
    t = terminal("S001")
    with t.services.engine.connect() as conn:
        offerings = conn.execute(select(m.Offering.store_id)).scalars().all()
        users = conn.execute(select(m.User.store_id, m.User.username)).all()
        numbers = conn.execute(select(m.PhoneNumber.store_id)).scalars().all()
    assert offerings and set(offerings) == {"HQ"}
    assert sorted(u.username for u in users) == ["anna", "boris", "ivan", "maria"]
    assert {u.store_id for u in users} == {"S001"}
    assert len(numbers) == 300 and set(numbers) == {"S001"}
    assert t.services.catalog.find_by_code("ACC-CASE") is not None
    t.login("anna", "1111")


def test_sales_push_once_and_the_sums_agree(
    central: Central, terminal: Callable[..., Terminal]
) -> None:
    t = terminal("S001")
    t.open_till()
    t.receive("sku,serial,imsi,quantity\nACC-CASE,,,20\n", "DN-1")
    totals = [t.sell_case() for _ in range(3)]
    assert t.waiting() > 0
    report = t.cycle()
    assert report.push.rows > 0 and t.waiting() == 0
    assert report.sanity is not None and not report.sanity.mismatches
    count = central.scalar("SELECT count(*) FROM orders WHERE status = 'completed'")
    total = central.scalar("SELECT sum(total_minor) FROM orders WHERE status = 'completed'")
    assert (count, total) == (3, sum(totals))
    again = t.cycle()
    assert again.push.rows == 0 and again.pull.rows == 0  # nothing new, nothing again
    assert central.scalar("SELECT count(*) FROM payments") == 3
