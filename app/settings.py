"""Every StoreDesk setting, declared once, typed, with its default and help.

Values are layered, lowest to highest precedence: the defaults below, the machine-wide TOML
file (written by the installer or ``storedesk provision``), the per-user TOML file,
environment variables ``STOREDESK_<SECTION>_<KEY>`` and ``--set section.key=value`` on the
command line. A bad file or value never stops the app where a default is safe: it becomes a
sentence in :attr:`LoadedSettings.problems` and the lower layer's value stays.
Secrets (``secret=True``) are never read from or written to settings files; they live in
the OS keyring.
"""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from app.paths import AppPaths, SettingsError

__all__ = [
    "LoadedSettings",
    "Settings",
    "SettingsError",
    "load_settings",
    "parse_cli_overrides",
]


def setting(
    default: Any,
    help: str,
    *,
    choices: Sequence[Any] | None = None,
    minimum: int | Decimal | None = None,
    maximum: int | Decimal | None = None,
    secret: bool = False,
) -> Any:
    meta = {"help": help, "choices": choices, "min": minimum, "max": maximum, "secret": secret}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class StoreSettings:
    id: str = setting("S001", "Store id, as registered centrally")
    name: str = setting("StoreDesk Demo Store", "Store name printed on receipts")
    address: str = setting("1 Market Square, Demo City", "Store address for receipts")
    tax_id: str = setting("DE123456789", "Seller's VAT id")
    currency: str = setting("EUR", "ISO 4217 currency of all prices")
    locale: str = setting("en", "Language of documents", choices=("en", "ru"))


@dataclass(frozen=True)
class TerminalSettings:
    id: str = setting("T01", "Terminal id within the store")


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = setting("", "Local database URL; empty means storedesk.sqlite3 in the data folder")
    backup_before_migrate: bool = setting(True, "Copy the database before migrating it")


@dataclass(frozen=True)
class CentralSettings:
    url: str = setting("", "Central PostgreSQL URL; empty means this terminal does not sync")
    password: str = setting("", "Central database password (keyring only)", secret=True)


@dataclass(frozen=True)
class PrinterSettings:
    kind: str = setting(
        "simulated", "Receipt printer connection",
        choices=("simulated", "network", "serial", "usb", "file"),
    )  # fmt: skip
    address: str = setting("", "host:port, serial device, vid:pid, or file path")
    profile: str = setting("TM-T20II", "python-escpos printer profile")
    width_mm: int = setting(80, "Paper width", choices=(58, 80))


@dataclass(frozen=True)
class CardTerminalSettings:
    kind: str = setting("simulated", "Card terminal", choices=("simulated", "zvt"))
    port: str = setting("", "Serial port of the card terminal")
    baud: int = setting(9600, "Serial speed", choices=(9600, 19200, 38400, 57600, 115200))


@dataclass(frozen=True)
class ScannerSettings:
    wedge_max_interval_ms: int = setting(
        30, "Keys closer than this are a scanner, not a person", minimum=1, maximum=500
    )
    wedge_min_length: int = setting(6, "Shortest code a scanner sends", minimum=2, maximum=64)


@dataclass(frozen=True)
class UiSettings:
    language: str = setting("en", "Interface language", choices=("en", "ru"))
    idle_lock_minutes: int = setting(5, "Lock after this many idle minutes (0: never)", minimum=0)
    debug: bool = setting(False, "Verbose logs and GUI stall watchdog")


@dataclass(frozen=True)
class SecuritySettings:
    max_pin_failures: int = setting(5, "Wrong PINs before a user is locked", minimum=1, maximum=20)
    lockout_minutes: int = setting(15, "How long a locked user waits", minimum=1, maximum=1440)


@dataclass(frozen=True)
class MoneySettings:
    cash_rounding: Decimal = setting(
        Decimal("0.01"), "Cash totals round to a multiple of this (0.05 for 5-cent rounding)",
        minimum=Decimal("0.01"), maximum=Decimal("1"),
    )  # fmt: skip


@dataclass(frozen=True)
class DemoSettings:
    enabled: bool = setting(False, "Create and use the demo store")


SECTIONS: dict[str, type] = {
    "store": StoreSettings,
    "terminal": TerminalSettings,
    "database": DatabaseSettings,
    "central": CentralSettings,
    "printer": PrinterSettings,
    "card_terminal": CardTerminalSettings,
    "scanner": ScannerSettings,
    "ui": UiSettings,
    "security": SecuritySettings,
    "money": MoneySettings,
    "demo": DemoSettings,
}


@dataclass(frozen=True)
class Declared:
    key: str
    type: type
    default: Any
    help: str
    choices: Sequence[Any] | None
    minimum: Any
    maximum: Any
    secret: bool

    @property
    def env_name(self) -> str:
        return "STOREDESK_" + self.key.replace(".", "_").upper()


def _declarations() -> dict[str, Declared]:
    out: dict[str, Declared] = {}
    for section, cls in SECTIONS.items():
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            key = f"{section}.{f.name}"
            m = f.metadata
            out[key] = Declared(
                key, hints[f.name], f.default, m["help"], m["choices"], m["min"], m["max"],
                m["secret"],
            )  # fmt: skip
    return out


DECLARED = _declarations()


def convert(decl: Declared, raw: Any) -> Any:
    """Turn a TOML value or a string into the declared type; raise SettingsError if it won't."""
    kind = decl.type
    try:
        if kind is bool:
            if isinstance(raw, bool):
                value: Any = raw
            elif str(raw).strip().lower() in {"1", "true", "yes", "on"}:
                value = True
            elif str(raw).strip().lower() in {"0", "false", "no", "off"}:
                value = False
            else:
                raise ValueError
        elif kind is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            value = int(str(raw).strip())
        elif kind is Decimal:
            value = Decimal(str(raw).strip())
            if not value.is_finite():
                raise ValueError
        else:
            if not isinstance(raw, str | int | float) or isinstance(raw, bool):
                raise ValueError
            value = str(raw)
    except (ValueError, InvalidOperation):
        expected = {bool: "true or false", int: "a whole number", Decimal: "a number"}
        raise SettingsError(
            f"{decl.key}: expected {expected.get(kind, 'text')}, got {raw!r}"
        ) from None
    if decl.choices is not None and value not in decl.choices:
        allowed = ", ".join(str(c) for c in decl.choices)
        raise SettingsError(f"{decl.key}: expected one of {allowed}, got {raw!r}")
    if decl.minimum is not None and value < decl.minimum:
        raise SettingsError(f"{decl.key}: must be at least {decl.minimum}, got {raw!r}")
    if decl.maximum is not None and value > decl.maximum:
        raise SettingsError(f"{decl.key}: must be at most {decl.maximum}, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    store: StoreSettings = field(default_factory=StoreSettings)
    terminal: TerminalSettings = field(default_factory=TerminalSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    central: CentralSettings = field(default_factory=CentralSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    card_terminal: CardTerminalSettings = field(default_factory=CardTerminalSettings)
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    money: MoneySettings = field(default_factory=MoneySettings)
    demo: DemoSettings = field(default_factory=DemoSettings)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def value(self, key: str) -> Any:
        section, name = key.split(".", 1)
        return getattr(getattr(self, section), name)

    def database_url(self, paths: AppPaths) -> str:
        return self.database.url or f"sqlite:///{paths.data_dir / 'storedesk.sqlite3'}"

    def describe(self) -> list[tuple[str, str, str]]:
        """(key, value, source) per setting, secrets masked: for diagnostics screens."""
        rows = []
        for key, decl in DECLARED.items():
            value = self.value(key)
            shown = ("********" if value else "") if decl.secret else str(value)
            rows.append((key, shown, self.sources.get(key, "default")))
        return rows


@dataclass
class LoadedSettings:
    settings: Settings
    problems: list[str]
    sources: dict[str, str]


def parse_cli_overrides(items: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"--set needs KEY=VALUE, got {item!r}")
        out[key.strip()] = value
    return out


def _read_toml(path: Any, problems: list[str]) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path} is not valid TOML ({exc}); its values are ignored.")
        return {}
    except OSError as exc:
        problems.append(f"{path} cannot be read ({exc.strerror or exc}); its values are ignored.")
        return {}
    flat: dict[str, Any] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            problems.append(f"{path}: '{section}' should be a [section]; ignored.")
            continue
        for name, value in table.items():
            flat[f"{section}.{name}"] = value
    return flat


def load_settings(
    paths: AppPaths,
    *,
    env: Mapping[str, str] | None = None,
    cli: Mapping[str, str] | None = None,
) -> LoadedSettings:
    values: dict[str, Any] = {key: decl.default for key, decl in DECLARED.items()}
    sources = dict.fromkeys(DECLARED, "default")
    problems: list[str] = []

    def apply(key: str, raw: Any, source: str, *, from_file: bool) -> None:
        decl = DECLARED.get(key)
        if decl is None:
            problems.append(f"{source}: unknown setting {key!r} ignored.")
            return
        if decl.secret and from_file:
            problems.append(f"{source}: {key} is a secret and belongs in the keyring; ignored.")
            return
        try:
            values[key] = convert(decl, raw)
            sources[key] = source
        except SettingsError as exc:
            problems.append(f"{source}: {exc}; keeping {values[key]!r}.")

    for path in (paths.machine_config, paths.user_config):
        for key, raw in _read_toml(path, problems).items():
            apply(key, raw, str(path), from_file=True)
    for key, decl in DECLARED.items():
        if env is not None and decl.env_name in env:
            apply(key, env[decl.env_name], f"env {decl.env_name}", from_file=False)
    for key, raw in (cli or {}).items():
        apply(key, raw, "command line", from_file=False)

    sections = {
        name: cls(**{k.split(".", 1)[1]: v for k, v in values.items() if k.startswith(name + ".")})
        for name, cls in SECTIONS.items()
    }
    settings = Settings(**sections, sources=dict(sources))
    return LoadedSettings(settings=settings, problems=problems, sources=sources)
