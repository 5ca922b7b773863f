#!/usr/bin/env python3
"""Set up StoreDesk on a fresh machine (only Python needed) and run the app or the tests.

    python3 scripts/dev.py app   # venv + install + demo database + simulated devices, then the app
    python3 scripts/dev.py test     # venv + install + PostgreSQL check/set-up, then the whole suite

Idempotent: the virtual environment is (re)installed only when pyproject.toml changes.
Extra arguments after ``app`` go to ``storedesk``; after ``test`` they go to pytest.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("STOREDESK_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".storedesk-installed"


def say(message: str) -> None:
    print(f"[storedesk] {message}", flush=True)


def run(cmd: list[str], **kw: object) -> None:
    subprocess.run(cmd, check=True, **kw)  # type: ignore[call-overload]


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before anything is installed
        sys.exit("StoreDesk needs Python 3.11 or newer; this is " + sys.version.split()[0])
    if not PY.exists():
        say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    say("installing StoreDesk and its dependencies (first run takes a few minutes)")
    run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(PY), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"])
    STAMP.write_text(digest)


QT_BASE = ["libegl1", "libgl1", "libxkbcommon0", "libfontconfig1", "libdbus-1-3"]
# What Qt's X11 platform (xcb) loads besides: a window on a screen, or under Xvfb.
QT_XCB = [
    "libx11-xcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1",
    "libxcb-randr0", "libxcb-render-util0", "libxcb-shape0", "libxcb-xfixes0", "libxcb-xkb1",
    "libxcb-xinerama0", "libxkbcommon-x11-0",
]  # fmt: skip


def qt_starts(platform: str | None) -> bool:
    """Whether a QApplication starts on ``platform`` (None: the one Qt picks itself)."""
    env = dict(os.environ)
    if platform:
        env["QT_QPA_PLATFORM"] = platform
    probe = subprocess.run(
        [str(PY), "-c", "from PySide6.QtWidgets import QApplication; QApplication([])"],
        env=env,
        capture_output=True,
    )
    return probe.returncode == 0


def ensure_qt_libraries(*, window: bool = False) -> None:
    """Qt's offscreen platform (the tests) still needs a few shared libraries on a bare
    Debian/Ubuntu; a real window (``window``, when there is a display) needs the X11 ones.
    """
    on_screen = window and bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    platform = None if on_screen else "offscreen"
    if qt_starts(platform):
        return
    packages = QT_BASE + (QT_XCB if on_screen else [])
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("installing the system libraries Qt needs (apt-get)")
        run([apt, "update", "-qq"])
        run(
            [apt, "install", "-y", "-qq", *packages],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    else:
        say(f"Qt cannot start: install {' '.join(packages)} (see README)")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"app", "test"}:
        print(__doc__)
        return 2
    ensure_venv()
    what, rest = argv[0], argv[1:]
    if what == "app":
        ensure_qt_libraries(window=True)
        storedesk = BIN / ("storedesk.exe" if os.name == "nt" else "storedesk")
        return subprocess.call([str(storedesk), "--demo", *rest])
    ensure_qt_libraries()
    pg = subprocess.call([str(PY), str(ROOT / "scripts" / "ensure_postgres.py")])
    if pg != 0 and os.environ.get("CI", "").lower() == "true":
        say("CI needs PostgreSQL for the central-database tests; stopping")
        return pg
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
