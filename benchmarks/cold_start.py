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
from _common import BARE_WINDOW, STOREDESK, env, median_of, precompile


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
        bare, bare_samples = median_of([sys.executable, "-c", BARE_WINDOW], args.runs)
        app, app_samples = median_of(
            [str(STOREDESK), "--home", home, "--demo", "--quit-after-show"], args.runs
        )
    ratio = app / bare
    print(f"bare PySide6 window : median {bare * 1000:7.0f} ms  runs {_ms(bare_samples)}")
    print(f"storedesk login     : median {app * 1000:7.0f} ms  runs {_ms(app_samples)}")
    print(f"ratio               : {ratio:.2f} x the bare window (target <= 1.5, and < 1200 ms)")
    return 0


def _ms(samples: list[float]) -> str:
    return " ".join(f"{s * 1000:.0f}" for s in samples)


if __name__ == "__main__":
    sys.exit(main())
