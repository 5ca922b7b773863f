"""Till X report: a session with 10,000 sales, against the same sums in plain SQL.

StoreDesk: ``TillService.x_report()`` (what the Till screen shows, and what a close adds
up) timed after ``gc.freeze()`` as the app does, over N runs (default 50) after three
warm-up runs, on a copy of the cached demo database (``benchmarks/out/home-N``, made by
``storedesk demo``), whose till is open. Before timing, one session's day is written with
Core bulk inserts in one transaction, every row as the schema has it (the sync columns,
UTC timestamps, version 1): S completed sales (default 10,000; orders without lines, which
the report does not read), each paid with cash (55 %, with the note given and the change),
card (35 %, approved, without the card intent, which the report does not read either),
cash and card (5 %) or the customer's account (5 %), every payment tied to the session;
a drawer opening ("cash sale") for every sale that took cash; cash refunds of 1.5 % of the
sales (a negative ``refunded`` cash payment and a "cash refund" drawer opening each);
and after every 250 sales a cash in, a cash out (each with its drawer opening) and a
"no sale" opening (change for a customer), over a 12-hour day. That is about 10,700
payments and 6,300 movements.

Baseline, in the same run: the same figures as plain SQL through the stdlib ``sqlite3``
module on the same file — the open session's row, per tender the count and sum of the
session's approved payments, the session's cash refunds, and per movement kind the count,
the sum and the "no sale" openings, plus the opener's name — every row fetched and
nothing built from them. The report also lists every movement with its user's name (the
Till screen shows them); a second raw figure adds that query (the movements joined to
their users in time order, all rows fetched), so the ratio can be read both ways. Each
run times the service and then, straight after, the raw queries; the runs of the service
that included a full (generation 2) garbage collection are counted. Afterwards the
service's figures are checked against the raw sums and against what was inserted.

Target: the X report under 200 ms with 10,000 sales in the session (judged
on p95).

    .venv/bin/python benchmarks/till_report.py [--sales 10000] [--runs 50] [--customers 1000]
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import demo_database, open_services
from sqlalchemy import insert, select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import DEMO_FLOAT
from app.services.till import TillReport
from domain.ids import new_id

TARGET_P95_MS = 200.0
WARM_UP = 3
NOTES = (500, 1000, 2000, 5000, 10000, 20000)  # minor units a customer hands over

SUMS_SQL = [
    (
        "SELECT id, number, status, float_minor, opened_by, opened_at, closed_at, totals "
        "FROM till_sessions WHERE store_id = ? AND till_id = ? AND status = 'open'"
    ),
    (
        "SELECT tender, count(*), sum(amount_minor) FROM payments "
        "WHERE session_id = ? AND amount_minor > 0 AND status = 'approved' "
        "GROUP BY tender ORDER BY tender"
    ),
    (
        "SELECT coalesce(sum(amount_minor), 0) FROM payments "
        "WHERE session_id = ? AND tender = 'cash' AND amount_minor < 0"
    ),
    (
        "SELECT kind, count(*), sum(amount_minor), sum(reason LIKE 'no sale%') "
        "FROM till_movements WHERE session_id = ? GROUP BY kind ORDER BY kind"
    ),
    "SELECT display_name FROM users WHERE id = ?",
]
LIST_SQL = (
    "SELECT t.kind, t.amount_minor, t.reason, u.display_name FROM till_movements t "
    "JOIN users u ON u.id = t.user_id WHERE t.session_id = ? "
    "ORDER BY t.occurred_at, t.created_at"
)


@dataclass
class Day:
    """What was inserted, to check the report against."""

    sales: int = 0
    tenders: Counter[str] = field(default_factory=Counter)  # tender -> count
    amounts: Counter[str] = field(default_factory=Counter)  # tender -> sum
    refunds: int = 0  # minor units paid back in cash (positive)
    refund_count: int = 0
    moved: Counter[str] = field(default_factory=Counter)  # cash_in / cash_out -> sum
    drawer: int = 0
    no_sale: int = 0
    payments: int = 0
    movements: int = 0


# -- the session's day ---------------------------------------------------------------------


def ensure_open(services: Services) -> None:
    if not services.till.is_open():
        manager = services.auth.login("maria", "3333")
        services.till.open({k: str(v) for k, v in DEMO_FLOAT.items()}, user=manager)


def fill_session(services: Services, sales: int, *, seed: int = 11) -> tuple[str, Day]:
    """Write ``sales`` completed sales and the session's movements; the session id (hex)."""
    rng = random.Random(seed)
    store, terminal = services.store.store_id, services.store.terminal_id
    with services.engine.connect() as conn:
        till = conn.execute(
            select(m.TillSession.id, m.TillSession.opened_at).where(
                m.TillSession.store_id == store,
                m.TillSession.till_id == terminal,
                m.TillSession.status == "open",
            )
        ).one()
        users = dict(conn.execute(select(m.User.username, m.User.id)).all())
    session_id: uuid.UUID = till.id
    sellers = [users["anna"], users["boris"], users["maria"]]
    manager = users["maria"]
    step = timedelta(hours=12) / max(sales, 1)
    base = {"store_id": store, "terminal_id": terminal, "version": 1}

    def stamped(at: datetime) -> dict[str, Any]:
        return {**base, "id": new_id(), "created_at": at, "updated_at": at}

    orders: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    movements: list[dict[str, Any]] = []
    day = Day(sales=sales)

    def pay(order: dict[str, Any], tender: str, amount: int, at: datetime, **extra: Any) -> None:
        payments.append(
            {**stamped(at), "order_id": order["id"], "tender": tender, "status": "approved",
             "amount_minor": amount, "given_minor": None, "change_minor": None,
             "currency": "EUR", "user_id": order["created_by"], "session_id": session_id,
             "intent_id": None, "details": None, **extra}
        )  # fmt: skip
        day.tenders[tender] += 1
        day.amounts[tender] += amount

    def move(kind: str, amount: int, reason: str, user: uuid.UUID, at: datetime, ref: str) -> None:
        movements.append(
            {**stamped(at), "session_id": session_id, "kind": kind, "amount_minor": amount,
             "reason": reason, "reference": ref, "user_id": user, "occurred_at": at}
        )  # fmt: skip
        if kind == "drawer":
            day.drawer += 1
            day.no_sale += reason.startswith("no sale")
        else:
            day.moved[kind] += amount

    for n in range(sales):
        at = till.opened_at + step * (n + 1)
        total = rng.randint(500, 120_000)
        receipt = f"RCP-{store}-{terminal}-B{n + 1:06d}"
        order = {
            **stamped(at), "number": f"ORD-{store}-{terminal}-B{n + 1:06d}", "customer_id": None,
            "status": "completed", "currency": "EUR", "total_minor": total, "monthly_minor": 0,
            "esim_device_confirmed": False, "created_by": rng.choice(sellers),
            "completed_at": at, "receipt_number": receipt, "held_at": None,
        }  # fmt: skip
        orders.append(order)
        shape = rng.random()
        if shape < 0.55:
            given = next((v for v in NOTES if v >= total), total)
            pay(order, "cash", total, at, given_minor=given, change_minor=given - total)
        elif shape < 0.90:
            pay(order, "card", total, at)
        elif shape < 0.95:
            cash = rng.randint(1, total - 1)
            pay(order, "cash", cash, at, given_minor=cash, change_minor=0)
            pay(order, "card", total - cash, at)
        else:
            pay(order, "account", total, at, details={"account_no": f"BA-{n:08d}"})
        if shape < 0.55 or 0.90 <= shape < 0.95:
            move("drawer", 0, "cash sale", order["created_by"], at, receipt)
        if n % 66 == 65:  # a cash refund of an earlier sale, 1.5 % of the sales
            back = rng.randint(500, 30_000)
            refunded = orders[rng.randrange(len(orders))]
            payments.append(
                {**stamped(at), "order_id": refunded["id"], "tender": "cash",
                 "status": "refunded", "amount_minor": -back, "given_minor": None,
                 "change_minor": None, "currency": "EUR", "user_id": order["created_by"],
                 "session_id": session_id, "intent_id": None, "details": None}
            )  # fmt: skip
            day.refunds += back
            day.refund_count += 1
            move("drawer", 0, "cash refund", order["created_by"], at, f"RET-B{n:06d}")
        if n % 250 == 125:  # cash in, cash out, a "no sale"
            move("cash_in", rng.randint(1, 20) * 1000, "change from the bank", manager, at, "")
            move("drawer", 0, "cash in", manager, at, "")
            move("cash_out", rng.randint(1, 10) * 5000, "to the safe", manager, at, "")
            move("drawer", 0, "cash out", manager, at, "")
            move("drawer", 0, "no sale: change for a customer", rng.choice(sellers), at, "")
    with services.engine.begin() as conn:
        conn.execute(insert(m.Order), orders)
        conn.execute(insert(m.Payment), payments)
        conn.execute(insert(m.TillMovement), movements)
    day.payments, day.movements = len(payments), len(movements)
    return session_id.hex, day


# -- timing --------------------------------------------------------------------------------


def raw_queries(
    conn: sqlite3.Connection, store: str, till: str, session_id: str, *, listing: bool
) -> list[list[Any]]:
    """The report's figures as plain SQL: every row fetched, nothing built."""
    session_row = conn.execute(SUMS_SQL[0], (store, till)).fetchall()
    rows = [session_row]
    for sql in SUMS_SQL[1:4]:
        rows.append(conn.execute(sql, (session_id,)).fetchall())
    rows.append(conn.execute(SUMS_SQL[4], (session_row[0][4],)).fetchall())
    if listing:
        rows.append(conn.execute(LIST_SQL, (session_id,)).fetchall())
    return rows


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


@dataclass
class Runs:
    service: list[float]
    raw: list[float]  # the sums
    raw_listed: list[float]  # the sums and every movement
    collected: int  # runs of the service that included a full garbage collection
    report: TillReport
    sums: list[list[Any]]


def time_runs(services: Services, conn: sqlite3.Connection, session_id: str, runs: int) -> Runs:
    """Each run: the service, then the raw sums, then the raw sums with the movements."""
    store, till = services.store.store_id, services.store.terminal_id
    for _ in range(WARM_UP):
        services.till.x_report()
        raw_queries(conn, store, till, session_id, listing=True)
    full: list[int] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    samples, raw, raw_listed, collected = [], [], [], 0
    gc.collect()
    gc.callbacks.append(on_gc)
    try:
        for _ in range(runs):
            before = len(full)
            elapsed, report = timed(services.till.x_report)
            samples.append(elapsed)
            collected += len(full) > before
            elapsed, sums = timed(lambda: raw_queries(conn, store, till, session_id, listing=False))
            raw.append(elapsed)
            elapsed, _rows = timed(lambda: raw_queries(conn, store, till, session_id, listing=True))
            raw_listed.append(elapsed)
    finally:
        gc.callbacks.remove(on_gc)
    return Runs(samples, raw, raw_listed, collected, report, sums)


def check(report: TillReport, sums: list[list[Any]], day: Day) -> list[str]:
    """Where the service's figures differ from the raw sums or from what was inserted."""
    wrong = []
    tenders = {t.tender: (t.count, t.amount.minor) for t in report.tenders}
    raw_tenders = {tender: (n, total) for tender, n, total in sums[1]}
    inserted = {t: (day.tenders[t], day.amounts[t]) for t in day.tenders}
    if not tenders == raw_tenders == inserted:
        wrong.append(f"tenders: service {tenders}, raw {raw_tenders}, inserted {inserted}")
    refunds = report.expected.cash_refunds.minor
    if not refunds == -sums[2][0][0] == day.refunds:
        wrong.append(f"cash refunds: service {refunds}, raw {-sums[2][0][0]}, {day.refunds}")
    kinds = {kind: (n, total, no_sale) for kind, n, total, no_sale in sums[3]}
    for kind in ("cash_in", "cash_out", "drawer"):
        kinds.setdefault(kind, (0, 0, 0))
    service_moves = (
        report.expected.cash_in.minor, report.expected.cash_out.minor,
        report.drawer_openings, report.no_sale_openings, len(report.movements),
    )  # fmt: skip
    raw_moves = (
        kinds["cash_in"][1], kinds["cash_out"][1], kinds["drawer"][0], kinds["drawer"][2],
        sum(n for n, _t, _s in kinds.values()),
    )  # fmt: skip
    inserted_moves = (
        day.moved["cash_in"], day.moved["cash_out"], day.drawer, day.no_sale, day.movements,
    )  # fmt: skip
    if not service_moves == raw_moves == inserted_moves:
        wrong.append(f"movements: service {service_moves}, raw {raw_moves}, {inserted_moves}")
    return wrong


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--customers", type=int, default=1000, help="which cached demo home")
    args = parser.parse_args()
    if args.runs < 20:
        parser.error("--runs must be at least 20 (for a p95)")
    cached = demo_database(args.customers)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(cached, home)
        services = open_services(home)
        try:
            ensure_open(services)
            filled, (session_id, day) = timed(lambda: fill_session(services, args.sales))
            db = Path(str(services.engine.url.database))
            conn = sqlite3.connect(db)
            conn.execute("PRAGMA journal_mode=WAL")
            runs = time_runs(services, conn, session_id, args.runs)
            conn.close()
        finally:
            services.close()
    samples, raw, raw_listed = runs.service, runs.raw, runs.raw_listed
    report, sums, collected = runs.report, runs.sums, runs.collected
    wrong = check(report, sums, day)
    ms = 1000
    p50_sd, p95_sd = statistics.median(samples) * ms, p95(samples) * ms
    p50_raw, p95_raw = statistics.median(raw) * ms, p95(raw) * ms
    p50_list, p95_list = statistics.median(raw_listed) * ms, p95(raw_listed) * ms
    met = "met" if p95_sd < TARGET_P95_MS else "NOT met"
    tenders = ", ".join(f"{t.tender} {t.count}" for t in report.tenders)
    print(f"session:                {day.sales} sales, {day.payments} payments ({tenders}, "
          f"{day.refund_count} cash refunds), {day.movements} movements "
          f"({day.drawer} drawer openings); written in {filled:.1f} s")  # fmt: skip
    print(f"StoreDesk x_report:     p50 {p50_sd:.2f} ms, p95 {p95_sd:.2f} ms, "
          f"max {max(samples) * ms:.2f} ms (target p95 < {TARGET_P95_MS:g} ms: {met})")  # fmt: skip
    print(f"                        {collected} of {len(samples)} runs included a full "
          f"garbage collection")  # fmt: skip
    print(f"raw sums:               p50 {p50_raw:.2f} ms, p95 {p95_raw:.2f} ms, "
          f"max {max(raw) * ms:.2f} ms")  # fmt: skip
    print(f"raw sums + movements:   p50 {p50_list:.2f} ms, p95 {p95_list:.2f} ms, "
          f"max {max(raw_listed) * ms:.2f} ms")  # fmt: skip
    print(f"ratio StoreDesk / raw:  p50 {p50_sd / p50_raw:.1f} ×, p95 {p95_sd / p95_raw:.1f} × "
          f"(sums); p50 {p50_sd / p50_list:.1f} ×, p95 {p95_sd / p95_list:.1f} × "
          f"(with the movements listed)")  # fmt: skip
    if wrong:
        raise SystemExit("the report does not match the session:\n" + "\n".join(wrong))
    print("check:                  the report's figures match the raw sums and the rows inserted")


if __name__ == "__main__":
    main()
