"""Pulling 50,000 catalog and price changes to a terminal, against a raw SELECT + executemany.

Set-up: a throw-away central database (``init_central``, ``seed_demo``, ``add_store`` for
store B001) whose catalog is grown, as the administrator, with ``copy_rows`` — the write
every catalog publish goes through — to N rows: 90 % offerings (copies of the demo
offerings of every kind, each with its own SKU, name, barcode and price in its ``spec``)
and 10 % promotions (copies of the demo promotions with their own codes). A terminal of
B001 pulls them once (timed too: "first pull"). Then every one of those rows changes at the
centre — a new price in the offering's ``spec`` (and ``name``), a new percentage in the
promotion's, version + 1 — again through ``copy_rows``, and the terminal pulls the N
changes (timed: "changes").

Measured: ``Puller.pull()`` as the store's login role (row-level security on, one
REPEATABLE READ snapshot, pages of 2,000 rows, each applied in one local transaction with
its watermark, every row checked, the upsert replacing the local row). The terminal's
catalog is then loaded once through ``CatalogService`` and must show the new prices.

Baseline, same run: a raw ``SELECT`` (psycopg, same role, no paging) of the same rows, their
values turned into what SQLite stores (hex UUIDs, UTC timestamps as text, JSON as text) and
one ``executemany`` upsert per table with the stdlib ``sqlite3`` module into a copy of the
terminal's database taken just before the pull, in one transaction.

Target (sync issue): the 50,000 changes pulled in under 5 s.

    .venv/bin/python benchmarks/sync_pull.py [--changes 50000]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from _sync import backend_cpu, make_central, open_terminal, store_url, throwaway_database
from sqlalchemy import JSON, Engine, select

from app.db import models as m
from app.db.engine import make_engine
from app.db.types import utcnow
from app.sync.central_data import copy_rows
from app.sync.entities import CENTRE_STORE, by_name
from domain.ids import new_id

TARGET_S = 5.0
STORE = "B001"
CHUNK = 10_000  # rows per copy_rows call (one central transaction each)


def _grow_catalog(central: Engine, total: int) -> dict[str, list[dict[str, Any]]]:
    """Copies of the demo offerings and promotions up to ``total`` rows; returns them."""
    with central.connect() as conn:
        offerings = [
            dict(r._mapping)
            for r in conn.execute(select(m.Offering.__table__).order_by(m.Offering.position))
        ]
        promotions = [
            dict(r._mapping)
            for r in conn.execute(select(m.Promotion.__table__).order_by(m.Promotion.position))
        ]
    wanted_promotions = total // 10
    wanted_offerings = total - wanted_promotions
    now = utcnow()
    made: dict[str, list[dict[str, Any]]] = {"offering": [], "promotion": []}
    for k in range(wanted_offerings):
        base = offerings[k % len(offerings)]
        row = dict(base, id=new_id(), version=1, created_at=now, updated_at=now)
        row["sku"] = f"{base['sku']}-B{k:06d}"
        row["name"] = f"{base['name']} #{k}"
        row["position"] = len(offerings) + k
        if base["barcode"]:
            row["barcode"] = f"29{k:011d}"
        spec = copy.deepcopy(base["spec"])
        spec["id"], spec["name"] = row["sku"], row["name"]
        if base["barcode"]:
            spec["barcode"] = row["barcode"]
        row["spec"] = spec
        made["offering"].append(row)
    for k in range(wanted_promotions):
        base = promotions[k % len(promotions)]
        row = dict(base, id=new_id(), version=1, created_at=now, updated_at=now)
        row["code"] = f"{base['code']}-B{k:06d}"
        row["position"] = len(promotions) + k
        spec = copy.deepcopy(base["spec"])
        spec["id"] = row["code"]
        row["spec"] = spec
        made["promotion"].append(row)
    for entity, rows in made.items():
        for start in range(0, len(rows), CHUNK):
            copy_rows(central, entity, rows[start : start + CHUNK])
    return made


def _change_prices(central: Engine, made: dict[str, list[dict[str, Any]]]) -> None:
    """Every grown row changes: prices up by 1.00, promotions one point more, version + 1."""
    now = utcnow()
    for entity, rows in made.items():
        for row in rows:
            row["version"] += 1
            row["updated_at"] = now
            spec = row["spec"] = copy.deepcopy(row["spec"])
            if entity == "offering":
                row["name"] = spec["name"] = row["name"] + " (new price)"
                for price in spec.get("productOfferingPrice", []):
                    amount = price["price"]["taxIncludedAmount"]
                    amount["value"] = str(Decimal(amount["value"]) + 1)
            elif "percent" in spec:
                spec["percent"] = str(min(Decimal(spec["percent"]) + 1, Decimal(90)))
        for start in range(0, len(rows), CHUNK):
            copy_rows(central, entity, rows[start : start + CHUNK])


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _raw_pull(store_role_url: str, password: str, database: Path, since: int) -> Figures:
    """The raw baseline: SELECT the changed rows, one executemany upsert per table.

    JSON columns are read as text and written as they come, as the pull does.
    """
    local = sqlite3.connect(database, isolation_level=None)
    local.execute("PRAGMA foreign_keys=ON")
    t0, c0 = time.perf_counter(), time.process_time()
    with psycopg.connect(store_role_url, password=password) as conn:
        backend = [conn.info.backend_pid]
        s0 = backend_cpu(backend)
        fetched = {}
        for entity in ("offering", "promotion"):
            table = by_name()[entity].table
            cols = [c.name for c in table.columns]
            read = [
                f"{c.name}::text" if isinstance(c.type, JSON) else c.name for c in table.columns
            ]
            rows = conn.execute(
                f"SELECT {', '.join(read)} FROM {table.name} WHERE change_seq >= %s",
                (since,),
            ).fetchall()
            fetched[table.name] = (cols, rows)
        s1 = backend_cpu(backend)
    local.execute("BEGIN IMMEDIATE")
    for table, (cols, rows) in fetched.items():
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
        local.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            ([_sqlite_value(v) for v in row] for row in rows),
        )
    local.execute("COMMIT")
    figures = Figures(time.perf_counter() - t0, time.process_time() - c0)
    if s0 is not None and s1 is not None:
        figures.server_cpu = s1 - s0
    local.close()
    return figures


@dataclass
class Figures:
    seconds: float
    client_cpu: float
    server_cpu: float | None = None

    def cpu(self) -> str:
        server = "" if self.server_cpu is None else f", PostgreSQL {self.server_cpu:.2f} s"
        return f"CPU: terminal {self.client_cpu:.2f} s{server}"


def _timed_pull(services: Any) -> tuple[Any, Figures]:
    engine = services.sync.engine
    with engine.link.connect() as conn:  # the pooled connection the pull will use
        pid = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        conn.rollback()
    s0 = backend_cpu([pid])
    t0, c0 = time.perf_counter(), time.process_time()
    report = engine.puller.pull()
    figures = Figures(time.perf_counter() - t0, time.process_time() - c0)
    s1 = backend_cpu([pid])
    if s0 is not None and s1 is not None:
        figures.server_cpu = s1 - s0
    return report, figures


def _copy_database(services: Any, target: Path) -> None:
    """A consistent copy of the terminal's database (SQLite's online backup)."""
    with (
        sqlite3.connect(str(services.engine.url.database)) as source,
        sqlite3.connect(target) as copy_,
    ):
        source.backup(copy_)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=50_000)
    args = parser.parse_args()
    with (
        throwaway_database("storedesk_bench_pull") as central_url,
        tempfile.TemporaryDirectory() as home,
    ):
        password = make_central(central_url, [STORE], terminals=1)[STORE]
        admin = make_engine(central_url)
        services = open_terminal(
            Path(home) / "terminal", central_url=central_url, store=STORE, terminal="T01",
            password=password,
        )  # fmt: skip
        try:
            puller = services.sync.engine.puller
            services.sync.engine.cycle()  # the demo catalog and staff
            t0 = time.perf_counter()
            made = _grow_catalog(admin, args.changes)
            print(
                f"centre: {len(made['offering']):,} offerings and {len(made['promotion']):,} "
                f"promotions published with copy_rows in {time.perf_counter() - t0:.1f} s"
            )
            first, first_f = _timed_pull(services)
            t0 = time.perf_counter()
            _change_prices(admin, made)
            print(f"centre: all {args.changes:,} changed in {time.perf_counter() - t0:.1f} s")
            since = min(puller.watermark("offering"), puller.watermark("promotion"))
            raw_db = Path(home) / "raw.sqlite3"
            _copy_database(services, raw_db)
            second, pull_f = _timed_pull(services)
            raw_f = _raw_pull(store_url(central_url, STORE), password, raw_db, since)
            _check(services, raw_db, made)
        finally:
            services.close()
            admin.dispose()

    n = args.changes
    first_s, changes_s, raw_s = first_f.seconds, pull_f.seconds, raw_f.seconds
    print(
        f"first pull (new rows): {first.rows:,} rows in {first_s:.2f} s = "
        f"{first.rows / first_s:,.0f} rows/s ({first_f.cpu()})"
    )
    print(
        f"pull of the changes: {second.rows:,} rows in {changes_s:.2f} s = "
        f"{second.rows / changes_s:,.0f} rows/s ({pull_f.cpu()}); target < {TARGET_S:.0f} s "
        f"for {n:,}: {'met' if changes_s < TARGET_S else 'NOT met'}"
    )
    print(
        f"raw SELECT + sqlite3 executemany upsert of the same rows: {raw_s:.2f} s = "
        f"{n / raw_s:,.0f} rows/s ({raw_f.cpu()})"
    )
    print(f"ratio pull / raw: {changes_s / raw_s:.2f} ×")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at the end")
    return 0


def _check(services: Any, raw_db: Path, made: dict[str, list[dict[str, Any]]]) -> None:
    """Both sides hold the new versions; the terminal's catalog shows the new prices."""
    expected = {row["id"].hex: row["version"] for rows in made.values() for row in rows}
    for database in (Path(str(services.engine.url.database)), raw_db):
        with sqlite3.connect(database) as conn:
            got = dict(
                conn.execute(
                    "SELECT id, version FROM offerings WHERE store_id = ? "
                    "UNION ALL SELECT id, version FROM promotions WHERE store_id = ?",
                    (CENTRE_STORE, CENTRE_STORE),
                ).fetchall()
            )
        missing = {k: v for k, v in expected.items() if got.get(k) != v}
        assert not missing, f"{database.name}: {len(missing)} rows not at their new version"
    services.catalog.invalidate()
    t0 = time.perf_counter()
    services.catalog.snapshot()
    print(f"the terminal's catalog loaded afterwards in {time.perf_counter() - t0:.1f} s")
    sample = made["offering"][len(made["offering"]) // 2]
    found = services.catalog.find_by_code(sample["sku"])
    assert found is not None and found.name.endswith("(new price)"), found


if __name__ == "__main__":
    raise SystemExit(main())
