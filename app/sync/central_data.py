"""What only the centre writes: the catalog, the staff, the number blocks.

The catalog file is validated and turned into rows by the very code a terminal uses
(:class:`~app.services.catalog.CatalogService` on a scratch SQLite database under the
centre's own store id ``HQ``), and those rows are then written to the centre — so a
terminal that pulls them gets exactly what a local import would have made. Users belong to
a store; number blocks are assigned to a store. Every write goes through
:func:`copy_rows`, an upsert that only replaces a lower version.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.catalog_format import parse_catalog
from app.db import models as m
from app.db.engine import make_engine
from app.db.migrate import upgrade
from app.db.uow import make_uow_factory
from app.demo import data
from app.demo.seed import DEMO_CATALOG
from app.services.auth import hash_pin
from app.services.catalog import CatalogService
from app.sync.central_schema import CentralProblem, check_id
from app.sync.entities import CENTRE_STORE, by_name
from domain.ids import new_id
from domain.numbers import tier_of
from domain.users import Role


def copy_rows(central: Engine, entity: str, rows: Iterable[dict[str, Any]]) -> int:
    """Upsert rows of one entity at the centre (admin connection); returns how many."""
    table = by_name()[entity].table
    values = list(rows)
    if not values:
        return 0
    stmt = pg_insert(table)
    update = {c.name: stmt.excluded[c.name] for c in table.columns if c.name != "id"}
    with central.begin() as conn:
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["id"], set_=update, where=stmt.excluded.version > table.c.version
            ),
            values,
        )
    return len(values)


CATALOG_TABLES = (
    ("catalog_policies", m.CatalogPolicies),
    ("offering", m.Offering),
    ("promotion", m.Promotion),
)


def publish_catalog(central: Engine, document: str) -> int:
    """Validate a catalog file and publish it to every store; returns the offerings.

    Raises the catalog format's own error (with line and field) for a bad file; the centre
    is then unchanged.
    """
    doc = parse_catalog(document)
    with central.connect() as conn:
        current = {
            entity: [
                dict(r._mapping)
                for r in conn.execute(select(model.__table__).where(model.store_id == CENTRE_STORE))
            ]
            for entity, model in CATALOG_TABLES
        }
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'catalog.sqlite3'}")
        try:
            upgrade(engine, backup=False)
            uow = make_uow_factory(engine, store_id=CENTRE_STORE, terminal_id=CENTRE_STORE)
            with engine.begin() as conn:  # keep ids and versions: the import updates them
                for entity, model in CATALOG_TABLES:
                    if current[entity]:
                        conn.execute(insert(model), current[entity])
            CatalogService(uow, store_id=CENTRE_STORE).import_document(doc)
            with engine.connect() as conn:
                after = {
                    entity: [dict(r._mapping) for r in conn.execute(select(model.__table__))]
                    for entity, model in CATALOG_TABLES
                }
        finally:
            engine.dispose()
    for entity, _model in CATALOG_TABLES:
        copy_rows(central, entity, after[entity])
    with central.begin() as conn:
        for entity, model in reversed(CATALOG_TABLES):
            kept = {r["id"] for r in after[entity]}
            gone = [r["id"] for r in current[entity] if r["id"] not in kept]
            if gone:
                conn.execute(delete(model).where(model.id.in_(gone)))
    return len(after["offering"])


def add_user(
    central: Engine, *, store_id: str, username: str, display_name: str, role: str, pin: str
) -> None:
    check_id(store_id, "Store id")
    if role not in {r.value for r in Role}:
        raise CentralProblem(f"Unknown role {role!r}; one of {', '.join(r.value for r in Role)}.")
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise CentralProblem("A PIN is 4 to 8 digits.")
    with central.connect() as conn:
        existing = conn.execute(
            select(m.User.__table__).where(m.User.store_id == store_id, m.User.username == username)
        ).first()
    row = dict(existing._mapping) if existing else {"id": new_id(), "version": 0}
    row.update(
        store_id=store_id, terminal_id="HQ", username=username, display_name=display_name,
        role=role, pin_hash=hash_pin(pin), version=int(str(row["version"])) + 1,
    )  # fmt: skip
    _fill_defaults(m.User, row)
    copy_rows(central, "user", [row])


def assign_numbers(central: Engine, *, store_id: str, msisdns: Iterable[str]) -> int:
    """Give a store a block of numbers; numbers already assigned are left; returns new ones."""
    rows = []
    for msisdn in msisdns:
        row = {
            "id": new_id(), "store_id": store_id, "terminal_id": "HQ", "version": 1,
            "msisdn": msisdn, "tier": tier_of(msisdn).value,
        }  # fmt: skip
        _fill_defaults(m.PhoneNumber, row)
        rows.append(row)
    if not rows:
        return 0
    stmt = pg_insert(m.PhoneNumber).on_conflict_do_nothing(index_elements=["msisdn"])
    with central.begin() as conn:
        return len(conn.execute(stmt.returning(m.PhoneNumber.id), rows).all())


def seed_demo(central: Engine, store_ids: Iterable[str]) -> dict[str, int]:
    """The demo catalog for all, the demo staff and a number block for each store."""
    published = publish_catalog(central, DEMO_CATALOG.read_text(encoding="utf-8"))
    numbers = 0
    for index, store in enumerate(store_ids):
        for username, name, role, pin in data.USERS:
            add_user(
                central, store_id=store, username=username, display_name=name, role=role, pin=pin
            )
        block = demo_block(store, index)
        numbers += assign_numbers(central, store_id=store, msisdns=block)
    return {"offerings": published, "numbers": numbers}


def demo_block(store_id: str, index: int = 0) -> list[str]:
    """300 demo numbers of a store: +49 152 <store number> 00000 onwards, one block per store."""
    digits = "".join(ch for ch in store_id if ch.isdigit())
    block = int(digits) % 1000 if digits else 500 + index
    return [f"+49152{block:03d}{n:05d}" for n in range(300)]


def _fill_defaults(model: Any, row: dict[str, Any]) -> None:
    from app.db.types import utcnow

    now = utcnow()
    row.setdefault("created_at", now)
    row.setdefault("updated_at", now)
    for col in model.__table__.columns:
        if col.name in row:
            continue
        default = col.default
        if default is not None and getattr(default, "is_scalar", False):
            row[col.name] = default.arg
        elif default is not None and callable(getattr(default, "arg", None)):
            try:
                row[col.name] = default.arg(None)
            except TypeError:
                row[col.name] = default.arg()
        elif col.nullable:
            row[col.name] = None
