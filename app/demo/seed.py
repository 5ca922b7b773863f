"""Create a demo store: catalog, staff, SIM stock and customers with history.

Customers, subscriptions and interactions are written with bulk Core inserts in chunks,
so a million customers take minutes; they stand for data the store already had (or pulled
from the centre) and are not put in the outbox. The catalog, staff and SIM stock go through
the unit of work like any local change, so they are in the outbox.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

import resources
from app.catalog_format import parse_catalog
from app.db import models as m
from app.db.uow import UnitOfWork
from app.demo import data
from app.services import customer_index
from app.services.auth import hash_pin
from app.services.catalog import CatalogService
from domain.catalog import OfferingKind
from domain.identifiers import luhn_check_digit
from domain.ids import new_id
from domain.numbers import tier_of
from domain.text import search_key

Progress = Callable[[int, int], None]
CHUNK = 5_000


@dataclass(frozen=True)
class DemoSummary:
    offerings: int
    users: int
    sims: int
    customers: int


def demo_iccid(store_number: int, n: int) -> str:
    body = f"894910{store_number:03d}{n:09d}"
    return body + str(luhn_check_digit(body))


DEMO_CATALOG = Path(resources.__file__).resolve().parent / "catalog" / "demo.json"


def demo_imei(tac: str, n: int) -> str:
    body = f"{tac}{n:06d}"
    return body + str(luhn_check_digit(body))


def demo_numbers(count: int = 300) -> list[str]:
    """The demo store's number block: +49 1520 3000000 onwards (a few are golden)."""
    return [f"+4915203{n:06d}" for n in range(count)]


ACCESSORY_STOCK = 25


def seed_reference(
    uow: Callable[..., UnitOfWork], *, sims: int = 200, devices_per_model: int = 5
) -> int:
    """Catalog, users, SIM and phone stock; returns how many offerings exist. Idempotent."""
    with uow() as work:
        count = int(work.session.scalar(select(func.count()).select_from(m.Offering)) or 0)
    if count:
        return count
    doc = parse_catalog(DEMO_CATALOG.read_text(encoding="utf-8"))
    CatalogService(uow).import_document(doc)
    with uow() as work:
        session = work.session
        by_sku = {row.sku: row for row in session.scalars(select(m.Offering))}
        for username, name, role, pin in data.USERS:
            session.add(
                m.User(username=username, display_name=name, role=role, pin_hash=hash_pin(pin))
            )
        for n in range(1, sims + 1):
            offering = by_sku["SIM-ESIM" if n % 5 == 0 else "SIM-STD"]
            session.add(
                m.SimCard(iccid=demo_iccid(1, n), imsi=f"26201{n:010d}", offering_id=offering.id)
            )
        for entry in doc.offerings:
            if entry.device is None or not entry.device.tacs:
                continue
            for n in range(1, devices_per_model + 1):
                session.add(
                    m.DeviceUnit(
                        imei=demo_imei(entry.device.tacs[0], n),
                        offering_id=by_sku[entry.code].id,
                    )
                )
        for msisdn in demo_numbers():
            session.add(m.PhoneNumber(msisdn=msisdn, tier=tier_of(msisdn).value))
        for entry in doc.offerings:
            if entry.kind is OfferingKind.ACCESSORY:
                session.add(
                    m.StockLevel(offering_id=by_sku[entry.code].id, on_hand=ACCESSORY_STOCK)
                )
        work.commit()
        return len(doc.offerings)


# The demo till opens with 200.00 in notes and coins, as a store's morning float would.
DEMO_FLOAT = {"20.00": 5, "10.00": 5, "5.00": 6, "2.00": 5, "1.00": 10}


def open_demo_till(uow: Callable[..., UnitOfWork], *, terminal_id: str) -> None:
    """Open the demo terminal's till (the manager's float) unless it was ever opened."""
    with uow() as work:
        session = work.session
        if session.scalar(select(func.count()).select_from(m.TillSession)):
            return
        manager = session.scalars(select(m.User).where(m.User.role == "manager")).first()
        if manager is None:
            return
        session.add(
            m.TillSession(
                number=f"TIL-DEMO-{terminal_id}-000000", till_id=terminal_id, status="open",
                currency="EUR", float_minor=20_000, float_count=dict(DEMO_FLOAT),
                opened_by=manager.id,
            )
        )  # fmt: skip
        work.commit()


@dataclass
class _Batch:
    customers: list[dict[str, Any]]
    subs: list[dict[str, Any]]
    events: list[dict[str, Any]]
    media: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    search: list[customer_index.SearchDoc]


def _names(n: int, rng: random.Random) -> tuple[str, str]:
    """Every tenth demo customer is written in Cyrillic, as a passport from the East would be."""
    if n % 10 == 0:
        return rng.choice(data.FIRST_NAMES_CYRILLIC), rng.choice(data.LAST_NAMES_CYRILLIC)
    return rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)


def _customer_rows(
    start: int, count: int, *, store_id: str, terminal_id: str, rng: random.Random
) -> _Batch:
    now = datetime.now(UTC)
    today = date.today()
    batch = _Batch([], [], [], [], [], [])
    base = {"store_id": store_id, "terminal_id": terminal_id, "version": 1}
    for n in range(start, start + count):
        first, last = _names(n, rng)
        cid = new_id()
        created = now - timedelta(days=rng.randint(1, 3000))
        stamp = {**base, "created_at": created, "updated_at": created}
        phone = f"+49151{n:08d}"
        doc_number = f"L{n:08d}"
        expiry = today + timedelta(days=rng.randint(-30, 3600))
        born = today - timedelta(days=rng.randint(18 * 365, 85 * 365))
        customer_no = f"C{n:08d}"
        batch.customers.append(
            {
                **stamp,
                "id": cid,
                "customer_no": customer_no,
                "kind": "individual",
                "first_name": first,
                "last_name": last,
                "company_name": "",
                "search_name": search_key(last, first),
                "birth_date": born,
                "phone": phone,
                "email": f"customer.{n}@example.org",
                "doc_type": "id_card",
                "doc_number": doc_number,
                "doc_country": "DEU",
                "doc_expiry": expiry,
                "status": "active",
                "segment": "senior" if today.year - born.year >= 65 else "consumer",
                "nationality": "DEU",
                "company_reg_no": "",
            }
        )
        batch.media.append(
            {**stamp, "id": new_id(), "customer_id": cid, "kind": "phone", "value": phone,
             "label": "mobile", "is_primary": True}
        )  # fmt: skip
        batch.documents.append(
            {**stamp, "id": new_id(), "customer_id": cid, "doc_type": "id_card",
             "number": doc_number, "issuing_country": "DEU", "nationality": "DEU",
             "expiry_date": expiry, "birth_date": born, "from_mrz": True,
             "review_status": "verified", "review_reason": "", "verified_by": None,
             "verified_at": created, "image_path": None}
        )  # fmt: skip
        iccid = demo_iccid(900, n)
        commitment = created.date() + timedelta(days=730)
        if commitment < today:
            commitment = commitment + timedelta(days=730 * ((today - commitment).days // 730 + 1))
        batch.subs.append(
            {
                **stamp,
                "id": new_id(),
                "customer_id": cid,
                "msisdn": phone,
                "plan_offering_id": None,
                "plan_name": rng.choice(("Smart S 10 GB", "Smart M 30 GB", "Smart L Unlimited")),
                "iccid": iccid,
                "status": "active",
                "activated_at": created,
                "billing_account_id": None,
                "payment_type": "postpaid",
                "addons": rng.choice(([], [], ["Roaming World 5 GB"], ["Music Unlimited"])),
                "commitment_end": commitment,
            }
        )
        for _ in range(rng.randint(1, 3)):
            kind, summary = rng.choice(data.INTERACTIONS)
            at = now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 600))
            batch.events.append(
                {
                    **base,
                    "id": new_id(),
                    "created_at": at,
                    "updated_at": at,
                    "customer_id": cid,
                    "kind": kind,
                    "summary": summary,
                    "occurred_at": at,
                    "user_id": None,
                    "ref_kind": "",
                    "ref_id": None,
                }
            )
        batch.search.append(
            customer_index.build_doc(cid, [first, last], [customer_no, phone, doc_number, iccid])
        )
    return batch


def seed_customers(
    engine: Engine,
    count: int,
    *,
    store_id: str,
    terminal_id: str,
    seed: int = 7,
    progress: Progress | None = None,
) -> int:
    """Add ``count`` customers after the existing ones; returns the new total."""
    rng = random.Random(seed)
    with engine.connect() as conn:
        start = int(conn.scalar(select(func.count()).select_from(m.Customer)) or 0) + 1
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        batch = _customer_rows(
            start + done, size, store_id=store_id, terminal_id=terminal_id, rng=rng
        )
        with engine.begin() as conn:
            conn.execute(insert(m.Customer), batch.customers)
            conn.execute(insert(m.Subscription), batch.subs)
            conn.execute(insert(m.Interaction), batch.events)
            conn.execute(insert(m.ContactMedium), batch.media)
            conn.execute(insert(m.IdentityDocument), batch.documents)
            if customer_index.has_index(conn):
                customer_index.insert_docs(conn, batch.search)
        done += size
        if progress:
            progress(done, count)
    with engine.begin() as conn:  # the demo lines' plans, by name, as the catalog has them
        conn.execute(
            update(m.Subscription)
            .where(m.Subscription.plan_offering_id.is_(None))
            .values(
                plan_offering_id=select(m.Offering.id)
                .where(m.Offering.name == m.Subscription.plan_name)
                .scalar_subquery()
            )
        )
    return start - 1 + count


def ensure_demo(
    engine: Engine,
    uow: Callable[..., UnitOfWork],
    *,
    store_id: str,
    terminal_id: str,
    customers: int = 300,
    progress: Progress | None = None,
) -> DemoSummary:
    """Create the demo store if it is not there yet; top customers up to ``customers``."""
    offerings = seed_reference(uow)
    open_demo_till(uow, terminal_id=terminal_id)
    with engine.connect() as conn:
        have = int(conn.scalar(select(func.count()).select_from(m.Customer)) or 0)
        users = int(conn.scalar(select(func.count()).select_from(m.User)) or 0)
        sims = int(conn.scalar(select(func.count()).select_from(m.SimCard)) or 0)
    total = have
    if customers > have:
        total = seed_customers(
            engine, customers - have, store_id=store_id, terminal_id=terminal_id, progress=progress
        )
    return DemoSummary(offerings=offerings, users=users, sims=sims, customers=total)
