"""Pushing 100,000 completed sales to the central PostgreSQL, against a raw COPY of the same rows.

Set-up: a throw-away central database (``init_central``, ``seed_demo``, ``add_store`` for
store B001, as the tests do) and a terminal of B001 that pulled the catalog and staff. The
terminal opens its till, receives stock and sells a phone case and a charger for cash
through the real services; the outbox rows that sale wrote (the order in four versions,
two lines, three order events, the payment, the till movement, two stock moves and the two
updated stock levels: 15 rows) are cloned N times with fresh UUIDv7 ids and the next
order and receipt numbers into the outbox and the local tables, in big transactions (see
``_sale_clones.py``), so what is pushed is exactly what N real sales push.

Measured: ``Pusher.push_all()`` as the store's login role — row-level security, the
centre's triggers, the journal row, one central transaction per batch of ``--batch``
outbox rows, the local mark-sent after each commit. Afterwards the centre must hold every
order once and the sanity check (counts and sums per day) must find no difference.

Baseline, same run: the same rows (the newest version of each, decoded beforehand) written
with ``COPY … FROM STDIN`` (psycopg ``cursor.copy``) as the superuser into a copy of the
central database taken just before the push, in one transaction: same tables, indexes and
foreign keys, no row-level security, no upsert, no journal. A second figure has the
foreign-key triggers off too (``session_replication_role = replica``), the fastest load
PostgreSQL can do.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from _sale_clones import Cloner, learn
from _sync import (
    backend_cpu,
    backends_of,
    make_central,
    open_store,
    open_terminal,
    sell,
    throwaway_database,
)
from sqlalchemy import Engine, make_url, text

from app.db.engine import make_engine
from app.settings import CentralSettings
from app.sync.central_schema import role_name
from app.sync.entities import by_name, entities
from app.sync.sanity import check_sums

TARGET_RATE = 2000.0
TARGET_RATIO = 0.25
STORE = "B001"
CHUNK = 5000  # sales cloned per local transaction, and per decoded part of the baseline


@dataclass
class Figures:
    seconds: float
    client_cpu: float
    server_cpu: float | None = None
    rows: int = 0

    def line(self, sales: int, outbox_rows: int | None, central_rows: int) -> str:
        parts = [f"{self.seconds:.1f} s = {sales / self.seconds:,.0f} sales/s"]
        if outbox_rows is not None:
            parts.append(f"{outbox_rows / self.seconds:,.0f} outbox rows/s")
        parts.append(f"{central_rows / self.seconds:,.0f} central rows/s")
        cpu = f"CPU per 1,000 sales: client {self.client_cpu / sales * 1000:.2f} s"
        if self.server_cpu is not None:
            cpu += f", PostgreSQL {self.server_cpu / sales * 1000:.2f} s"
        return ", ".join(parts) + f" ({cpu})"


def _db_name(url: str) -> str:
    return str(make_url(url).database)


def _pushed_rows(local: Engine, first_seq: int, chunk_rows: int) -> Any:
    """The pushed outbox rows from ``first_seq`` on, newest version per id, chunk by chunk."""
    seq = first_seq
    with local.connect() as conn:
        last = int(conn.exec_driver_sql("SELECT max(seq) FROM outbox").scalar_one())
        while seq <= last:
            newest: dict[str, tuple[str, str]] = {}
            for entity, entity_id, payload in conn.exec_driver_sql(
                "SELECT entity, entity_id, payload FROM outbox WHERE seq >= ? AND seq < ? "
                "AND operation = 'upsert' ORDER BY seq",
                (seq, seq + chunk_rows),
            ):
                newest[entity_id] = (entity, payload)
            yield newest
            seq += chunk_rows
        conn.rollback()


def _copy_rows(
    url: str, local: Engine, first_seq: int, chunk_rows: int, updated: set[str], *, fk: bool
) -> Figures:
    """COPY the pushed rows into ``url``; returns the time and CPU spent writing them.

    Rows that every sale updated (the stock levels, ids in ``updated``) already exist
    there: they get the one UPDATE to their last version at the end, as the push leaves
    them. Decoding is done chunk by chunk before the clock runs.
    """
    seconds = cpu = 0.0
    written = 0
    last_of_updated: dict[str, tuple[str, str]] = {}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        backend = [conn.info.backend_pid]
        server0 = backend_cpu(backend)
        if not fk:
            cur.execute("SET session_replication_role = replica")
        for newest in _pushed_rows(local, first_seq, chunk_rows):
            per_table: dict[str, list[tuple[Any, ...]]] = {}
            for entity_id, (entity, payload) in newest.items():
                if entity_id in updated:
                    last_of_updated[entity_id] = (entity, payload)
                else:
                    _add(per_table, entity, payload)
            t0, c0 = time.perf_counter(), time.process_time()
            for spec in entities():
                rows = per_table.get(spec.table.name)
                if rows:
                    cols = ", ".join(spec.columns)
                    with cur.copy(f"COPY {spec.table.name} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    written += len(rows)
            seconds += time.perf_counter() - t0
            cpu += time.process_time() - c0
        per_table = {}
        for entity, payload in last_of_updated.values():
            _add(per_table, entity, payload)
        t0, c0 = time.perf_counter(), time.process_time()
        for table, rows in per_table.items():
            spec = next(e for e in entities() if e.table.name == table)
            sets = ", ".join(f"{c} = %s" for c in spec.columns if c != "id")
            for row in rows:
                values = dict(zip(spec.columns, row, strict=True))
                cur.execute(
                    f"UPDATE {table} SET {sets} WHERE id = %s",
                    (*(v for c, v in values.items() if c != "id"), values["id"]),
                )
            written += len(rows)
        conn.commit()
        seconds += time.perf_counter() - t0
        cpu += time.process_time() - c0
        server1 = backend_cpu(backend)
    server = server1 - server0 if server0 is not None and server1 is not None else None
    return Figures(seconds, cpu, server, written)


def _add(per_table: dict[str, list[tuple[Any, ...]]], entity: str, payload: str) -> None:
    spec = by_name()[entity]
    row = json.loads(payload)
    per_table.setdefault(spec.table.name, []).append(
        tuple(
            json.dumps(v) if isinstance(v, dict | list) else v
            for v in (row.get(c) for c in spec.columns)
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=100_000)
    parser.add_argument(
        "--batch", type=int, default=CentralSettings().batch_size,
        help="outbox rows per push batch (default: the app's [central] batch_size)",
    )  # fmt: skip
    parser.add_argument("--profile", help="write a cProfile of the push to this file")
    args = parser.parse_args()

    with (
        throwaway_database("storedesk_bench_push") as central_url,
        tempfile.TemporaryDirectory() as home,
    ):
        password = make_central(central_url, [STORE], terminals=1)[STORE]
        services = open_terminal(
            Path(home), central_url=central_url, store=STORE, terminal="T01",
            password=password, extra={"central.batch_size": str(args.batch)},
        )  # fmt: skip
        try:
            engine = services.sync.engine
            engine.cycle()  # catalog and staff come down
            open_store(services, stock=args.sales + 100)
            engine.cycle()  # the till session and the stock go up
            sell(services)
            template = learn(services.engine)
            engine.cycle()  # the real sale goes up
            with services.engine.connect() as conn:
                last = conn.exec_driver_sql("SELECT max(seq) FROM outbox").scalar_one()
            first_seq = int(last) + 1
            t0 = time.perf_counter()
            cloner = Cloner(services.engine, template)
            while cloner.done < args.sales:
                cloner.write(min(CHUNK, args.sales - cloner.done))
            cloner.finish()
            rows = args.sales * template.per_sale
            print(
                f"{args.sales:,} sales = {rows:,} outbox rows ({template.per_sale} a sale: "
                f"{_shape(template.rows)}), cloned into the outbox and the local tables in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            # The baselines load into copies of the centre as it is now (catalog, till, the
            # one real sale); a template copy needs the centre without connections.
            engine.link.engine.dispose()
            central_name = _db_name(central_url)
            with (
                throwaway_database("storedesk_bench_copy", template=central_name) as copy_url,
                throwaway_database("storedesk_bench_copy_nofk", template=central_name) as raw_url,
            ):
                with engine.link.connect() as conn:  # the pool's connection, now checked
                    conn.exec_driver_sql("SELECT 1")
                backends = backends_of(central_name, role_name(STORE))
                cpu0, server0 = time.process_time(), backend_cpu(backends)
                t0 = time.perf_counter()
                if args.profile:
                    import cProfile

                    with cProfile.Profile() as prof:
                        report = engine.pusher.push_all()
                    prof.dump_stats(args.profile)
                else:
                    report = engine.pusher.push_all()
                push = Figures(time.perf_counter() - t0, time.process_time() - cpu0)
                server1 = backend_cpu(backends)
                if server0 is not None and server1 is not None:
                    push.server_cpu = server1 - server0
                _verify(services.engine, engine, central_url, args.sales + 1)
                chunk_rows = CHUNK * template.per_sale
                updated = {uuid.UUID(k).hex for k in template.updated}
                copy = _copy_rows(
                    copy_url, services.engine, first_seq, chunk_rows, updated, fk=True
                )
                raw = _copy_rows(raw_url, services.engine, first_seq, chunk_rows, updated, fk=False)
        finally:
            services.close()

    n = args.sales
    print(
        f"push: {report.batches} batches of {args.batch} outbox rows, one central transaction "
        f"each, as the role of {STORE} (row-level security on)"
    )
    print(f"  {push.line(n, rows, copy.rows)}")
    print(f"raw COPY of the same {copy.rows:,} rows (newest versions), foreign keys checked:")
    print(f"  {copy.line(n, None, copy.rows)}")
    print("raw COPY, foreign-key triggers off (session_replication_role = replica):")
    print(f"  {raw.line(n, None, raw.rows)}")
    rate, ratio = n / push.seconds, copy.seconds / push.seconds
    print(
        f"ratio push / COPY: {ratio:.0%} (FK triggers off: {raw.seconds / push.seconds:.0%}); "
        f"targets: ≥ {TARGET_RATE:,.0f} sales/s {'met' if rate >= TARGET_RATE else 'NOT met'}, "
        f"≥ {TARGET_RATIO:.0%} of COPY {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at the end")
    return 0


def _shape(rows: list[Any]) -> str:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[0]] = counts.get(row[0], 0) + 1
    return ", ".join(f"{n} {entity}" for entity, n in counts.items())


def _verify(local: Engine, engine: Any, central_url: str, orders: int) -> None:
    """Everything went up once, and the sanity check agrees (counts and sums per day)."""
    assert engine.pusher.waiting() == 0
    admin = make_engine(central_url)
    try:
        with admin.connect() as conn:
            count = conn.execute(
                text("SELECT count(*), count(DISTINCT number) FROM orders WHERE store_id = :s"),
                {"s": STORE},
            ).one()
        assert tuple(count) == (orders, orders), (count, orders)
    finally:
        admin.dispose()
    sanity = check_sums(local, engine.link.connect, store_id=STORE, terminal_id="T01")
    assert not sanity.mismatches, sanity.describe()


if __name__ == "__main__":
    raise SystemExit(main())
