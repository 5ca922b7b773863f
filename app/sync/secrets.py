"""Where the store's central password lives: the OS keyring, or a file only its owner reads.

Lookup order: the environment (``STOREDESK_CENTRAL_PASSWORD``, already in settings), the
OS keyring (Windows Credential Manager, macOS Keychain, Secret Service), then the file
``central.secret`` in the data folder, created with mode 0600. A machine without a usable
keyring (a headless Linux branch PC) gets the file; ``storedesk provision`` says which.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.paths import AppPaths

SERVICE = "StoreDesk"
FILE_NAME = "central.secret"


def _account(store_id: str) -> str:
    return f"central:{store_id}"


def secret_file(paths: AppPaths) -> Path:
    return paths.data_dir / FILE_NAME


def store_password(paths: AppPaths, store_id: str, password: str) -> str:
    """Keep the password; returns where ("OS keyring" or the file path)."""
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(SERVICE, _account(store_id), password)
            return "OS keyring"
        except (KeyringError, RuntimeError):
            pass
    except ImportError:  # pragma: no cover - keyring is a dependency
        pass
    target = secret_file(paths)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password)
    os.chmod(target, 0o600)
    return str(target)


def load_password(paths: AppPaths, store_id: str, *, from_settings: str = "") -> str:
    if from_settings:
        return from_settings
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            found = keyring.get_password(SERVICE, _account(store_id))
            if found:
                return found
        except (KeyringError, RuntimeError):
            pass
    except ImportError:  # pragma: no cover
        pass
    target = secret_file(paths)
    if target.exists():
        mode = stat.S_IMODE(target.stat().st_mode)
        if os.name == "posix" and mode & 0o077:
            raise PermissionError(
                f"{target} can be read by other users (mode {mode:o}); "
                "run `chmod 600` on it or provision the terminal again."
            )
        return target.read_text(encoding="utf-8").strip()
    return ""
