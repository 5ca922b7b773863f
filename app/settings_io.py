"""The machinery under :mod:`app.settings`: one setting's declaration, and TOML files.

- :func:`setting` declares a setting as a field of a frozen section dataclass (default, help,
  choices, validator, secret); :class:`Setting` is the registry entry built from that field.
- :meth:`Setting.parse` turns a TOML value or a string from the environment or the command
  line into the declared type, or raises :class:`SettingsError` with a message such as
  ``printer.width_mm: expected one of 58, 80, got '70'``. A secret's value never appears in
  a message, a repr or :meth:`Setting.display`.
- :func:`read_toml` reads a settings file; :func:`write_settings_file` validates, merges and
  replaces one via :func:`write_toml_atomically` (temp file + ``os.replace``; TOML text,
  never pickled); :func:`parse_overrides` reads ``--set`` items.

Nothing here knows StoreDesk's sections; that is :mod:`app.settings`, whose public
functions are the ones to call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import tomli_w

T = TypeVar("T")
N = TypeVar("N", int, float, Decimal)

#: Returns ``None`` when the value is acceptable, else a reason such as "must be at least 1".
Validator = Callable[[T], str | None]

META_KEY = "storedesk.setting"
SUPPORTED_TYPES: tuple[type, ...] = (str, int, float, bool, Decimal, Path)
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
MASK = "********"
FILE_HEADER = (
    "# StoreDesk settings, written by StoreDesk (comments in this file are not kept).\n"
    "# `storedesk settings show` lists every setting and where its value comes from.\n\n"
)
_TOML_POSITION = re.compile(r"^(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")
_URL_PASSWORD = re.compile(r"(?P<head>://[^:/@\s]+:)[^@/\s]+@")


class SettingsError(Exception):
    """Settings, their files or folders are unusable; the message names the key or the file."""


@dataclass(frozen=True)
class SettingMeta:
    """What :func:`setting` stores in the field's metadata (everything but type and default)."""

    help: str
    choices: tuple[Any, ...] | None = None
    validator: Callable[[Any], str | None] | None = None
    secret: bool = False


def setting(
    default: T,
    help: str,
    *,
    choices: Sequence[T] | None = None,
    validator: Validator[T] | None = None,
    secret: bool = False,
) -> T:
    """Declare one setting as a dataclass field; the field's annotation is its type.

    A secret field is left out of the dataclass repr, so logging a section cannot leak it.
    """
    meta = SettingMeta(help, tuple(choices) if choices is not None else None, validator, secret)
    return field(default=default, metadata={META_KEY: meta}, repr=not secret)


def between(low: N | None = None, high: N | None = None) -> Validator[N]:
    """A validator for an inclusive range; either end may be open."""

    def check(value: N) -> str | None:
        if low is not None and high is not None and not low <= value <= high:
            return f"must be between {low} and {high}"
        if low is not None and value < low:
            return f"must be at least {low}"
        if high is not None and value > high:
            return f"must be at most {high}"
        return None

    return check


def non_empty(value: str) -> str | None:
    """A validator: the text must not be blank."""
    return None if value.strip() else "must not be empty"


def url_or_empty(value: str) -> str | None:
    """A validator: empty, or something that looks like ``scheme://...``."""
    return None if not value or "://" in value else "must be empty or a URL like scheme://..."


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One declared setting: ``key`` is ``section.name``, as in the TOML file."""

    key: str
    type: type[T]
    default: T
    help: str
    choices: tuple[T, ...] | None = None
    validator: Validator[T] | None = None
    secret: bool = False

    @classmethod
    def from_field(cls, section: str, f: dataclasses.Field[Any], kind: Any) -> Setting[Any]:
        """The registry entry for field ``f`` (annotated ``kind``) of section ``section``."""
        meta = f.metadata.get(META_KEY)
        key = f"{section}.{f.name}"
        if not isinstance(meta, SettingMeta) or f.default is dataclasses.MISSING:
            raise TypeError(f"{key} must be declared with setting(default, help, ...)")
        if kind not in SUPPORTED_TYPES:
            raise TypeError(f"{key}: unsupported setting type {kind!r}")
        return Setting(key, kind, f.default, meta.help, meta.choices, meta.validator, meta.secret)

    @property
    def env_name(self) -> str:
        """``STOREDESK_<SECTION>_<KEY>``, e.g. ``STOREDESK_PRINTER_WIDTH_MM``."""
        return "STOREDESK_" + self.key.replace(".", "_").upper()

    def parse(self, raw: object) -> T:
        """``raw`` (TOML value, string, or already typed) as the declared type, validated.

        Raises :class:`SettingsError` ("<key>: <what was expected>, got <raw>").
        """
        value = self._coerce(raw)
        reason = self.check(value)
        if reason is not None:
            raise SettingsError(f"{self.key}: {reason}, got {self.shown(raw)}")
        return value

    def check(self, value: T) -> str | None:
        """Why an already typed ``value`` is not allowed, or ``None`` if it is."""
        if self.choices is not None and value not in self.choices:
            return "expected one of " + ", ".join(str(c) for c in self.choices)
        return self.validator(value) if self.validator is not None else None

    def to_toml(self, value: T) -> object:
        """The value as written to a TOML file (paths as text, Decimals as exact numbers)."""
        return str(value) if isinstance(value, Path) else value

    def display(self, value: object) -> str:
        """Text for people: booleans as true/false, secrets and URL passwords masked."""
        if self.secret:
            return MASK if value else "(not set)"
        if isinstance(value, bool):
            return "true" if value else "false"
        return _URL_PASSWORD.sub(r"\g<head>***@", str(value))

    def shown(self, raw: object) -> str:
        """``raw`` quoted for an error message (a secret is never shown)."""
        if self.secret:
            return "(hidden)"
        return str(raw) if isinstance(raw, Decimal) else repr(raw)

    def _coerce(self, raw: object) -> T:
        kind: type[Any] = self.type
        text = raw.strip() if isinstance(raw, str) else None
        value: object = None
        if kind in (int, float, Decimal):
            if not isinstance(raw, bool) and isinstance(raw, int | float | Decimal | str):
                value = _number(kind, raw if text is None else text)
        elif isinstance(raw, kind):
            value = raw
        elif kind is bool:
            if text is not None and text.lower() in TRUE_WORDS | FALSE_WORDS:
                value = text.lower() in TRUE_WORDS
        elif kind is str:
            if isinstance(raw, int) and not isinstance(raw, bool):
                value = str(raw)
        elif kind is Path and text:
            value = Path(text).expanduser()
        if value is None:
            expected = {
                bool: "true or false",
                int: "a whole number",
                float: "a number",
                Decimal: "a number",
                Path: "a file or folder path",
            }.get(kind, "text")
            raise SettingsError(f"{self.key}: expected {expected}, got {self.shown(raw)}")
        return cast(T, value)


def _number(kind: type[Any], raw: int | float | Decimal | str) -> object:
    """``raw`` as int, float or Decimal; ``None`` if it is not a finite number of that kind."""
    try:
        exact = Decimal(str(raw))
    except InvalidOperation:
        return None
    if not exact.is_finite():
        return None
    if kind is int:
        whole = exact == exact.to_integral_value() and exact.adjusted() < 19
        return int(exact) if whole else None
    return float(exact) if kind is float else exact


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed file (floats as exact Decimals), ``{}`` if it does not exist.

    Raises :class:`SettingsError` naming the file (and the line) if it cannot be read or is
    not valid TOML; the file itself is never touched.
    """
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh, parse_float=Decimal)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.match(str(exc))
        where = f" (line {found['line']}, column {found['col']})" if found else ""
        detail = found["msg"] if found else str(exc)
        raise SettingsError(f"{path} is not valid TOML{where}: {detail}") from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise SettingsError(f"{path} cannot be read ({exc.strerror or exc})") from exc


def write_toml_atomically(path: Path, data: Mapping[str, Any]) -> None:
    """Replace ``path`` with ``data`` as TOML: a temp file in the same folder, fsync, then
    ``os.replace``, so readers see the old file or the new one, never half of one.

    The folder is created if needed; an existing file keeps its permissions (a new one is
    0644, so a machine-wide file stays readable by every user). Raises :class:`SettingsError`
    naming the file; on failure the old file is unchanged and no temp file is left.
    """
    text = FILE_HEADER + tomli_w.dumps(data)
    tmp: str | None = None
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise SettingsError(f"cannot write {path} ({exc.strerror or exc})") from exc


def suggest(key: str, known: Iterable[str]) -> str:
    """`` (did you mean printer.width_mm?)`` for a near miss, else ``""``."""
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def flatten(path: Path, data: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """``{"printer": {"kind": ...}}`` as ``{"printer.kind": ...}``; a value outside any
    table is reported in ``problems`` and skipped.
    """
    flat: dict[str, Any] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            problems.append(f"{path}: {section!r} is not inside a [section] — ignored")
            continue
        for name, raw in table.items():
            flat[f"{section}.{name}"] = raw
    return flat


def parse_overrides(registry: Mapping[str, Setting[Any]], items: Sequence[str]) -> dict[str, str]:
    """See :func:`app.settings.parse_cli_overrides`."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SettingsError(f"--set expects section.key=value, got {item!r}")
        decl = registry.get(key)
        if decl is None:
            raise SettingsError(f"--set: unknown setting {key!r}{suggest(key, registry)}")
        if decl.secret:
            raise SettingsError(
                f"--set: {key} is a secret and cannot be given on the command line; "
                f"set {decl.env_name} or use the keyring"
            )
        out[key] = value
    return out


def write_settings_file(
    path: Path, registry: Mapping[str, Setting[Any]], values: Mapping[str, object], *, merge: bool
) -> None:
    """See :func:`app.settings.save_user_settings`. Everything is checked before the file is
    touched; secret keys already in the file are dropped from the rewritten file.
    """
    updates: dict[str, object] = {}
    for key, value in values.items():
        decl = registry.get(key)
        if decl is None:
            raise SettingsError(f"{key}: unknown setting{suggest(key, registry)}")
        if decl.secret:
            raise SettingsError(
                f"{key} is a secret and is never written to a settings file; use the keyring"
            )
        updates[key] = None if value is None else decl.to_toml(decl.parse(value))
    data = read_toml(path) if merge else {}
    for section, table in data.items():
        if isinstance(table, dict):
            for name in [n for n in table if f"{section}.{n}" in registry]:
                if registry[f"{section}.{name}"].secret:
                    del table[name]
    for key, new in updates.items():
        section, name = key.split(".", 1)
        table = data.setdefault(section, {})
        if not isinstance(table, dict):
            raise SettingsError(f"{path}: {section!r} should be a [section]; fix the file first")
        if new is None:
            table.pop(name, None)
        else:
            table[name] = new
    write_toml_atomically(path, {section: t for section, t in data.items() if t != {}})
