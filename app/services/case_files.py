"""Where attachment bytes live: files under the data folder, named by the attachment's id.

``<data folder>/case_files/<store>/<case id>/<attachment id>.<ext>``. A file is written
(to a temporary name, then renamed into place) before the row that describes it is
committed; if the commit fails, the caller removes the file again, so a row never points
at a missing file and a file without a row is at worst left behind by a crash.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path, PurePosixPath

from app.errors import NotFound

FOLDER = "case_files"


class AttachmentStore:
    def __init__(self, data_dir: Path) -> None:
        self._root = data_dir

    def write(
        self, *, store_id: str, case_id: uuid.UUID, attachment_id: uuid.UUID, ext: str,
        content: bytes,
    ) -> str:  # fmt: skip
        """Write the bytes; returns the path relative to the data folder (POSIX style)."""
        safe_store = "".join(ch for ch in store_id if ch.isalnum() or ch in "-_") or "store"
        relative = PurePosixPath(FOLDER, safe_store, case_id.hex, f"{attachment_id.hex}{ext}")
        target = self._root / Path(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        with partial.open("wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
        return str(relative)

    def read(self, relative: str) -> bytes:
        path = self.path(relative)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"The attached file is missing from {path.parent}.") from None

    def remove(self, relative: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(relative).unlink()

    def path(self, relative: str) -> Path:
        parts = PurePosixPath(relative).parts
        if not parts or parts[0] != FOLDER or ".." in parts:
            raise NotFound("This attachment is not stored where StoreDesk keeps them.")
        return self._root / Path(*parts)
