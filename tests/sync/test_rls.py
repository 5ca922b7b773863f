"""Row-level security with the stores' real login roles: each store sees and writes its own."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from tests.sync.terminals import Central, Terminal

pytestmark = pytest.mark.postgres


def _connect(central: Central, store: str) -> psycopg.Connection:
    return psycopg.connect(
        central.store_url(store), password=central.passwords[store], autocommit=True
    )


@pytest.fixture
def two_stores_sold(central: Central, terminal: Callable[..., Terminal]) -> None:
    for store in ("S001", "S002"):
        t = terminal(store)
        t.open_till()
        t.receive("sku,serial,imsi,quantity\nACC-CASE,,,5\n", f"DN-{store}")
        t.sell_case()
        t.cycle()


def test_a_store_reads_only_its_own_rows_and_the_shared_ones(
    central: Central, two_stores_sold: None
) -> None:
    assert central.scalar("SELECT count(DISTINCT store_id) FROM orders") == 2
    with _connect(central, "S001") as conn:
        stores = {r[0] for r in conn.execute("SELECT DISTINCT store_id FROM orders")}
        assert stores == {"S001"}
        assert {r[0] for r in conn.execute("SELECT DISTINCT store_id FROM payments")} == {"S001"}
        assert {r[0] for r in conn.execute("SELECT DISTINCT store_id FROM users")} == {"S001"}
        offerings = {r[0] for r in conn.execute("SELECT DISTINCT store_id FROM offerings")}
        assert offerings == {"HQ"}
        journal = {r[0] for r in conn.execute("SELECT DISTINCT store_id FROM sync_journal")}
        assert journal == {"S001"}


def test_a_store_cannot_write_another_stores_rows(central: Central, two_stores_sold: None) -> None:
    other = central.scalar("SELECT id FROM orders WHERE store_id = 'S002' LIMIT 1")
    with _connect(central, "S001") as conn:
        done = conn.execute("UPDATE orders SET held_at = now() WHERE id = %s", (other,))
        assert done.rowcount == 0  # invisible, so untouched
        done = conn.execute("DELETE FROM orders WHERE store_id = 'S002'")
        assert done.rowcount == 0
        mine = conn.execute("SELECT * FROM customers LIMIT 0").description
        assert mine is not None
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO stock_levels (id, store_id, terminal_id, created_at, updated_at, "
                "version, offering_id, on_hand, reorder_level) SELECT gen_random_uuid(), "
                "'S002', 'T01', now(), now(), 1, id, 1, 0 FROM offerings LIMIT 1"
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE stock_levels SET store_id = 'S002'")
    assert central.scalar("SELECT count(*) FROM orders WHERE store_id = 'S002'") == 1


def test_a_store_cannot_change_reference_data(central: Central, two_stores_sold: None) -> None:
    with _connect(central, "S001") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE offerings SET name = 'free phones'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM users")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE catalog_policies SET currency = 'USD'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO sync_stores (store_id, role_name) VALUES ('X', 'x')")


def test_money_records_cannot_be_changed_even_by_their_store(
    central: Central, two_stores_sold: None
) -> None:
    with _connect(central, "S001") as conn:
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="money record"):
            conn.execute("UPDATE payments SET amount_minor = 1")
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="money record"):
            conn.execute("DELETE FROM payments")
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="completed"):
            conn.execute("UPDATE orders SET total_minor = 1 WHERE status = 'completed'")
