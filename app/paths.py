"""Where StoreDesk keeps its files: from platformdirs, or everything under one folder.

Nothing is created at import time or by building an :class:`AppPaths`;
:meth:`AppPaths.ensure_dirs` creates the data, log and cache folders when the app starts and
says clearly which path failed and why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app.settings_io import SettingsError

__all__ = ["APP", "CONFIG_NAME", "HOME_ENV", "AppPaths", "SettingsError"]

APP = "StoreDesk"
CONFIG_NAME = "storedesk.toml"
HOME_ENV = "STOREDESK_HOME"


@dataclass(frozen=True)
class AppPaths:
    """The files and folders StoreDesk uses.

    - ``machine_config``: machine-wide TOML written by the installer (read-only for users).
    - ``user_config``: per-user TOML, written by :func:`app.settings.save_user_settings`.
    - ``data_dir``: the local SQLite database; ``log_dir``: logs; ``cache_dir``: caches.
    """

    machine_config: Path
    user_config: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls, env: Mapping[str, str] | None = None) -> AppPaths:
        """The platform's folders, or :meth:`under` ``$STOREDESK_HOME`` when that is set.

        ``env`` defaults to ``os.environ``. The machine-wide file is
        ``/etc/storedesk/storedesk.toml`` on Linux (and other POSIX systems) and
        ``%PROGRAMDATA%\\StoreDesk\\storedesk.toml`` on Windows.
        """
        home = (os.environ if env is None else env).get(HOME_ENV, "").strip()
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
        """Everything in one folder (tests, demo runs, a portable install); ``~`` is expanded
        and the root made absolute. Layout: ``machine/storedesk.toml``,
        ``config/storedesk.toml``, ``data/``, ``logs/``, ``cache/``.
        """
        root = root.expanduser().resolve()
        return cls(
            machine_config=root / "machine" / CONFIG_NAME,
            user_config=root / "config" / CONFIG_NAME,
            data_dir=root / "data",
            log_dir=root / "logs",
            cache_dir=root / "cache",
        )

    def ensure_dirs(self) -> None:
        """Create the data, log and cache folders (and parents) if missing.

        Raises :class:`SettingsError` naming the folder and the OS error when one cannot be
        created (e.g. a file is in the way) or is not writable.
        """
        for folder in (self.data_dir, self.log_dir, self.cache_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise _unusable(folder, exc.strerror or str(exc)) from exc
            if not os.access(folder, os.W_OK):
                raise _unusable(folder, "it is not writable")


def _unusable(folder: Path, reason: str) -> SettingsError:
    return SettingsError(
        f"StoreDesk cannot use the folder {folder} ({reason}). Check that the path is a folder "
        f"you may write to, or start with --home DIR (or set {HOME_ENV}) to use another place."
    )
