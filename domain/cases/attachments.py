"""What may be attached to a case: JPEG and PNG photos and PDF documents, within a size.

The content decides, not the name: the first bytes are read (:func:`sniff`) and must be a
kind that is allowed *and* match the file's extension, so ``photo.jpg`` that is really a
Windows program, or a PDF renamed ``.png``, is refused with a sentence that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import ValidationError

MAX_NAME = 120
DEFAULT_LIMIT = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    name: str
    media_type: str
    extensions: tuple[str, ...]
    allowed: bool


JPEG = FileKind("JPEG image", "image/jpeg", (".jpg", ".jpeg"), True)
PNG = FileKind("PNG image", "image/png", (".png",), True)
PDF = FileKind("PDF document", "application/pdf", (".pdf",), True)
# Recognised only to say what a refused file really is.
_OTHERS = (
    (b"MZ", FileKind("Windows program", "application/x-msdownload", (".exe", ".dll"), False)),
    (b"\x7fELF", FileKind("Linux program", "application/x-executable", (), False)),
    (b"PK\x03\x04", FileKind("ZIP archive (or Office file)", "application/zip", (".zip",), False)),
    (b"GIF8", FileKind("GIF image", "image/gif", (".gif",), False)),
    (b"#!", FileKind("script", "text/x-script", (".sh",), False)),
)
ALLOWED = (JPEG, PNG, PDF)


def sniff(content: bytes) -> FileKind | None:
    """The kind of file ``content`` is, from its first bytes; None if not recognised."""
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"%PDF-"):
        return PDF
    for magic, kind in _OTHERS:
        if content.startswith(magic):
            return kind
    if content[:4] in (b"RIFF",) and content[8:12] == b"WEBP":
        return FileKind("WebP image", "image/webp", (".webp",), False)
    return None


def clean_name(name: str) -> str:
    """The file's own name without folders or control characters, at most MAX_NAME long."""
    base = re.split(r"[\\/]", name.strip())[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip(" .")
    if not base:
        raise ValidationError("The file has no name.", field="file")
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot else base[:MAX_NAME]
    return base


def check_attachment(name: str, content: bytes, *, limit: int = DEFAULT_LIMIT) -> FileKind:
    """The kind of an allowed attachment, or :class:`ValidationError` (field ``file``)."""
    name = clean_name(name)
    size = len(content)
    if size == 0:
        raise ValidationError(f"{name} is empty.", field="file")
    if size > limit:
        raise ValidationError(
            f"{name} is {_size(size)}; attachments may be at most {_size(limit)}.", field="file"
        )
    kind = sniff(content)
    allowed = "JPEG, PNG or PDF"
    if kind is None or not kind.allowed:
        what = f"a {kind.name}" if kind else "not a file type StoreDesk accepts"
        raise ValidationError(f"{name} is {what}; attach {allowed} files only.", field="file")
    ext = "." + name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in kind.extensions:
        raise ValidationError(
            f"{name} is really a {kind.name}, which its name does not say; rename it to "
            f"{kind.extensions[0]} or attach the right file.",
            field="file",
        )
    return kind


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"
