"""Idle memory: resident set size of StoreDesk at the login window over a big database.

Creates (once, cached in benchmarks/out/) a demo database with N customers (default
1,000,000, each with a subscription and 1–3 timeline entries), starts StoreDesk on it,
waits until the login window is shown and a few seconds have passed, and reads the RSS.
The baseline is a bare PySide6 window measured the same way in the same run.
Target (issue: foundation): under 250 MB RSS with 1,000,000 customers.

    .venv/bin/python benchmarks/idle_memory.py [--customers 1000000] [--idle 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BARE_WINDOW, OUT, STOREDESK, env


def rss_when_ready(cmd: list[str], ready: Path, idle: float) -> int:
    proc = subprocess.Popen(cmd, env=env(), stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {proc.returncode} before showing")
            if time.monotonic() > deadline:
                raise RuntimeError("window not shown within 120 s")
            time.sleep(0.05)
        time.sleep(idle)
        return int(psutil.Process(proc.pid).memory_info().rss)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--idle", type=float, default=3.0)
    args = parser.parse_args()
    home = OUT / f"home-{args.customers}"
    home.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    subprocess.run(
        [str(STOREDESK), "--home", str(home), "demo", "--customers", str(args.customers)],
        check=True, env=env(),
    )  # fmt: skip
    print(f"database ready in {time.monotonic() - started:.0f} s")
    with tempfile.TemporaryDirectory() as tmp:
        bare = rss_when_ready(
            [sys.executable, "-c", BARE_WINDOW, str(Path(tmp) / "bare")],
            Path(tmp) / "bare",
            args.idle,
        )
        app = rss_when_ready(
            [str(STOREDESK), "--home", str(home), "--ready-file", str(Path(tmp) / "app")],
            Path(tmp) / "app",
            args.idle,
        )
    mb = 1024 * 1024
    print(f"bare PySide6 window : {bare / mb:6.1f} MB RSS")
    print(f"storedesk (login)   : {app / mb:6.1f} MB RSS with {args.customers:,} customers")
    print(f"ratio               : {app / bare:.2f} x the bare window (target < 250 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
