"""Helpers shared by the benchmarks: where things are, timing whole processes."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.bootstrap import Services

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BIN = Path(sys.executable).parent
STOREDESK = BIN / ("storedesk.exe" if os.name == "nt" else "storedesk")

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
w = QLabel("bare window")
w.resize(1200, 760)
w.show()
if len(sys.argv) > 1:
    open(sys.argv[1], "w").write("shown\\n")
else:
    QTimer.singleShot(0, app.quit)
app.exec()
"""


def env() -> dict[str, str]:
    e = dict(os.environ)
    if not e.get("DISPLAY"):
        e.setdefault("QT_QPA_PLATFORM", "offscreen")
    return e


def wall(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, env=env(), stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def median_of(cmd: list[str], runs: int) -> tuple[float, list[float]]:
    wall(cmd)  # warm the OS file cache once; cold-cache numbers vary too much to compare
    samples = [wall(cmd) for _ in range(runs)]
    return statistics.median(samples), samples


def until_file(cmd: list[str], marker: Path, *, limit: float = 60.0) -> float:
    """Seconds from starting ``cmd`` until it writes ``marker``; the process is then ended."""
    marker.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not marker.exists():
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {proc.returncode} before the marker")
            if time.perf_counter() - started > limit:
                raise RuntimeError(f"no marker within {limit:g} s")
            time.sleep(0.001)
        return time.perf_counter() - started
    finally:
        proc.kill()
        proc.wait()


def median_until_file(cmd: list[str], marker: Path, runs: int) -> tuple[float, list[float]]:
    until_file(cmd, marker)  # warm-up, as above
    samples = [until_file(cmd, marker) for _ in range(runs)]
    return statistics.median(samples), samples


def precompile() -> None:
    """Write .pyc files for StoreDesk's own packages, as an installed copy has them.

    An editable checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every
    module from source on each start, which no installed StoreDesk does.
    """
    import compileall

    for package in ("app", "ui", "domain", "devices", "migrations"):
        compileall.compile_dir(str(ROOT / package), quiet=1)


def demo_database(customers: int) -> Path:
    """The cached demo home with ``customers`` customers (made once by ``storedesk demo``)."""
    home = OUT / f"home-{customers}"
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(STOREDESK), "--home", str(home), "demo", "--customers", str(customers)],
        check=True, env=env(),
    )  # fmt: skip
    return home


def open_services(home: Path) -> Services:
    """The services as the app builds them, then gc.freeze() as ui/main.py does after start.

    No backup copy before a schema upgrade: the cached database is a throw-away.
    """
    import gc

    from app.bootstrap import build
    from app.paths import AppPaths
    from app.settings import load_settings

    paths = AppPaths.under(home)
    cli = {"printer.kind": "simulated", "database.backup_before_migrate": "false"}
    loaded = load_settings(paths, env={}, cli=cli)
    services = build(loaded.settings, paths)
    gc.collect()
    gc.freeze()
    return services
