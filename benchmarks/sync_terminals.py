"""Twenty terminal processes syncing at once against one central PostgreSQL.

Set-up: a throw-away central database (``init_central``, ``seed_demo``, ``add_store``) with
``--stores`` stores (B001 …) of ``--terminals`` terminals each (20 by default: 4 × 5),
every store's password in a file only its owner reads. Each terminal is its own StoreDesk
home and SQLite database, made with ``storedesk provision --password-file`` (the
installer's way), and everything below runs as separate processes:

1. first sync: all terminals run ``storedesk sync now`` at once (pull catalog and staff);
2. offline: each terminal opens its till, receives stock and completes ``--sales`` cash
   sales through the real services (``python -m tests.sync.terminal_processes``), nothing
   syncing meanwhile — four sellers at a time (not timed);
3. sync, all at the same moment: every terminal process is started and built (as
   ``storedesk sync now`` builds it), and once all are ready all are told to go; each runs
   one sync cycle (push everything, pull, the sanity check of counts and sums per day) —
   the engine's ``cycle()``, which is what ``sync now`` runs (``tests.sync.terminal_processes``).

Reported: wall time of phase 1 (from starting all processes until the last one ended) and
of phase 3 (from "go" until the last cycle ended), the slowest cycle, and errors (a process
that failed or reported a sync error) — which must be 0. Then, for every terminal, its
SQLite file against the centre: the same ids and versions of every store-owned and money
record, the same count and sum of completed orders, payments and till movements, nothing
left in the outbox; and per store, the centre's totals equal the sum of its terminals'.

Baseline, same run: the same syncs one at a time — on a copy of the central database and
copies of the terminals' homes taken before phase 3 — the sum of their cycle times. The
ratio (all at once / one at a time) shows what running them together costs or saves.

Target (sync issue): 20 terminal processes syncing at once without errors.

    .venv/bin/python benchmarks/sync_terminals.py [--stores 4] [--terminals 5] [--sales 25]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _sync import make_central, store_url, throwaway_database
from sqlalchemy import make_url

from app.db.engine import make_engine
from tests.sync.terminal_processes import (
    central_figures,
    central_store_sales,
    local_figures,
    start_provision,
    start_seller,
    start_sync,
    sync_at_once,
)

Key = tuple[str, str]
CYCLE = re.compile(r"pushed (\d+), pulled (\d+), \d+ conflicts, ([\d.]+) s")


def _at_once(procs: dict[Key, subprocess.Popen[str]]) -> tuple[float, dict[Key, str], list[str]]:
    """Wait for processes started together: (seconds until the last ended, output, errors)."""
    started = time.perf_counter()
    outputs: dict[Key, str] = {}
    errors: list[str] = []
    for key, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=900)
        outputs[key] = stdout
        if proc.returncode != 0 or "storedesk sync:" in stderr:
            errors.append(f"{'/'.join(key)}: exit {proc.returncode}: {stderr.strip()[-500:]}")
    return time.perf_counter() - started, outputs, errors


def _in_groups(
    keys: list[Key], size: int, launch: Callable[[Key], subprocess.Popen[str]]
) -> tuple[dict[Key, str], list[str]]:
    """Run ``launch`` for every key, ``size`` processes at a time."""
    outputs: dict[Key, str] = {}
    errors: list[str] = []
    for i in range(0, len(keys), size):
        group = {k: launch(k) for k in keys[i : i + size]}
        _, out, err = _at_once(group)
        outputs.update(out)
        errors += err
    return outputs, errors


def _slowest_cycle(outputs: dict[Key, str]) -> tuple[float, int, int]:
    """The longest cycle any process reported, and the rows pushed and pulled by all."""
    slowest, pushed, pulled = 0.0, 0, 0
    for out in outputs.values():
        found = CYCLE.search(out)
        if found:
            pushed += int(found.group(1))
            pulled += int(found.group(2))
            slowest = max(slowest, float(found.group(3)))
    return slowest, pushed, pulled


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=4)
    parser.add_argument("--terminals", type=int, default=5, help="terminals per store")
    parser.add_argument("--sales", type=int, default=25, help="offline sales per terminal")
    args = parser.parse_args()
    stores = [f"B{n:03d}" for n in range(1, args.stores + 1)]
    keys = [(s, f"T{n:02d}") for s in stores for n in range(1, args.terminals + 1)]
    count = len(keys)

    with (
        throwaway_database("storedesk_bench_terminals") as central_url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        root = Path(tmp)
        passwords = make_central(central_url, stores, terminals=args.terminals)
        homes = {key: root / f"{key[0]}-{key[1]}" for key in keys}
        for store, secret in passwords.items():
            path = root / f"{store}.password"
            path.write_text(secret + "\n")
            path.chmod(0o600)
        t0 = time.perf_counter()
        _, provision_err = _in_groups(
            keys, 4, lambda k: start_provision(
                homes[k], store=k[0], terminal=k[1], url=store_url(central_url, k[0]),
                password_file=root / f"{k[0]}.password",
            ),
        )  # fmt: skip
        print(f"{count} terminals provisioned in {time.perf_counter() - t0:.1f} s (four at a time)")

        first_s, first_out, first_err = _at_once({k: start_sync(homes[k]) for k in keys})
        first_cycle, _, first_pulled = _slowest_cycle(first_out)

        t0 = time.perf_counter()
        sold_out, sell_err = _in_groups(
            keys, 4, lambda k: start_seller(homes[k], args.sales, seed=keys.index(k))
        )
        sold = {k: json.loads(v) for k, v in sold_out.items() if v.strip()}
        print(
            f"{sum(v['sales'] for v in sold.values())} sales completed offline in "
            f"{time.perf_counter() - t0:.1f} s (four terminals at a time)"
        )

        copies = {k: root / "one-at-a-time" / h.name for k, h in homes.items()}
        for key, home in homes.items():
            shutil.copytree(home, copies[key])
        with throwaway_database(
            "storedesk_bench_terminals_copy", template=str(make_url(central_url).database)
        ) as copy_url:
            sync_s, results = sync_at_once([homes[k] for k in keys])
            alone = []
            for store, terminal in keys:
                _, (one,) = sync_at_once(
                    [copies[(store, terminal)]], central_urls=[store_url(copy_url, store)]
                )
                alone.append(one)
        sync_err = [f"{'/'.join(k)}: {r.error}" for k, r in zip(keys, results, strict=True)]
        sync_err = [e for e, r in zip(sync_err, results, strict=True) if not r.ok]
        alone_err = [r.error for r in alone if not r.ok]
        problems = _compare(central_url, homes, sold, stores)

    errors = provision_err + first_err + sell_err + sync_err + alone_err
    print(
        f"first sync, {count} processes at once: {first_s:.1f} s wall, slowest cycle "
        f"{first_cycle:.1f} s, {first_pulled:,} rows pulled"
    )
    pushed = sum(r.pushed for r in results)
    print(
        f"sync of the offline sales, {count} processes at the same moment: {sync_s:.2f} s "
        f"wall, slowest cycle {max(r.seconds for r in results):.2f} s, {pushed:,} outbox rows "
        f"pushed ({pushed / sync_s:,.0f}/s), {sum(r.pulled for r in results):,} rows pulled"
    )
    alone_s = sum(r.seconds for r in alone)
    print(
        f"baseline, the same {count} syncs one at a time (copies): {alone_s:.2f} s in all, "
        f"{alone_s / count:.2f} s each on average"
    )
    print(f"ratio at once / one at a time: {sync_s / alone_s:.2f} ×")
    print(f"errors: {len(errors)}")
    for line in errors:
        print(f"  {line}")
    print(
        "convergence: "
        + ("exact (ids, versions, counts and sums)" if not problems else "DIFFERENT")
    )
    for line in problems:
        print(f"  {line}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at the end")
    return 1 if errors or problems else 0


def _compare(
    central_url: str, homes: dict[Key, Path], sold: dict[Key, dict[str, int]], stores: list[str]
) -> list[str]:
    problems: list[str] = []
    central = make_engine(central_url)
    try:
        with central.connect() as conn:
            for (store, terminal), home in homes.items():
                mine, waiting = local_figures(home, store, terminal)
                if waiting:
                    problems.append(f"{store}/{terminal}: {waiting} outbox rows still waiting")
                expected = sold.get((store, terminal))
                if expected and mine.money["orders"] != (
                    expected["sales"],
                    expected["total_minor"],
                ):
                    problems.append(f"{store}/{terminal}: local orders {mine.money['orders']}")
                for line in mine.differences(central_figures(conn, store, terminal)):
                    problems.append(f"{store}/{terminal}: {line}")
            for store in stores:
                n, total, numbers = central_store_sales(conn, store)
                mine_n = sum(v["sales"] for k, v in sold.items() if k[0] == store)
                mine_total = sum(v["total_minor"] for k, v in sold.items() if k[0] == store)
                if (n, total, numbers) != (mine_n, mine_total, mine_n):
                    problems.append(
                        f"{store}: centre {n} orders / {total} / {numbers} numbers, "
                        f"terminals {mine_n} / {mine_total}"
                    )
                else:
                    print(f"{store}: {n} orders, {total / 100:,.2f} EUR at the centre = terminals")
    finally:
        central.dispose()
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
