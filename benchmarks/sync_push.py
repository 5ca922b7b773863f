"""Pushing completed sales to the central PostgreSQL, against a raw COPY of the same rows.

Set-up: a throw-away central database (``central init``, the demo catalog and staff for
store B001, its login role) and a terminal of B001 that pulled them. The terminal sells a
phone case and a charger for cash through the real services, which teaches the benchmark
the exact outbox rows a completed sale writes (order, lines, events, payment, till movement,
stock move, stock level …). Those rows are cloned N times with fresh ids and numbers into
the outbox, in big transactions, so what is pushed is exactly what real sales push.

Measured: ``Pusher.push_all()`` as the store's role (row-level security on), batches of
``--batch`` outbox rows, one central transaction each, marking rows sent locally after
each commit. Baseline, same run: ``COPY … FROM STDIN`` (psycopg) of the same rows — the
newest row per id, already decoded — into a second database with the same tables, no
triggers, no policies, no journal, as the superuser.

Targets (sync issue): at least 2,000 sales/s, and at least 25 % of the COPY throughput.

    .venv/bin/python benchmarks/sync_push.py [--sales 100000] [--batch 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import text

from app.bootstrap import build
from app.db.engine import make_engine
from app.db.migrate import upgrade
from app.paths import AppPaths
from app.settings import load_settings
from app.sync.central_data import seed_demo
from app.sync.central_schema import add_store, init_central, role_name
from app.sync.entities import entities
from app.sync.secrets import store_password

TARGET_RATE = 2000.0
TARGET_RATIO = 0.25
STORE = "B001"
ADMIN = os.environ.get("STOREDESK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _database(admin: psycopg.Connection, name: str) -> str:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    return f"{ADMIN.rsplit('/', 1)[0]}/{name}"


def _open_store(services: Any) -> None:
    maria = services.auth.login("maria", "3333")
    services.till.open({"20.00": "5"}, user=maria)
    services.stock.receive(
        "sku,serial,imsi,quantity\nACC-CASE,,,1000\nACC-CHG,,,1000\n",
        reference="DN-BENCH",
        user=maria,
    )


def _sell_one(services: Any) -> None:
    anna = services.auth.login("anna", "1111")
    basket = services.sales.start(customer_id=None, user=anna)
    services.sales.add_code(basket.order_id, "ACC-CASE", user=anna)
    services.sales.add_code(basket.order_id, "ACC-CHG", user=anna)
    services.sales.pay_cash(basket.order_id, "50", user=anna)


def _template(local: Any) -> list[tuple[str, str, str, int, str]]:
    """The outbox rows waiting: one sale's (entity, entity_id, operation, version, payload)."""
    with local.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT entity, entity_id, operation, version, payload FROM outbox "
                "WHERE sent_at IS NULL ORDER BY seq"
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _clone(template: list[tuple[str, str, str, int, str]], n: int) -> list[tuple[Any, ...]]:
    """n copies of a sale's outbox rows with fresh ids and numbers for what it created."""
    created: list[str] = []
    for entity, _entity_id, _op, version, payload in template:
        if version == 1 and entity not in ("stock_level",):
            created.append(str(json.loads(payload)["id"]))
    numbers = sorted(
        {
            value
            for _e, _i, _o, _v, payload in template
            for key, value in json.loads(payload).items()
            if key in ("number", "receipt_number") and isinstance(value, str)
        }
    )
    out = []
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    for k in range(n):
        mapping = {old: str(uuid.uuid4()) for old in set(created)}
        for entity, _entity_id, op, version, payload in template:
            text_ = payload
            for old, new in mapping.items():
                text_ = text_.replace(old, new)
            for number in numbers:
                text_ = text_.replace(number, f"{number}-{k}")
            new_id = json.loads(text_)["id"]
            out.append((entity, uuid.UUID(new_id).hex, op, version, text_, stamp))
    return out


def _copy_baseline(url: str, outbox: list[tuple[Any, ...]]) -> float:
    newest: dict[tuple[str, str], dict[str, Any]] = {}
    for entity, entity_id, op, _v, payload, _s in outbox:
        if op == "upsert":
            newest[(entity, entity_id)] = json.loads(payload)
    per_entity: dict[str, list[dict[str, Any]]] = {}
    for (entity, _), row in newest.items():
        per_entity.setdefault(entity, []).append(row)
    specs = [e for e in entities() if e.name in per_entity]
    prepared = []
    for spec in specs:
        cols = spec.columns
        rows = [
            tuple(json.dumps(r.get(c)) if isinstance(r.get(c), dict | list) else r.get(c)
                  for c in cols)
            for r in per_entity[spec.name]
        ]  # fmt: skip
        prepared.append((spec.table.name, cols, rows))
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers: raw COPY
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            for table, cols, rows in prepared:
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        conn.commit()
        return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    admin = psycopg.connect(ADMIN, autocommit=True)
    central_url = _database(admin, "storedesk_bench_central")
    raw_url = _database(admin, "storedesk_bench_raw")
    try:
        central = make_engine(central_url)
        init_central(central)
        seed_demo(central, [STORE])
        password = add_store(central, STORE).password
        raw = make_engine(raw_url)
        upgrade(raw, backup=False)
        raw.dispose()
        with tempfile.TemporaryDirectory() as home:
            paths = AppPaths.under(Path(home))
            paths.ensure_dirs()
            base = central_url.split("@", 1)[1]
            loaded = load_settings(paths, env={}, cli={
                "printer.kind": "simulated", "store.id": STORE,
                "central.url": f"postgresql://{role_name(STORE)}@{base}",
                "central.batch_size": str(min(args.batch, 10000)),
            })  # fmt: skip
            store_password(paths, STORE, password)
            services = build(loaded.settings, paths)
            try:
                engine = services.sync.engine
                engine.cycle()  # catalog and staff
                _open_store(services)
                engine.cycle()  # the till and the stock go up
                _sell_one(services)
                template = _template(services.engine)
                engine.cycle()  # the real sale goes up
                t0 = time.perf_counter()
                rows = _clone(template, args.sales)
                with services.engine.begin() as conn:
                    conn.exec_driver_sql(
                        "INSERT INTO outbox (entity, entity_id, operation, version, payload, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        rows,
                    )
                prepared_s = time.perf_counter() - t0
                print(
                    f"{args.sales} sales = {len(rows)} outbox rows "
                    f"({len(template)} per sale), written in {prepared_s:.1f} s"
                )
                t0 = time.perf_counter()
                if os.environ.get("STOREDESK_PROFILE"):
                    import cProfile

                    with cProfile.Profile() as prof:
                        report = engine.pusher.push_all()
                    prof.dump_stats(os.environ["STOREDESK_PROFILE"])
                else:
                    report = engine.pusher.push_all()
                push_s = time.perf_counter() - t0
                assert engine.pusher.waiting() == 0
                with central.connect() as conn:
                    count = conn.execute(
                        text("SELECT count(*) FROM orders WHERE store_id = :s"), {"s": STORE}
                    ).scalar_one()
                assert count == args.sales + 1, count
            finally:
                services.close()
        copy_s = _copy_baseline(raw_url, rows)
        central.dispose()
    finally:
        for name in ("storedesk_bench_central", "storedesk_bench_raw"):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    rate = args.sales / push_s
    copy_rate = args.sales / copy_s
    ratio = rate / copy_rate
    print(
        f"push: {push_s:.1f} s, {rate:,.0f} sales/s ({len(rows) / push_s:,.0f} outbox rows/s, "
        f"{report.batches} batches of {args.batch})"
    )
    print(f"raw COPY of the same rows: {copy_s:.1f} s, {copy_rate:,.0f} sales/s")
    print(
        f"ratio push / COPY: {ratio:.0%} (target ≥ {TARGET_RATIO:.0%}); "
        f"target ≥ {TARGET_RATE:,.0f} sales/s: {'met' if rate >= TARGET_RATE else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
