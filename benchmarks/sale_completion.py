"""Completing a sale: every row in one durable transaction (targets: p95 < 15 ms, ≥ 300/s).

Each sale is a new prepaid line for a demo customer — plan with a chosen number, a SIM
scanned from stock, an accessory — paid in cash. Completing it writes the order status,
order events, the payment, the SIM's status and its stock move, the accessory's level
and move, the number assignment, the billing account, the subscription, the timeline
entry, the customer's search-index row, the counters and the outbox rows, in one
``synchronous=FULL`` transaction. No device is involved.

Baseline, in the same run: the same INSERT/UPDATE/DELETE statements with the same
parameters as one completion emitted (captured at the driver), replayed with the stdlib
``sqlite3`` module on a copy of the same database, one ``BEGIN IMMEDIATE … COMMIT`` with
``synchronous=FULL`` per sale — new ids and numbers for each replay, foreign keys on.
The ratio is what the ORM, the pricing check, the rules and the reads cost on top.

    .venv/bin/python benchmarks/sale_completion.py [--sales 300] [--customers 1000]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import demo_database, open_services

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)
COLUMNS = re.compile(r"^\s*INSERT(?: OR \w+)? INTO\s+\"?\w+\"?\s*\(([^)]*)\)", re.I)
NUMBERED = re.compile(r"^[A-Z]+-S\d+-T\d+-\d+$")
HEX_ID = re.compile(r"^[0-9a-f]{32}$")
FIRST_SIM = 500_000  # ICCIDs and numbers the demo store does not hold


def iccid(n: int) -> str:
    from domain.identifiers import luhn_check_digit

    body = f"894910009{n:09d}"
    return body + str(luhn_check_digit(body))


def prepare(services: Any, sales: int) -> tuple[Any, list[Any]]:
    """Stock and numbers for ``sales`` new lines, and one basket per sale, ready to pay."""
    user = services.auth.login("anna", "1111")
    rows = ["sku,serial,imsi,quantity"]
    rows += [f"SIM-STD,{iccid(FIRST_SIM + n)},26201{FIRST_SIM + n:010d}," for n in range(sales + 2)]
    rows.append(f"ACC-CASE,,,{sales + 2}")
    services.stock.receive("\n".join(rows), reference="BENCH", user=user)
    numbers = [f"+4915209{FIRST_SIM + n:07d}" for n in range(sales + 2)]
    services.numbers.import_block(numbers)
    baskets = []
    for n in range(sales + 2):
        customer = services.customers.search(f"C{n + 1:08d}")[0].id
        basket = services.sales.start(customer_id=customer, user=user)
        basket = services.sales.add_code(basket.order_id, "PLAN-PRE", user=user)
        services.sales.choose_number(basket.order_id, basket.lines[0].id, numbers[n], user=user)
        services.sales.add_code(basket.order_id, iccid(FIRST_SIM + n), user=user)
        services.sales.add_code(basket.order_id, "ACC-CASE", user=user)
        baskets.append(basket.order_id)
    return user, baskets


def capture(services: Any, order_id: Any, user: Any) -> list[tuple[str, Any]]:
    """The write statements (and their parameters) one completion sends to SQLite."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def record(_c: Any, _cur: Any, statement: str, params: Any, *_a: Any) -> None:
        if WRITE.match(statement):
            seen.append((statement, params))

    event.listen(services.engine, "before_cursor_execute", record)
    try:
        services.sales.pay_cash(order_id, "100", user=user)
    finally:
        event.remove(services.engine, "before_cursor_execute", record)
    return seen


def replay(db: Path, statements: list[tuple[str, Any]], runs: int) -> list[float]:
    """The same writes, raw, once per sale with fresh ids and numbers."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    new_ids: set[str] = set()  # the ids of rows the completion inserted
    for statement, params in statements:
        match = COLUMNS.match(statement)
        if match:
            names = [c.strip().strip('"') for c in match.group(1).split(",")]
            for row in params if isinstance(params, list) else [params]:
                if "id" in names:
                    new_ids.add(row[names.index("id")])
    samples = []
    for k in range(runs):
        fresh: dict[str, str] = {}

        def renew(
            row: tuple[Any, ...], inserting: bool, fresh: dict[str, str] = fresh, k: int = k
        ) -> tuple[Any, ...]:
            out = []
            for value in row:
                if isinstance(value, str) and HEX_ID.match(value) and value in new_ids:
                    value = fresh.setdefault(value, uuid.uuid4().hex)
                elif isinstance(value, str) and inserting and NUMBERED.match(value):
                    value = f"{value}-{k}"  # a new account number per sale
                out.append(value)
            return tuple(out)

        batch = []
        for statement, params in statements:
            inserting = statement.lstrip().upper().startswith("INSERT")
            if isinstance(params, list):
                batch.append((statement, [renew(row, inserting) for row in params]))
            else:
                batch.append((statement, renew(tuple(params), inserting)))
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for statement, params in batch:
            if isinstance(params, list):
                conn.executemany(statement, params)
            else:
                conn.execute(statement, params)
        conn.execute("COMMIT")
        samples.append(time.perf_counter() - started)
    conn.close()
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=300)
    parser.add_argument("--customers", type=int, default=1000)
    args = parser.parse_args()
    if args.customers <= args.sales:
        parser.error("--customers must exceed --sales (one new line per customer)")
    cached = demo_database(args.customers)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(cached, home)
        services = open_services(home)
        user, baskets = prepare(services, args.sales)
        db = next(home.rglob("storedesk.sqlite3"))
        raw_db = Path(tmp) / "raw.sqlite3"
        services.sales.pay_cash(baskets[0], "100", user=user)  # warms every code path
        with sqlite3.connect(db) as src, sqlite3.connect(raw_db) as dst:
            src.backup(dst)  # the raw copy starts where the captured sale starts
        statements = capture(services, baskets[1], user)
        samples = []
        batch_started = time.perf_counter()
        for order_id in baskets[2:]:
            started = time.perf_counter()
            services.sales.pay_cash(order_id, "100", user=user)
            samples.append(time.perf_counter() - started)
        batch = time.perf_counter() - batch_started
        services.close()
        raw = replay(raw_db, statements, args.sales)
    n = len(samples)
    ms = 1000
    print(f"sales completed:        {n} ({len(statements)} write statements each)")
    print(f"StoreDesk per sale:     p50 {statistics.median(samples) * ms:.2f} ms, "
          f"p95 {p95(samples) * ms:.2f} ms (target p95 < 15 ms)")  # fmt: skip
    print(f"StoreDesk batch:        {n / batch:.0f} sales/s (target ≥ 300/s)")
    print(f"raw INSERTs per sale:   p50 {statistics.median(raw) * ms:.2f} ms, "
          f"p95 {p95(raw) * ms:.2f} ms, {len(raw) / sum(raw):.0f} sales/s")  # fmt: skip
    print(f"ratio (p50):            {statistics.median(samples) / statistics.median(raw):.2f} ×")


if __name__ == "__main__":
    main()
