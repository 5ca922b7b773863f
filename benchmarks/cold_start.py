"""Cold start: `storedesk` until the login window is shown, against a bare PySide6 window.

Both are started the same way (a new Python process that shows its window and quits as soon
as the event loop runs), in the same run, several times; the medians are compared.
Targets (issue: foundation): StoreDesk ≤ 1.5 × the bare window, and under 1.2 s.

    .venv/bin/python benchmarks/cold_start.py [--runs 7]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    BARE_WINDOW,
    STOREDESK,
    env,
    median_of,
    median_until_file,
    precompile,
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    precompile()
    with tempfile.TemporaryDirectory() as home:
        # The demo database exists before timing starts (first start creates it once).
        subprocess.run(
            [str(STOREDESK), "--home", home, "demo"], check=True, env=env(),
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        marker = Path(home) / "shown"
        bare, bare_samples = median_until_file(
            [sys.executable, "-c", BARE_WINDOW, str(marker)], marker, args.runs
        )
        app, app_samples = median_until_file(
            [str(STOREDESK), "--home", home, "--demo", "--shown-file", str(marker)],
            marker,
            args.runs,
        )
        ready_marker = Path(home) / "ready"
        ready, ready_samples = median_until_file(
            [str(STOREDESK), "--home", home, "--demo", "--ready-file", str(ready_marker)],
            ready_marker,
            args.runs,
        )
        whole, _ = median_of([str(STOREDESK), "--home", home, "--demo", "--quit-after-show"], 3)
    ratio = app / bare
    print(f"bare PySide6 window shown : median {bare * 1000:5.0f} ms  runs {_ms(bare_samples)}")
    print(f"storedesk login shown     : median {app * 1000:5.0f} ms  runs {_ms(app_samples)}")
    print(f"ratio                     : {ratio:.2f} x the bare window (target <= 1.5, < 1200 ms)")
    print(f"storedesk ready to log in : median {ready * 1000:5.0f} ms  runs {_ms(ready_samples)}")
    print(
        f"start, show and exit      : median {whole * 1000:5.0f} ms (whole process, for reference)"
    )
    return 0


def _ms(samples: list[float]) -> str:
    return " ".join(f"{s * 1000:.0f}" for s in samples)


if __name__ == "__main__":
    sys.exit(main())
