"""Paying a full new-line basket commits every row or none, whichever write fails.

The basket: a registered demo customer, a plan with a chosen number, a SIM scanned by
ICCID, a phone scanned by IMEI and an accessory from stock. Completing it writes the
order, its events, the payment, stock units, levels and moves, the number, the billing
account, the subscription, the timeline, the FTS5 search row (raw SQL), the counters and
the outbox.

- The tables one completion writes are recorded at the driver and must be a subset of
  :data:`WRITTEN`, so a new table written by completion fails the suite until it is added
  there (and so is covered by the injection tests below).
- For each table in :data:`WRITTEN` a failure is raised at its first write, once before
  the statement reaches SQLite and once right after SQLite executed it; a third test
  fails the COMMIT itself. Afterwards every table — read back over a separate read-only
  ``sqlite3`` connection, FTS5 shadow tables included — holds exactly what it held
  before, the basket is still a draft with its units and number reserved, and the same
  basket can then be paid.

Each test works on a copy of one demo database seeded per module (seeding is ~1 s).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from app.bootstrap import Services, build
from app.demo.seed import demo_iccid, demo_imei
from app.paths import AppPaths
from app.services.auth import UserInfo
from app.settings import load_settings

# Every table a full new-line sale may write. Keep in step with completion: the
# discovery test fails when completion writes a table missing here.
WRITTEN = (
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
    "till_movements",
    "outbox",
)
# What completing this basket must write at the very least.
REQUIRED = frozenset(
    {
        "orders",
        "order_events",
        "payments",
        "sim_cards",
        "device_units",
        "phone_numbers",
        "subscriptions",
        "interactions",
        "customer_search",
        "outbox",
        "counters",
        "till_movements",  # the drawer opened for the cash
    }
)

_WRITE = re.compile(
    r"""^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)
        \s+["`\[]?(\w+)""",
    re.I | re.X,
)
_NOT_A_WRITE = re.compile(r"^\s*(?:SELECT|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)

When = Literal["before", "after"]


class InjectedFailure(Exception):
    """The failure the tests inject; nothing in StoreDesk raises or catches it."""


def written_table(statement: str) -> str | None:
    """The table a statement writes, None for reads and transaction control.

    Anything else (a CTE write, DDL) raises, so the discovery cannot miss a write by
    not understanding it.
    """
    match = _WRITE.match(statement)
    if match:
        return match.group(1).lower()
    if _NOT_A_WRITE.match(statement):
        return None
    raise AssertionError(f"unclassified statement during completion: {statement[:120]}")


# -- a demo shop per test --------------------------------------------------------------


def _open(home: Path) -> Services:
    paths = AppPaths.under(home)
    paths.ensure_dirs()
    loaded = load_settings(paths, env={}, cli={"printer.kind": "simulated"})
    assert not loaded.problems, loaded.problems
    return build(loaded.settings, paths)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "home"
    services = _open(home)
    try:
        services.demo.ensure(customers=40)
    finally:
        services.close()
    return home


@pytest.fixture
def shop(demo_home: Path, tmp_path: Path) -> Iterator[Services]:
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    services = _open(home)
    try:
        yield services
    finally:
        services.close()


@pytest.fixture
def anna(shop: Services) -> UserInfo:
    return shop.auth.login("anna", "1111")


# -- the basket ------------------------------------------------------------------------


@dataclass(frozen=True)
class Basket:
    order_id: uuid.UUID
    customer_id: uuid.UUID
    msisdn: str
    iccid: str
    imei: str


def full_basket(services: Services, user: UserInfo, n: int) -> Basket:
    """Customer C000000(20+n), plan with +49 1520 3000(204+n), SIM 7n, Galaxy A15 no. n, case."""
    sales = services.sales
    customer_id = services.customers.search(f"C{20 + n:08d}")[0].id
    msisdn, iccid, imei = f"+4915203{204 + n:06d}", demo_iccid(1, 70 + n), demo_imei("35328115", n)
    basket = sales.start(customer_id=customer_id, user=user)
    basket = sales.add_code(basket.order_id, "PLAN-S", user=user)
    sales.choose_number(basket.order_id, basket.lines[0].id, msisdn, user=user)
    sales.add_code(basket.order_id, iccid, user=user)
    sales.add_code(basket.order_id, imei, user=user)
    basket = sales.add_code(basket.order_id, "ACC-CASE", user=user)
    assert [line.sku for line in basket.lines] == ["PLAN-S", "SIM-STD", "DEV-A15", "ACC-CASE"]
    return Basket(basket.order_id, customer_id, msisdn, iccid, imei)


# -- reading the database back, outside SQLAlchemy ---------------------------------------


@contextmanager
def _reader(services: Services) -> Iterator[sqlite3.Connection]:
    database = services.engine.url.database
    assert database
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        yield conn


def everything(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (FTS5 table and shadow tables too), in a stable order."""
    with _reader(services) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}


def sale_state(services: Services, basket: Basket) -> dict[str, Any]:
    """What paying this basket changes, as plain values."""
    with _reader(services) as conn:

        def one(sql: str, *params: str) -> Any:
            row = conn.execute(sql, params).fetchone()
            assert row is not None, (sql, params)
            return row if len(row) > 1 else row[0]

        order = basket.order_id.hex
        return {
            "order": one("SELECT status, receipt_number FROM orders WHERE id = ?", order),
            "sim": one("SELECT status FROM sim_cards WHERE iccid = ?", basket.iccid),
            "phone": one("SELECT status FROM device_units WHERE imei = ?", basket.imei),
            "number": one(
                "SELECT status, reserved_order_id FROM phone_numbers WHERE msisdn = ?",
                basket.msisdn,
            ),
            "payments": one("SELECT count(*) FROM payments WHERE order_id = ?", order),
            "events": one("SELECT count(*) FROM order_events WHERE order_id = ?", order),
            "subscriptions": one(
                "SELECT count(*) FROM subscriptions WHERE msisdn = ?", basket.msisdn
            ),
            "outbox": one("SELECT count(*) FROM outbox"),
        }


def as_draft(basket: Basket, outbox: int, events: int) -> dict[str, Any]:
    return {
        "order": ("draft", None),
        "sim": "reserved",
        "phone": "reserved",
        "number": ("reserved", basket.order_id.hex),
        "payments": 0,
        "events": events,
        "subscriptions": 0,
        "outbox": outbox,
    }


def changed_tables(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


# -- watching and breaking the writes ----------------------------------------------------


@contextmanager
def recording(engine: Engine) -> Iterator[Counter[str]]:
    """Count the write statements per table while the block runs."""
    writes: Counter[str] = Counter()

    def record(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        table = written_table(statement)
        if table:
            writes[table] += 1

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield writes
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def failing_at(engine: Engine, table: str, when: When) -> Iterator[list[str]]:
    """Raise :class:`InjectedFailure` at the first write to ``table``.

    ``before``: the statement never reaches SQLite. ``after``: SQLite has executed it.
    """
    hits: list[str] = []

    def boom(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if not hits and written_table(statement) == table:
            hits.append(statement)
            raise InjectedFailure(f"{when} writing {table}")

    name = f"{when}_cursor_execute"
    event.listen(engine, name, boom)
    try:
        yield hits
    finally:
        event.remove(engine, name, boom)


def assert_paid_afterwards(services: Services, user: UserInfo, basket: Basket) -> None:
    """With the fault gone, the very same basket completes in full."""
    outbox = sale_state(services, basket)["outbox"]
    result = services.sales.pay_cash(basket.order_id, "2000", user=user)
    state = sale_state(services, basket)
    assert state["order"] == ("completed", result.receipt_number)
    assert (state["sim"], state["phone"]) == ("sold", "sold")
    assert state["number"] == ("assigned", basket.order_id.hex)
    assert (state["payments"], state["subscriptions"]) == (1, 1)
    assert state["outbox"] > outbox
    assert result.receipt_number
    found = services.customers.search(result.receipt_number)
    assert [c.id for c in found] == [basket.customer_id]


# -- the tests -------------------------------------------------------------------------


def test_completion_writes_only_known_tables(shop: Services, anna: UserInfo) -> None:
    basket = full_basket(shop, anna, 1)
    with recording(shop.engine) as writes:
        shop.sales.pay_cash(basket.order_id, "2000", user=anna)
    seen = set(writes)
    assert seen <= set(WRITTEN), f"completion now also writes {sorted(seen - set(WRITTEN))}"
    assert seen >= REQUIRED, f"completion no longer writes {sorted(REQUIRED - seen)}"
    assert sale_state(shop, basket)["order"][0] == "completed"


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("table", WRITTEN)
def test_a_failed_write_leaves_every_table_as_it_was(
    shop: Services, anna: UserInfo, table: str, when: When
) -> None:
    basket = full_basket(shop, anna, 2)
    before = everything(shop)
    state = sale_state(shop, basket)
    assert state == as_draft(basket, state["outbox"], state["events"])

    with failing_at(shop.engine, table, when) as hits, pytest.raises(InjectedFailure):
        shop.sales.pay_cash(basket.order_id, "2000", user=anna)

    assert hits, f"completing the basket did not write {table}"
    changed = changed_tables(before, everything(shop))
    assert not changed, f"rows changed in {changed}"
    assert sale_state(shop, basket) == state
    assert_paid_afterwards(shop, anna, basket)


def test_a_failed_commit_leaves_every_table_as_it_was(
    shop: Services, anna: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    basket = full_basket(shop, anna, 2)
    before = everything(shop)
    state = sale_state(shop, basket)
    dialect = shop.engine.dialect
    commits: list[object] = []

    def refuse(dbapi_connection: object) -> None:
        commits.append(dbapi_connection)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(dialect, "do_commit", refuse)
    with pytest.raises(OperationalError, match="disk I/O error"):
        shop.sales.pay_cash(basket.order_id, "2000", user=anna)
    monkeypatch.undo()

    assert len(commits) == 1
    changed = changed_tables(before, everything(shop))
    assert not changed, f"rows changed in {changed}"
    assert sale_state(shop, basket) == state
    assert_paid_afterwards(shop, anna, basket)
