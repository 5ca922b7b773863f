"""Helpers shared by the sync benchmarks: throw-away central databases and terminals.

A central database is made the way the tests make one (``init_central``, ``seed_demo``,
``add_store``) on the server named by ``STOREDESK_TEST_PG_URL`` and dropped afterwards.
Store ids start with ``B`` (B001 …) so that the benchmarks never re-key the roles of the
test stores S001/S002, which are cluster-wide.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

if TYPE_CHECKING:
    from app.bootstrap import Services

ADMIN = os.environ.get("STOREDESK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def db_url(name: str) -> str:
    return f"{ADMIN.rsplit('/', 1)[0]}/{name}"


@contextmanager
def throwaway_database(prefix: str, *, template: str | None = None) -> Iterator[str]:
    """A new database (optionally a copy of ``template``), dropped afterwards; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        like = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{like}')
    try:
        yield db_url(name)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_central(url: str, stores: list[str], terminals: int = 0) -> dict[str, str]:
    """Central schema, demo catalog and staff, a login role per store; returns passwords."""
    from app.db.engine import make_engine
    from app.sync.central_data import seed_demo
    from app.sync.central_schema import add_store, add_terminal, init_central

    engine = make_engine(url)
    try:
        init_central(engine)
        seed_demo(engine, stores)
        passwords = {}
        for store in stores:
            passwords[store] = add_store(engine, store, name=f"Bench {store}").password
            for n in range(1, terminals + 1):
                add_terminal(engine, store, f"T{n:02d}")
        return passwords
    finally:
        engine.dispose()


def store_url(url: str, store: str) -> str:
    """The store role's URL for a central database (no password: that is in the keyring)."""
    from app.sync.central_schema import role_name

    return f"postgresql://{role_name(store)}@{url.split('://', 1)[1].split('@', 1)[-1]}"


def open_terminal(
    home: Path,
    *,
    central_url: str,
    store: str,
    terminal: str,
    password: str,
    extra: dict[str, str] | None = None,
) -> Services:
    """A complete StoreDesk under ``home`` provisioned for ``store`` (settings + secret)."""
    from app.bootstrap import build
    from app.paths import AppPaths
    from app.settings import load_settings
    from app.sync.secrets import store_password

    paths = AppPaths.under(home)
    paths.ensure_dirs()
    cli: dict[str, Any] = {
        "printer.kind": "simulated",
        "store.id": store,
        "terminal.id": terminal,
        "central.url": store_url(central_url, store),
        "database.backup_before_migrate": "false",
        **(extra or {}),
    }
    loaded = load_settings(paths, env={}, cli=cli)
    if loaded.problems:
        raise RuntimeError(f"settings: {loaded.problems}")
    store_password(paths, store, password)
    return build(loaded.settings, paths)


DELIVERY = "sku,serial,imsi,quantity\nACC-CASE,,,{n}\nACC-CHG,,,{n}\n"


def open_store(services: Services, *, stock: int) -> None:
    """Open the till and receive ``stock`` phone cases and chargers (as Maria, the manager)."""
    maria = services.auth.login("maria", "3333")
    services.till.open({"20.00": "5"}, user=maria)
    delivery = 0
    while stock > 0:  # a delivery line takes at most 100,000
        delivery += 1
        n = min(stock, 100_000)
        services.stock.receive(DELIVERY.format(n=n), reference=f"DN-BENCH-{delivery}", user=maria)
        stock -= n


def sell(services: Services, *, charger: bool = True, given: str = "50") -> int:
    """One cash sale of a phone case (and a charger) through the real services; the total."""
    anna = services.auth.login("anna", "1111")
    sales = services.sales
    basket = sales.start(customer_id=None, user=anna)
    sales.add_code(basket.order_id, "ACC-CASE", user=anna)
    if charger:
        sales.add_code(basket.order_id, "ACC-CHG", user=anna)
    done = sales.pay_cash(basket.order_id, given, user=anna)
    return int(done.total.minor)


def backend_cpu(pids: list[int]) -> float | None:
    """CPU seconds (user + system) used so far by these PostgreSQL backends, if local."""
    total = 0.0
    try:
        for pid in pids:
            with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None  # the server is on another machine (or not Linux)
    return total


def backends_of(database: str, role: str | None = None) -> list[int]:
    """The server processes connected to ``database`` (as ``role``), for :func:`backend_cpu`."""
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND (%s::text IS NULL "
            "OR usename = %s) AND pid <> pg_backend_pid()",
            (database, role, role),
        ).fetchall()
    return [int(r[0]) for r in rows]
