"""Terminal processes of two stores sell offline, then all sync at once: exact convergence.

The small, always-run version of ``benchmarks/sync_terminals.py``: four StoreDesk terminals
(two per store), each its own process with its own home and SQLite database, provisioned
with ``storedesk provision`` and the store's password file. They pull the catalog and staff
together (``storedesk sync now``, all four at once), complete a few cash sales each while
nothing syncs, and then all sync at the same moment (each process built first, then told
to go). No process may fail, nothing may wait in an
outbox, and for every terminal the centre must hold exactly its rows (ids and versions of
every store-owned and money record) and the same counts and sums of completed orders,
payments and till movements; per store, the centre's totals are the sum of its terminals'.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db.engine import make_engine
from app.sync.central_data import seed_demo
from app.sync.central_schema import add_store, add_terminal, init_central, role_name
from tests.sync.terminal_processes import (
    central_figures,
    central_store_sales,
    local_figures,
    start_provision,
    start_seller,
    start_sync,
    sync_at_once,
)

pytestmark = pytest.mark.postgres

# Store ids of their own: login roles are cluster-wide, and re-keying S001/S002 would lock
# out the other sync tests running against the same server.
STORES = ("M001", "M002")
SALES = {("M001", "T01"): 3, ("M001", "T02"): 5, ("M002", "T01"): 4, ("M002", "T02"): 2}


def _finish(procs: dict[tuple[str, str], subprocess.Popen[str]]) -> dict[tuple[str, str], str]:
    """Wait for every process; each must have succeeded. Returns their output."""
    out = {}
    failures = []
    for key, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=240)
        if proc.returncode != 0 or "storedesk sync:" in stderr:
            failures.append(f"{key}: exit {proc.returncode}: {stderr.strip()[-2000:]}")
        out[key] = stdout
    assert not failures, "\n".join(failures)
    return out


@pytest.mark.timeout(600)  # a dozen Python processes at once: slow on a loaded machine
def test_terminal_processes_of_two_stores_sell_offline_and_converge_exactly(
    pg_url: str, tmp_path: Path
) -> None:
    central = make_engine(pg_url)
    try:
        init_central(central)
        seed_demo(central, STORES)
        base = make_url(pg_url)
        homes: dict[tuple[str, str], Path] = {}
        provisions = {}
        for store in STORES:
            secret = tmp_path / f"{store}.password"
            secret.write_text(add_store(central, store, name=f"Store {store}").password + "\n")
            secret.chmod(0o600)
            url = f"postgresql://{role_name(store)}@{base.host}:{base.port}/{base.database}"
            for terminal in ("T01", "T02"):
                add_terminal(central, store, terminal)
                home = homes[(store, terminal)] = tmp_path / f"{store}-{terminal}"
                provisions[(store, terminal)] = start_provision(
                    home, store=store, terminal=terminal, url=url, password_file=secret
                )
        _finish(provisions)
        _finish({key: start_sync(home) for key, home in homes.items()})  # catalog and staff
        sellers = {
            key: start_seller(home, SALES[key], seed=n)
            for n, (key, home) in enumerate(homes.items())
        }
        sold = {key: json.loads(out) for key, out in _finish(sellers).items()}
        with central.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM orders")).scalar() == 0  # offline
        _, results = sync_at_once(list(homes.values()))  # all four at the same moment
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        assert sum(r.pushed for r in results) > 0

        with central.connect() as conn:
            for (store, terminal), home in homes.items():
                mine, waiting = local_figures(home, store, terminal)
                assert waiting == 0, (store, terminal)
                assert mine.money["orders"] == (
                    SALES[(store, terminal)],
                    sold[(store, terminal)]["total_minor"],
                )
                theirs = central_figures(conn, store, terminal)
                assert mine.differences(theirs) == [], (store, terminal)
                assert sum(len(ids) for ids in theirs.rows.values()) > 0
            for store in STORES:
                count, total, numbers = central_store_sales(conn, store)
                mine = [v for k, v in sold.items() if k[0] == store]
                assert count == numbers == sum(v["sales"] for v in mine)
                assert total == sum(v["total_minor"] for v in mine)
    finally:
        central.dispose()
