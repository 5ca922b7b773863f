"""Terminals as separate processes, each with its own home: provision, sell offline, sync.

Used by ``test_many_terminals.py`` and ``benchmarks/sync_terminals.py``. Every step is a
real StoreDesk process: ``storedesk provision`` and ``storedesk sync now`` are the commands
IT runs. Selling has no command, and ``sync now`` cannot be told to start at the same
moment as nineteen others, so this module is also a terminal process of its own:

    python -m tests.sync.terminal_processes sell --home DIR --sales N [--seed S]

opens the till of the provisioned terminal under DIR, receives stock and completes N cash
sales through the real services (a phone case, about every other sale a charger too)
without syncing, and prints one JSON line with what it sold;

    python -m tests.sync.terminal_processes sync --home DIR [--central-url URL]

builds the terminal as ``storedesk sync now`` does, prints ``ready``, waits for a line on
its standard input and then runs one sync cycle (the engine's ``cycle()``, which is what
``sync now`` runs), printing one JSON line (pushed, pulled, seconds, error). See
:func:`sync_at_once`.

:func:`local_figures` and :func:`central_figures` read back what each side holds for one
terminal, directly from its SQLite file and from the central database, for an exact
comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import Connection, text

ROOT = Path(__file__).resolve().parents[2]
# (table, amount column, condition) whose count and sum must agree exactly
MONEY = (
    ("orders", "total_minor", "status = 'completed'"),
    ("payments", "amount_minor", "1 = 1"),
    ("till_movements", "amount_minor", "1 = 1"),
)


def storedesk(home: Path, *args: str) -> list[str]:
    """The command line of a StoreDesk process with its own home."""
    return [sys.executable, "-m", "ui.main", "--home", str(home), *args]


def clean_env() -> dict[str, str]:
    """The environment for a terminal process: no settings leaking in from this one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOREDESK_")}
    env["PYTHONPATH"] = str(ROOT)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def start_provision(
    home: Path, *, store: str, terminal: str, url: str, password_file: Path
) -> subprocess.Popen[str]:
    """``storedesk provision`` (as the installer runs it), started (not waited for)."""
    return subprocess.Popen(
        storedesk(home, "provision", "--store", store, "--terminal", terminal,
                  "--central-url", url, "--password-file", str(password_file)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(), cwd=ROOT,
    )  # fmt: skip


def start_sync(home: Path) -> subprocess.Popen[str]:
    """``storedesk sync now`` for the terminal under ``home``, started (not waited for)."""
    return subprocess.Popen(
        storedesk(home, "sync", "now"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=clean_env(), cwd=ROOT,
    )  # fmt: skip


def start_seller(home: Path, sales: int, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.sync.terminal_processes", "sell", "--home", str(home),
         "--sales", str(sales), "--seed", str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(), cwd=ROOT,
    )  # fmt: skip


@dataclass
class SyncResult:
    ok: bool
    pushed: int = 0
    pulled: int = 0
    seconds: float = 0.0
    error: str = ""
    finished: float = 0.0  # time.time() when the cycle ended


def sync_at_once(
    homes: Sequence[Path], *, central_urls: Sequence[str | None] | None = None
) -> tuple[float, list[SyncResult]]:
    """One sync cycle in every terminal, all starting at the same moment.

    The processes are started and built first; once all of them are ready, all are told
    to go. Returns the seconds from "go" until the last cycle ended (not counting the
    processes' exit), and each result.
    """
    urls = list(central_urls or [None] * len(homes))
    procs = []
    for home, url in zip(homes, urls, strict=True):
        cmd = [sys.executable, "-m", "tests.sync.terminal_processes", "sync", "--home", str(home)]
        cmd += ["--central-url", url] if url else []
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=clean_env(), cwd=ROOT,
        )  # fmt: skip
        procs.append(proc)
    for proc in procs:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline()
        if line.strip() != "ready":
            for other in procs:
                other.kill()
            raise RuntimeError(f"a terminal did not get ready: {line!r} {proc.stderr.read()!r}")
    started = time.time()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=600)
        lines = stdout.strip().splitlines()
        try:
            results.append(SyncResult(**json.loads(lines[-1])))
        except (IndexError, ValueError, TypeError):
            failed = f"exit {proc.returncode}: {stderr[-500:]}"
            results.append(SyncResult(False, error=failed, finished=time.time()))
    return max(r.finished for r in results) - started, results


@dataclass
class Figures:
    """What one side holds of one terminal's records."""

    rows: dict[str, set[tuple[uuid.UUID, int]]] = field(default_factory=dict)  # table -> ids
    money: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (count, sum)

    def differences(self, other: Figures) -> list[str]:
        out = []
        for table in sorted(set(self.rows) | set(other.rows)):
            mine, theirs = self.rows.get(table, set()), other.rows.get(table, set())
            if mine != theirs:
                out.append(
                    f"{table}: {len(mine - theirs)} only here, {len(theirs - mine)} only there"
                )
        for table in sorted(set(self.money) | set(other.money)):
            if self.money.get(table) != other.money.get(table):
                out.append(f"{table}: {self.money.get(table)} != {other.money.get(table)}")
        return out


def _tables() -> list[str]:
    from app.sync.entities import Rule, entities

    return [e.table.name for e in entities() if e.rule is Rule.STORE_OWNED] + [
        e.table.name for e in entities() if e.rule is Rule.APPEND_ONLY
    ]


def database_of(home: Path) -> Path:
    return home / "data" / "storedesk.sqlite3"


def local_figures(home: Path, store: str, terminal: str) -> tuple[Figures, int]:
    """The terminal's own rows and money sums, and how many outbox rows still wait."""
    figures = Figures()
    with closing(sqlite3.connect(database_of(home))) as conn:
        for table in _tables():
            rows = conn.execute(
                f"SELECT id, version FROM {table} WHERE store_id = ? AND terminal_id = ?",
                (store, terminal),
            ).fetchall()
            figures.rows[table] = {(uuid.UUID(str(i)), int(v)) for i, v in rows}
        for table, amount, condition in MONEY:
            n, total = conn.execute(
                f"SELECT count(*), coalesce(sum({amount}), 0) FROM {table} "
                f"WHERE store_id = ? AND terminal_id = ? AND {condition}",
                (store, terminal),
            ).fetchone()
            figures.money[table] = (int(n), int(total))
        (waiting,) = conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()
    return figures, int(waiting)


def central_store_sales(conn: Connection, store: str) -> tuple[int, int, int]:
    """The centre's completed orders of a store: (count, total minor, distinct numbers)."""
    count, total, numbers = conn.execute(
        text(
            "SELECT count(*), coalesce(sum(total_minor), 0), count(DISTINCT number) "
            "FROM orders WHERE store_id = :s AND status = 'completed'"
        ),
        {"s": store},
    ).one()
    return int(count), int(total), int(numbers)


def central_figures(conn: Connection, store: str, terminal: str) -> Figures:
    figures = Figures()
    params = {"s": store, "t": terminal}
    for table in _tables():
        rows = conn.execute(
            text(f"SELECT id, version FROM {table} WHERE store_id = :s AND terminal_id = :t"),
            params,
        ).all()
        figures.rows[table] = {(i, int(v)) for i, v in rows}
    for table, amount, condition in MONEY:
        n, total = conn.execute(
            text(
                f"SELECT count(*), coalesce(sum({amount}), 0) FROM {table} "
                f"WHERE store_id = :s AND terminal_id = :t AND {condition}"
            ),
            params,
        ).one()
        figures.money[table] = (int(n), int(total))
    return figures


def _sell(home: Path, sales: int, seed: int) -> dict[str, int]:
    from app.bootstrap import build
    from app.paths import AppPaths
    from app.settings import load_settings

    paths = AppPaths.under(home)
    loaded = load_settings(paths, env=os.environ, cli={})
    services = build(loaded.settings, paths)
    rng = random.Random(seed)
    total = 0
    try:
        maria = services.auth.login("maria", "3333")
        services.till.open({"20.00": "5"}, user=maria)
        services.stock.receive(
            f"sku,serial,imsi,quantity\nACC-CASE,,,{sales}\nACC-CHG,,,{sales}\n",
            reference=f"DN-{loaded.settings.terminal.id}",
            user=maria,
        )
        for _ in range(sales):
            anna = services.auth.login("anna", "1111")
            basket = services.sales.start(customer_id=None, user=anna)
            services.sales.add_code(basket.order_id, "ACC-CASE", user=anna)
            if rng.random() < 0.5:
                services.sales.add_code(basket.order_id, "ACC-CHG", user=anna)
            done = services.sales.pay_cash(basket.order_id, "50", user=anna)
            total += int(done.total.minor)
    finally:
        services.close()
    return {"sales": sales, "total_minor": total}


def _sync(home: Path, central_url: str | None) -> SyncResult:
    from app.bootstrap import build
    from app.errors import SyncError
    from app.paths import AppPaths
    from app.settings import load_settings

    paths = AppPaths.under(home)
    cli = {"central.url": central_url} if central_url else {}
    services = build(load_settings(paths, env=os.environ, cli=cli).settings, paths)
    try:
        print("ready", flush=True)
        sys.stdin.readline()
        try:
            report = services.sync.engine.cycle()
        except SyncError as exc:
            return SyncResult(False, error=str(exc), finished=time.time())
        return SyncResult(
            True, report.push.rows, report.pull.rows, report.seconds, finished=time.time()
        )
    finally:
        services.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.sync.terminal_processes")
    sub = parser.add_subparsers(dest="action", required=True)
    sell = sub.add_parser("sell", help="open the till and complete cash sales, offline")
    sell.add_argument("--home", type=Path, required=True)
    sell.add_argument("--sales", type=int, required=True)
    sell.add_argument("--seed", type=int, default=0)
    sync = sub.add_parser("sync", help="get ready, wait for a line on stdin, sync once")
    sync.add_argument("--home", type=Path, required=True)
    sync.add_argument("--central-url", help="another central database than provisioned")
    args = parser.parse_args(argv)
    if args.action == "sell":
        print(json.dumps(_sell(args.home, args.sales, args.seed)))
        return 0
    result = _sync(args.home, args.central_url)
    print(json.dumps(asdict(result)))
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
