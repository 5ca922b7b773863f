"""Where StoreDesk keeps its files, from platformdirs (or one folder for tests and demos).

Nothing is created at import time; :meth:`AppPaths.ensure_dirs` creates the folders when
the app starts and says clearly which path failed and why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "StoreDesk"
CONFIG_NAME = "storedesk.toml"


class SettingsError(Exception):
    """Settings or their folders are unusable; the message names the file and the fix."""


@dataclass(frozen=True)
class AppPaths:
    machine_config: Path
    user_config: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get("STOREDESK_HOME")
        if home:
            return cls.under(Path(home))
        if os.name == "nt":
            machine = Path(platformdirs.site_config_dir(APP, appauthor=False)) / CONFIG_NAME
        else:
            machine = Path("/etc/storedesk") / CONFIG_NAME
        return cls(
            machine_config=machine,
            user_config=Path(platformdirs.user_config_dir(APP, appauthor=False)) / CONFIG_NAME,
            data_dir=Path(platformdirs.user_data_dir(APP, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP, appauthor=False)),
            cache_dir=Path(platformdirs.user_cache_dir(APP, appauthor=False)),
        )

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        """Everything in one folder: tests, demo runs and a portable install."""
        root = root.expanduser().resolve()
        return cls(
            machine_config=root / "machine" / CONFIG_NAME,
            user_config=root / "config" / CONFIG_NAME,
            data_dir=root / "data",
            log_dir=root / "logs",
            cache_dir=root / "cache",
        )

    def ensure_dirs(self) -> None:
        for folder in (self.data_dir, self.log_dir, self.cache_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise SettingsError(
                    f"StoreDesk cannot create the folder {folder} ({exc.strerror or exc}). "
                    "Check that the path is a folder you may write to, or start with "
                    "--home DIR to use another place."
                ) from exc
