"""Logging: a rotating file in the platform's log directory, plus stderr for warnings.

Card data never reaches a log: devices and services log only masked values.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def setup_logging(log_dir: Path, *, debug: bool = False) -> Path | None:
    """Log to ``log_dir/storedesk.log`` (5 × 2 MB). Returns the file, or None if not writable."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    console.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(console)
    path = log_dir / "storedesk.log"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot write log file %s: %s", path, exc)
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    return path
