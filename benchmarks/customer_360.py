"""Customer 360: loading one big profile on the big database, against the raw queries.

Measures ``CustomerService.profile(customer_id)`` (wall clock, until the frozen
``Profile`` the screen shows is returned) for one customer with 10 subscriptions,
2,000 interactions over three years (visits, sales, payments, plan changes, add-ons,
SIM swaps, notes), 20 orders with lines and payments, an identity document, contact
media, an address, consents and a billing account. The customer (number
``C-BENCH-360``) is added once to the cached demo database with N customers (default
1,000,000; created by ``storedesk demo``, shared with idle_memory.py and
customer_search.py) and found again by its number on later runs.

Baseline, measured in the same run: plain ``sqlite3`` queries on the same file that fetch
the same rows (customer, staff names, documents, contact media, addresses, consents,
contact persons, billing accounts, subscriptions, orders, device lines, payments, the
first timeline page newest first and the timeline's size — the profile shows the newest
``TIMELINE_PAGE`` (300) entries and loads older ones on demand), every row fetched,
nothing built from them. The service runs after ``gc.freeze()``, as the app does.

Target (issue: customer 360): under 80 ms until the data is ready to display.

    .venv/bin/python benchmarks/customer_360.py [--customers 1000000] [--runs 50]
"""

from __future__ import annotations

import argparse
import gc
import random
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import demo_database, open_services
from sqlalchemy import Connection, insert, select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid, demo_imei
from app.services import customer_index
from app.services.customer_profile import TIMELINE_PAGE
from domain.ids import new_id
from domain.text import search_key

TARGET_MS = 80.0
CUSTOMER_NO = "C-BENCH-360"
SUBSCRIPTIONS = 10
INTERACTIONS = 2000
ORDERS = 20
YEARS = 3
WARM_UP = 5
EVENTS = (
    ("visit", "Visited the store"),
    ("sale", "Bought a phone case"),
    ("payment", "Paid the monthly bill in store"),
    ("plan_change", "Changed plan to Smart M 30 GB"),
    ("addon", "Added Roaming World 5 GB"),
    ("sim_swap", "SIM swapped after the phone was lost (ID card checked)"),
    ("note", "Asked about roaming prices"),
)


def ensure_customer(services: Services) -> uuid.UUID:
    """The benchmark customer's id; created (in one transaction) if it is not there yet."""
    with services.engine.connect() as conn:
        found = conn.scalar(select(m.Customer.id).where(m.Customer.customer_no == CUSTOMER_NO))
    if found is not None:
        return found
    with services.engine.begin() as conn:
        customer_id = _create_customer(conn, services, random.Random(360))
        customer_index.refresh(conn, customer_id)
    return customer_id


# The rows below follow the column sets of app/db/models.py and app/db/customer_records.py;
# written densely on purpose (one record per statement reads better than 300 lines).
# fmt: off
def _create_customer(conn: Connection, services: Services, rng: random.Random) -> uuid.UUID:
    now = datetime.now(UTC)
    today, opened = now.date(), now - timedelta(days=365 * YEARS)
    users = list(conn.scalars(select(m.User.id).order_by(m.User.username)))
    offerings = {sku: (oid, name) for oid, sku, name in
                 conn.execute(select(m.Offering.id, m.Offering.sku, m.Offering.name))}
    base = {"store_id": services.store.store_id, "terminal_id": services.store.terminal_id,
            "version": 1}

    def row(at: datetime = opened, **values: Any) -> dict[str, Any]:
        return {**base, "id": new_id(), "created_at": at, "updated_at": at, **values}

    def moment() -> datetime:
        return now - timedelta(seconds=rng.randint(60, 365 * YEARS * 86400))

    cid, phone, passport, born = new_id(), "+4915299000360", "C01X00T47", date(1979, 5, 17)
    expiry = today + timedelta(days=900)
    conn.execute(insert(m.Customer), [{**row(), "id": cid,
        "customer_no": CUSTOMER_NO, "kind": "individual", "first_name": "Vera",
        "last_name": "Benchmark", "company_name": "",
        "search_name": search_key("Benchmark", "Vera"),
        "birth_date": born, "phone": phone, "email": "vera.benchmark@example.org",
        "doc_type": "passport", "doc_number": passport, "doc_country": "DEU",
        "doc_expiry": expiry, "status": "active", "segment": "consumer", "nationality": "DEU",
        "company_reg_no": ""}])
    conn.execute(insert(m.IdentityDocument), [row(
        customer_id=cid, doc_type="passport", number=passport, issuing_country="DEU",
        nationality="DEU", expiry_date=expiry, birth_date=born, from_mrz=True,
        review_status="verified", review_reason="", verified_by=users[0], verified_at=opened,
        image_path=None)])
    conn.execute(insert(m.ContactMedium), [
        row(customer_id=cid, kind="phone", value=phone, label="mobile", is_primary=True),
        row(customer_id=cid, kind="phone", value="+4930123456", label="work", is_primary=False),
        row(customer_id=cid, kind="email", value="vera.benchmark@example.org", label="",
            is_primary=True)])
    conn.execute(insert(m.PostalAddress), [row(
        customer_id=cid, kind="home", line1="Torstraße 36", line2="", postcode="10119",
        city="Berlin", country="DE")])
    conn.execute(insert(m.ConsentRecord), [
        row(customer_id=cid, purpose=purpose, granted=granted, channel="store", given_by="self",
            given_by_name="", recorded_by=users[0], recorded_at=opened + timedelta(days=days))
        for purpose, granted, days in (("marketing", True, 0), ("profiling", False, 0),
                                       ("third_parties", False, 0), ("marketing", False, 400))])
    account = row(customer_id=cid, account_no="BA-BENCH-360", name="Vera Benchmark",
                  status="active", pay_later=True)
    conn.execute(insert(m.BillingAccount), [account])

    plans = [sku for sku in offerings if sku.startswith("PLAN-")]
    subs: list[dict[str, Any]] = []
    for n in range(1, SUBSCRIPTIONS + 1):
        plan, started = rng.choice(plans), moment()
        subs.append(row(started, customer_id=cid, msisdn=f"+49152990004{n:02d}",
            plan_offering_id=offerings[plan][0], plan_name=offerings[plan][1],
            iccid=demo_iccid(360, n), status="active" if n <= 8 else "suspended",
            activated_at=started, billing_account_id=account["id"], payment_type="postpaid",
            addons=rng.choice(([], ["Roaming World 5 GB"], ["Extra Data 10 GB"])),
            commitment_end=started.date() + timedelta(days=730)))
    conn.execute(insert(m.Subscription), subs)

    # 20 orders (every tenth cancelled), a phone in every other one, accessories in all;
    # one approved payment per completed order, after a declined card every seventh.
    devices = [sku for sku in offerings if sku.startswith("DEV-")]
    extras = [sku for sku in offerings if sku.startswith("ACC-")]
    orders: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for n in range(1, ORDERS + 1):
        at, done = moment(), n % 10 != 0
        order = row(at, number=f"ORD-BENCH360-{n:04d}", customer_id=cid,
            status="completed" if done else "cancelled", currency="EUR", total_minor=0,
            monthly_minor=0, esim_device_confirmed=False, created_by=rng.choice(users),
            completed_at=at if done else None,
            receipt_number=f"RCP-BENCH360-{n:04d}" if done else None)
        picked = ([rng.choice(devices)] if n % 2 else []) + rng.sample(extras, rng.randint(1, 2))
        for position, sku in enumerate(picked, start=1):
            price = rng.randint(9900, 99900) if sku in devices else rng.randint(999, 3999)
            order["total_minor"] += price
            lines.append(row(at, order_id=order["id"], position=position,
                offering_id=offerings[sku][0], sku=sku, description=offerings[sku][1],
                quantity=1, unit_price_minor=price, vat_rate_bp=1900, monthly_fee_minor=None,
                serial=demo_imei("35360099", n) if sku in devices else None, commitment=0,
                instalments=0, chosen_upfront_minor=None, chosen_amount_minor=None,
                manual_discount=None, discount_minor=0, financed_minor=0, instalment_minor=0,
                monthly_discount_minor=0, discounts=[]))
        for status in (("declined", "approved") if n % 7 == 0 else ("approved",)) if done else ():
            payments.append(row(at, order_id=order["id"], tender=rng.choice(("card", "cash")),
                status=status, amount_minor=order["total_minor"], given_minor=None,
                change_minor=None, currency="EUR", user_id=order["created_by"]))
        orders.append(order)
        if done:
            events.append(row(at, customer_id=cid, kind="sale", occurred_at=at,
                summary=f"Bought {len(picked)} items (order {order['number']})",
                user_id=order["created_by"], ref_kind="order", ref_id=order["id"]))
    conn.execute(insert(m.Order), orders)
    conn.execute(insert(m.OrderLine), lines)
    conn.execute(insert(m.Payment), payments)
    while len(events) < INTERACTIONS:
        at, (kind, summary) = moment(), rng.choice(EVENTS)
        events.append(row(at, customer_id=cid, kind=kind, summary=summary, occurred_at=at,
                          user_id=rng.choice([*users, None]), ref_kind="", ref_id=None))
    conn.execute(insert(m.Interaction), events)
    return cid
# fmt: on


def raw_profile(raw: sqlite3.Connection, customer: str) -> dict[str, float]:
    """The profile's rows, fetched with plain sqlite3; seconds per query."""
    spent: dict[str, float] = {}

    def run(label: str, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        started = time.perf_counter()
        rows = raw.execute(sql, tuple(params)).fetchall()
        spent[label] = time.perf_counter() - started
        return rows

    one = (customer,)
    run("customer", "SELECT * FROM customers WHERE id = ?", one)
    run("staff", "SELECT id, display_name FROM users")
    run(
        "documents",
        "SELECT * FROM identity_documents WHERE customer_id = ? ORDER BY expiry_date DESC",
        one,
    )
    run(
        "contact media",
        "SELECT * FROM contact_media WHERE customer_id = ? ORDER BY is_primary DESC, created_at",
        one,
    )
    run("addresses", "SELECT * FROM addresses WHERE customer_id = ?", one)
    run("consents", "SELECT * FROM consents WHERE customer_id = ? ORDER BY recorded_at", one)
    run("contact persons", "SELECT * FROM contact_persons WHERE customer_id = ?", one)
    run(
        "billing accounts",
        "SELECT * FROM billing_accounts WHERE customer_id = ? ORDER BY created_at",
        one,
    )
    run(
        "subscriptions",
        "SELECT * FROM subscriptions WHERE customer_id = ? ORDER BY status, msisdn",
        one,
    )
    orders = run(
        "orders", "SELECT * FROM orders WHERE customer_id = ? ORDER BY created_at DESC", one
    )
    ids = [row[0] for row in orders]
    marks = ", ".join("?" for _ in ids)
    if ids:
        run(
            "invoices",
            f"SELECT order_id, number FROM invoices WHERE order_id IN ({marks}) "
            "AND kind = 'invoice'",
            ids,
        )
        run(
            "device lines",
            "SELECT l.*, o.completed_at FROM order_lines l "
            "JOIN orders o ON o.id = l.order_id JOIN offerings f ON f.id = l.offering_id "
            f"WHERE l.order_id IN ({marks}) AND o.status = 'completed' "
            "AND f.serial_kind = 'imei' AND l.serial IS NOT NULL",
            ids,
        )
        run(
            "payments",
            f"SELECT * FROM payments WHERE order_id IN ({marks}) ORDER BY created_at",
            ids,
        )
    run(
        "timeline",
        "SELECT id, occurred_at, kind, summary, ref_kind, ref_id FROM interactions "
        f"WHERE customer_id = ? ORDER BY occurred_at DESC LIMIT {TIMELINE_PAGE}",
        one,
    )
    run("timeline count", "SELECT count(*) FROM interactions WHERE customer_id = ?", one)
    return spent


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], list[bool]]:
    """Seconds per run after the warm-up, and which runs had a full garbage collection."""
    full: list[int] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    for _ in range(WARM_UP):
        fn()
    samples = []
    collected = []
    gc.callbacks.append(on_gc)
    try:
        for _ in range(runs):
            before = len(full)
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
            collected.append(len(full) > before)
    finally:
        gc.callbacks.remove(on_gc)
    return samples, collected


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    home = demo_database(args.customers)
    services = open_services(home)
    db_file = Path(str(services.engine.url.database))
    raw = sqlite3.connect(db_file, isolation_level=None)
    try:
        started = time.perf_counter()
        customer_id = ensure_customer(services)
        print(f"benchmark customer {CUSTOMER_NO} ready in {time.perf_counter() - started:.1f} s")
        profile = services.customers.profile(customer_id)
        service_t, service_gc = timed(lambda: services.customers.profile(customer_id), args.runs)
        per_query: dict[str, list[float]] = {}

        def baseline() -> None:
            for label, seconds in raw_profile(raw, customer_id.hex).items():
                per_query.setdefault(label, []).append(seconds)

        raw_t, _ = timed(baseline, args.runs)
    finally:
        raw.close()
        services.close()

    print(
        f"profile: {len(profile.subscriptions)} subscriptions, {len(profile.timeline)} timeline "
        f"entries, {len(profile.orders)} orders, {len(profile.payments)} payments, "
        f"{len(profile.devices)} devices, {len(profile.insights)} insights; "
        f"{args.customers:,} customers in the database; {args.runs} runs after {WARM_UP} warm-up"
    )
    for name, samples in (("service", service_t), ("raw sqlite3", raw_t)):
        print(
            f"{name:12} median {statistics.median(samples) * 1000:7.2f} ms   "
            f"p95 {percentile(samples, 0.95) * 1000:7.2f} ms   max {max(samples) * 1000:7.2f} ms"
        )
    print(
        "raw queries (median):  "
        + ", ".join(
            f"{label} {statistics.median(s[WARM_UP:]) * 1000:.2f} ms"
            for label, s in per_query.items()
        )
    )
    quiet = [t for t, full in zip(service_t, service_gc, strict=True) if not full]
    print(
        f"service runs with a full (generation 2) garbage collection: {sum(service_gc)} of "
        f"{args.runs}; without them median {statistics.median(quiet) * 1000:.2f} ms, "
        f"p95 {percentile(quiet, 0.95) * 1000:.2f} ms"
    )
    median = statistics.median(service_t)
    ratio = median / statistics.median(raw_t)
    verdict = "PASS" if percentile(service_t, 0.95) < TARGET_MS / 1000 else "MISS"
    print(f"service / raw (median): {ratio:.1f}x   target p95 < {TARGET_MS:g} ms: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
