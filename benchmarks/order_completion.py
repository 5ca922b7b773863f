"""Completing new-line sales at the counter, per sale, against the same writes replayed raw.

Each sale is a prepaid line for a different demo customer: plan, a number chosen from a
block imported for the run (standard tier only, so no fee line), a SIM received into
stock for the run, paid in cash; no phone, no accessory, no device I/O. Completing it
writes the order status and events, the payment, the SIM's status and stock move, the
number assignment, the billing account, the subscription, two timeline entries, the
customer's search row, the counters and the outbox rows, in one ``synchronous=FULL``
transaction. The N timed sales run one after another after one warm-up sale, on an
opening of the database that never had the capture's cursor listener (below).

Baseline, in the same run: the INSERT/UPDATE/DELETE statements one completion sent to
the driver (``before_cursor_execute``, with their parameters), replayed with the stdlib
``sqlite3`` module on a copy of the database taken just before that completion, one
``BEGIN IMMEDIATE … COMMIT`` per sale with the app's pragmas (WAL, foreign keys on,
``synchronous=FULL``, set once as the app's connection keeps it). Each replay completes
the same basket StoreDesk completed: the ids of the rows the captured sale inserted are
fresh, its order, customer, SIM and number are replaced by that basket's (in parameters
and inside outbox payloads and the search row), and the receipt and account number
series carry on. Afterwards the copy is checked — every replayed order completed, SIM
sold, number assigned, one payment and one subscription — so every UPDATE really wrote
its row.

Each sale is completed with the call the payment dialog makes when the customer hands over
the cash (``tender_cash``: the tender, the completion and the payment state shown after
it); ``--call pay_cash`` times the one-step cash sale instead.

Targets (selling issue): p95 under 15 ms a sale, at least 300 sales/s in a batch.

    .venv/bin/python benchmarks/order_completion.py [--sales 500] [--customers 1000]
        [--call tender_cash|pay_cash]
"""

from __future__ import annotations

import argparse
import gc
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import demo_database, open_services
from sqlalchemy import event, select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid
from app.services.auth import UserInfo
from domain.numbers import NumberTier, tier_of

TARGET_P95_MS = 15.0
TARGET_RATE = 300.0
FIRST_SIM = 600_000  # ICCIDs and IMSIs the demo store does not hold
WRITE = re.compile(r"^\s*(?:INSERT|REPLACE|UPDATE|DELETE)\b", re.I)
INSERT_COLUMNS = re.compile(r'^\s*INSERT(?:\s+OR\s+\w+)?\s+INTO\s+"?\w+"?\s*\(([^)]*)\)', re.I)
# A number taken: "SET next_value = ?" (the new value) or "= (counters.next_value + ?)".
COUNTER_UPDATE = re.compile(
    r"^\s*UPDATE\s+counters\s+SET\s+next_value\s*=\s*(\(\s*counters\.next_value\s*\+\s*)?\?",
    re.I,
)

Statement = tuple[str, Any]  # SQL, and a parameter tuple or a list of them (executemany)


@dataclass(frozen=True)
class Basket:
    """What one prepared sale touches, as stored (UUIDs are 32 hex digits in SQLite)."""

    order_id: str
    order_no: str
    customer_id: str
    customer_no: str
    sim_id: str
    iccid: str
    number_id: str
    msisdn: str

    def tokens(self) -> list[str]:
        """Every form in which these values appear in parameters and in stored text."""
        ids = [self.order_id, self.customer_id, self.sim_id, self.number_id]
        return [
            *ids,
            *(str(uuid.UUID(i)) for i in ids),  # JSON payloads carry the dashed form
            self.order_no,
            self.customer_no,
            self.iccid,
            self.msisdn,
            self.msisdn.lstrip("+"),  # the search row's identifier token
        ]


# -- the sales -------------------------------------------------------------------------


def standard_numbers(count: int) -> list[str]:
    """``count`` standard-tier numbers from a block the demo store does not hold."""
    found: list[str] = []
    n = 0
    while len(found) < count:
        msisdn = f"+4915209{n:07d}"
        if tier_of(msisdn) is NumberTier.STANDARD:
            found.append(msisdn)
        n += 1
    return found


def prepare(services: Services, count: int) -> tuple[UserInfo, list[Basket]]:
    """SIM stock and numbers for ``count`` new lines, and one basket each, ready to pay."""
    user = services.auth.login("anna", "1111")
    iccids = [demo_iccid(9, FIRST_SIM + n) for n in range(count)]
    delivery = ["sku,serial,imsi,quantity"]
    delivery += [f"SIM-STD,{c},26201{FIRST_SIM + n:010d}," for n, c in enumerate(iccids)]
    services.stock.receive("\n".join(delivery), reference="BENCH-COMPLETION", user=user)
    numbers = standard_numbers(count)
    services.numbers.import_block(numbers)
    order_ids = []
    for n in range(count):
        customer = services.customers.search(f"C{n + 1:08d}")[0].id
        basket = services.sales.start(customer_id=customer, user=user)
        basket = services.sales.add_code(basket.order_id, "PLAN-PRE", user=user)
        services.sales.choose_number(basket.order_id, basket.lines[0].id, numbers[n], user=user)
        services.sales.add_code(basket.order_id, iccids[n], user=user)
        order_ids.append(basket.order_id)
    columns = (
        m.Order.id, m.Order.number, m.Customer.id, m.Customer.customer_no,
        m.SimCard.id, m.SimCard.iccid, m.PhoneNumber.id, m.PhoneNumber.msisdn,
    )  # fmt: skip
    query = (
        select(*columns)
        .join(m.Customer, m.Customer.id == m.Order.customer_id)
        .join(m.PhoneNumber, m.PhoneNumber.reserved_order_id == m.Order.id)
        .join(m.OrderLine, m.OrderLine.order_id == m.Order.id)
        .join(m.SimCard, m.SimCard.iccid == m.OrderLine.serial)
        .where(m.Order.id.in_(order_ids))
    )
    with services.engine.connect() as conn:
        rows = conn.execute(query).all()
    by_order = {
        row[0]: Basket(*(v.hex if isinstance(v, uuid.UUID) else v for v in row)) for row in rows
    }
    return user, [by_order[order_id] for order_id in order_ids]


Complete = Callable[[Services, uuid.UUID, UserInfo], object]
CALLS: dict[str, Complete] = {
    "tender_cash": lambda s, order_id, user: s.sales.tender_cash(order_id, "100", user=user),
    "pay_cash": lambda s, order_id, user: s.sales.pay_cash(order_id, "100", user=user),
}


def capture(
    services: Services, basket: Basket, user: UserInfo, complete: Complete
) -> tuple[list[Statement], int]:
    """The write statements one completion sends to SQLite, and how many it sends in all."""
    writes: list[Statement] = []
    every: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, params: Any, *_a: Any) -> None:
        every.append(statement)
        if WRITE.match(statement):
            writes.append((statement, params))

    event.listen(services.engine, "before_cursor_execute", record)
    try:
        complete(services, uuid.UUID(basket.order_id), user)
    finally:
        event.remove(services.engine, "before_cursor_execute", record)
    return writes, len(every)


def time_storedesk(
    services: Services, baskets: list[Basket], user: UserInfo, complete: Complete
) -> tuple[list[float], float]:
    gc.collect()
    samples = []
    batch_started = time.perf_counter()
    for basket in baskets:
        started = time.perf_counter()
        complete(services, uuid.UUID(basket.order_id), user)
        samples.append(time.perf_counter() - started)
    return samples, time.perf_counter() - batch_started


# -- the raw replay --------------------------------------------------------------------


def inserted_ids(statements: list[Statement]) -> set[str]:
    """The primary keys of the rows the captured completion inserted."""
    ids: set[str] = set()
    for statement, params in statements:
        match = INSERT_COLUMNS.match(statement)
        if not match:
            continue
        names = [c.strip().strip('"') for c in match.group(1).split(",")]
        if "id" in names:
            ids.update(row[names.index("id")] for row in _rows(params))
    return ids


def _rows(params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in params] if isinstance(params, list) else [tuple(params)]


def series_of(statements: list[Statement]) -> list[str]:
    """Number series the completion drew from (receipt, billing account)."""
    return [
        row[1]
        for statement, params in statements
        if COUNTER_UPDATE.match(statement)
        for row in _rows(params)  # one UPDATE per series, or one executemany for all
    ]


def rewriter(
    captured: Basket, target: Basket, new_ids: set[str], series: list[str], offset: int
) -> Callable[[str, Any], Any]:
    """Turn the captured sale's parameters into those completing ``target``."""
    pairs = dict(zip(captured.tokens(), target.tokens(), strict=True))
    for old in new_ids:
        fresh = uuid.uuid4()
        pairs[old] = fresh.hex
        pairs[str(uuid.UUID(old))] = str(fresh)
    # Longest first, so a value is never replaced inside a longer one it is part of.
    ordered = sorted(pairs.items(), key=lambda kv: -len(kv[0]))
    numbered = re.compile("(" + "|".join(re.escape(s) for s in series) + r")-(\d+)")

    def shift(match: re.Match[str]) -> str:
        digits = match.group(2)
        return f"{match.group(1)}-{int(digits) + offset:0{len(digits)}d}"

    def value(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        if v in pairs:
            return pairs[v]
        for old, new in ordered:
            if old in v:
                v = v.replace(old, new)
        return numbered.sub(shift, v) if series else v

    def rewrite(statement: str, params: Any) -> Any:
        rows = [tuple(value(v) for v in row) for row in _rows(params)]
        counter = COUNTER_UPDATE.match(statement)
        if counter and not counter.group(1):  # an absolute next value: the series carries on
            rows = [(row[0] + offset, *row[1:]) for row in rows]
        return rows if isinstance(params, list) else rows[0]

    return rewrite


def replay(
    db: Path, statements: list[Statement], captured: Basket, baskets: list[Basket]
) -> tuple[list[float], float]:
    """Complete each basket with the captured writes, raw; per-sale times and the batch."""
    new_ids = inserted_ids(statements)
    series = series_of(statements)
    prepared = []
    for offset, basket in enumerate(baskets, start=1):
        rewrite = rewriter(captured, basket, new_ids, series, offset)
        prepared.append([(sql, rewrite(sql, params)) for sql, params in statements])
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # as the app's begin hook sets it, once
    gc.collect()
    samples = []
    batch_started = time.perf_counter()
    for sale in prepared:
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for sql, params in sale:
            if isinstance(params, list):
                conn.executemany(sql, params)
            else:
                conn.execute(sql, params)
        conn.execute("COMMIT")
        samples.append(time.perf_counter() - started)
    batch = time.perf_counter() - batch_started
    conn.close()
    return samples, batch


def check_completed(db: Path, baskets: list[Basket]) -> dict[str, int]:
    """How many of the baskets the database holds as completed, row by row."""
    checks = {
        "orders completed": "SELECT count(*) FROM orders WHERE id = ? AND status = 'completed' "
        "AND receipt_number IS NOT NULL",
        "SIMs sold": "SELECT count(*) FROM sim_cards WHERE id = ? AND status = 'sold'",
        "numbers assigned": "SELECT count(*) FROM phone_numbers WHERE id = ? "
        "AND status = 'assigned'",
        "payments": "SELECT count(*) FROM payments WHERE order_id = ?",
        "subscriptions": "SELECT count(*) FROM subscriptions WHERE msisdn = ? AND iccid = ?",
    }
    found = dict.fromkeys(checks, 0)
    with sqlite3.connect(db) as conn:
        for b in baskets:
            keys = {
                "orders completed": (b.order_id,),
                "SIMs sold": (b.sim_id,),
                "numbers assigned": (b.number_id,),
                "payments": (b.order_id,),
                "subscriptions": (b.msisdn, b.iccid),
            }
            for name, sql in checks.items():
                found[name] += conn.execute(sql, keys[name]).fetchone()[0]
    return found


def row_counts(db: Path) -> dict[str, int]:
    """Rows per table (the search index counted through its FTS5 table)."""
    with sqlite3.connect(db) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'customer_search_%' ORDER BY name"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def growth(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)}


# -- the report ------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=500)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--call", choices=sorted(CALLS), default="tender_cash")
    args = parser.parse_args()
    if args.customers < args.sales + 3:
        parser.error("--customers must be at least --sales + 3 (one new line per customer)")
    cached = demo_database(args.customers)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(cached, home)
        services = open_services(home)
        user, baskets = prepare(services, args.sales + 3)
        warm, captured, warm_again, timed = baskets[0], baskets[1], baskets[2], baskets[3:]
        complete = CALLS[args.call]
        complete(services, uuid.UUID(warm.order_id), user)
        db = Path(str(services.engine.url.database))
        raw_db = Path(tmp) / "raw.sqlite3"
        with sqlite3.connect(db) as src, sqlite3.connect(raw_db) as dst:
            src.backup(dst)  # the raw copy starts where the captured sale starts
        statements, sent = capture(services, captured, user, complete)
        # An engine that ever had a cursor listener keeps paying for the check on every
        # statement: the timed sales run on a fresh opening of the database, warmed up.
        services.close()
        services = open_services(home)
        complete(services, uuid.UUID(warm_again.order_id), user)
        before, raw_before = row_counts(db), row_counts(raw_db)
        samples, batch = time_storedesk(services, timed, user, complete)
        services.close()
        done = check_completed(db, timed)
        raw, raw_batch = replay(raw_db, statements, captured, timed)
        raw_done = check_completed(raw_db, timed)
        added, raw_added = growth(before, row_counts(db)), growth(raw_before, row_counts(raw_db))
    n, ms = len(samples), 1000
    rate, raw_rate = n / batch, n / raw_batch
    p50_sd, p95_sd = statistics.median(samples) * ms, p95(samples) * ms
    p50_raw, p95_raw = statistics.median(raw) * ms, p95(raw) * ms
    met = "met" if p95_sd < TARGET_P95_MS else "NOT met"
    met_rate = "met" if rate >= TARGET_RATE else "NOT met"
    print(f"sales:                  {n} timed with {args.call}, each {len(statements)} write "
          f"statements of {sent} sent")  # fmt: skip
    print(f"StoreDesk per sale:     p50 {p50_sd:.2f} ms, p95 {p95_sd:.2f} ms, "
          f"max {max(samples) * ms:.2f} ms (target p95 < {TARGET_P95_MS:g} ms: {met})")  # fmt: skip
    print(f"StoreDesk batch:        {rate:.0f} sales/s (target ≥ {TARGET_RATE:g}/s: {met_rate})")
    print(f"raw writes per sale:    p50 {p50_raw:.2f} ms, p95 {p95_raw:.2f} ms, "
          f"max {max(raw) * ms:.2f} ms")  # fmt: skip
    print(f"raw batch:              {raw_rate:.0f} sales/s")
    print(f"ratio StoreDesk / raw:  p50 {p50_sd / p50_raw:.1f} ×, p95 {p95_sd / p95_raw:.1f} ×, "
          f"batch {raw_rate / rate:.1f} ×")  # fmt: skip
    for name, side in (("StoreDesk", done), ("raw replay", raw_done)):
        wrong = {k: v for k, v in side.items() if v != n}
        print(f"check {name + ':':<17} " + ", ".join(f"{v} {k}" for k, v in side.items()))
        if wrong:
            raise SystemExit(f"{name} did not complete every sale: {wrong}")
    print("rows added per sale:    " + ", ".join(f"{t} {k / n:g}" for t, k in added.items()))
    if raw_added != added:
        raise SystemExit(f"the replay added other rows than StoreDesk: {raw_added} != {added}")


if __name__ == "__main__":
    main()
