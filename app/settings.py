"""Every StoreDesk setting, declared once (type, default, help, choices, validator, secret).

Read a value with typed attribute access: ``loaded.settings.printer.width_mm`` (an int),
``settings.money.cash_rounding`` (a Decimal). :data:`REGISTRY` maps each dotted key
("store.id") to its :class:`~app.settings_io.Setting`, built by introspecting the section
dataclasses below, so a new setting is one new field.

:func:`load_settings` layers values, lowest to highest precedence: the defaults below, the
machine-wide TOML file (installer, ``storedesk provision``), the per-user TOML file,
environment variables ``STOREDESK_<SECTION>_<KEY>`` and ``--set section.key=value``. Bad
input never stops the app where a default is safe: it becomes a sentence in
:attr:`LoadedSettings.problems` and the lower layer's value stays. Secrets (``secret=True``)
are never read from or written to settings files, never shown and never put in a message;
they come from the environment or the OS keyring.
"""

from __future__ import annotations

import dataclasses
import os
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.paths import AppPaths
from app.settings_io import (
    Setting,
    SettingsError,
    between,
    flatten,
    non_empty,
    parse_overrides,
    read_toml,
    setting,
    suggest,
    url_or_empty,
    write_settings_file,
)

__all__ = [
    "REGISTRY",
    "LoadedSettings",
    "Setting",
    "Settings",
    "SettingsError",
    "load_settings",
    "parse_cli_overrides",
    "save_user_settings",
    "write_machine_settings",
]

DEFAULT_SOURCE = "default"
CLI_SOURCE = "command line"


def _currency(value: str) -> str | None:
    return None if re.fullmatch(r"[A-Z]{3}", value) else "must be a 3-letter code such as EUR"


def _cash_step(value: Decimal) -> str | None:
    if not Decimal("0.01") <= value <= Decimal("100") or value % Decimal("0.01"):
        return "must be a multiple of 0.01 between 0.01 and 100"
    return None


@dataclass(frozen=True)
class StoreSettings:
    id: str = setting("S001", "Store id, as registered centrally", validator=non_empty)
    name: str = setting("StoreDesk Demo Store", "Store name printed on receipts")
    address: str = setting("1 Market Square, Demo City", "Store address printed on receipts")
    tax_id: str = setting("DE123456789", "Seller's VAT id printed on receipts")
    currency: str = setting("EUR", "ISO 4217 currency of all prices", validator=_currency)
    locale: str = setting("en", "Language of printed documents", choices=("en", "ru"))


@dataclass(frozen=True)
class TerminalSettings:
    id: str = setting("T01", "Terminal id within the store", validator=non_empty)


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = setting(
        "", "Local database URL; empty: storedesk.sqlite3 in the data folder",
        validator=url_or_empty,
    )  # fmt: skip
    backup_before_migrate: bool = setting(True, "Copy the database before migrating it")


@dataclass(frozen=True)
class CentralSettings:
    url: str = setting(
        "", "Central PostgreSQL URL (no password); empty: this terminal does not sync",
        validator=url_or_empty,
    )  # fmt: skip
    password: str = setting("", "Central database password (keyring or env)", secret=True)
    sync_interval_s: int = setting(
        30, "Seconds between syncs when all is well", validator=between(5, 3600)
    )
    batch_size: int = setting(
        2000, "Outbox rows pushed per central transaction", validator=between(10, 10000)
    )


@dataclass(frozen=True)
class PrinterSettings:
    kind: str = setting(
        "simulated", "Receipt printer connection",
        choices=("simulated", "network", "serial", "usb", "file"),
    )  # fmt: skip
    address: str = setting("", "host:port, serial device, vid:pid, or file path (per kind)")
    profile: str = setting("TM-T20II", "python-escpos printer profile", validator=non_empty)
    width_mm: int = setting(80, "Paper width in millimetres", choices=(58, 80))
    columns: int = setting(
        0, "Characters per line; 0: from the paper width (32 on 58 mm, 48 on 80 mm). Set it "
        "for a printer whose print area is narrower than the paper (42 on many 80 mm models)",
        validator=between(0, 48),
    )  # fmt: skip
    check_status: bool = setting(
        True, "Ask the printer for paper and online status around each receipt (off for "
        "network printers that never answer status requests)",
    )  # fmt: skip


def _six_digits(value: str) -> str | None:
    return None if len(value) == 6 and value.isdigit() else "must be six digits"


@dataclass(frozen=True)
class CardTerminalSettings:
    kind: str = setting("simulated", "Card terminal", choices=("simulated", "zvt"))
    port: str = setting("", "Serial port of the card terminal")
    baud: int = setting(9600, "Serial speed", choices=(9600, 19200, 38400, 57600, 115200))
    password: str = setting(
        "000000", "Terminal password (ZVT, six digits)", validator=_six_digits, secret=True
    )


@dataclass(frozen=True)
class ScannerSettings:
    wedge_max_interval_ms: int = setting(
        30, "Keys closer than this (ms) are a scanner, not a person", validator=between(1, 500)
    )
    wedge_min_length: int = setting(6, "Shortest code a scanner sends", validator=between(2, 64))


def _region(value: str) -> str | None:
    return (
        None if re.fullmatch(r"[A-Z]{2}", value) else "must be a 2-letter country code such as DE"
    )


@dataclass(frozen=True)
class CustomerSettings:
    phone_region: str = setting(
        "DE", "Country of phone numbers typed without +country code", validator=_region
    )
    store_document_images: bool = setting(
        False, "Keep an image of identity documents (off: only the data read from them)"
    )


@dataclass(frozen=True)
class IdReaderSettings:
    kind: str = setting("none", "Identity document reader", choices=("none", "serial"))
    port: str = setting("", "Serial port or pyserial URL of the document reader")
    baud: int = setting(9600, "Serial speed", choices=(9600, 19200, 38400, 57600, 115200))


@dataclass(frozen=True)
class UiSettings:
    language: str = setting("en", "Interface language", choices=("en", "ru"))
    idle_lock_minutes: int = setting(
        5, "Lock after this many idle minutes (0: never)", validator=between(0, 720)
    )
    debug: bool = setting(False, "Verbose logs and GUI stall watchdog")


@dataclass(frozen=True)
class SecuritySettings:
    max_pin_failures: int = setting(
        5, "Wrong PINs before a user is locked", validator=between(1, 20)
    )
    lockout_minutes: int = setting(15, "How long a locked user waits", validator=between(1, 1440))


@dataclass(frozen=True)
class MoneySettings:
    cash_rounding: Decimal = setting(
        Decimal("0.01"), "Cash totals round to a multiple of this (0.05: 5-cent rounding)",
        validator=_cash_step,
    )  # fmt: skip


def _amount(value: Decimal) -> str | None:
    if not Decimal(0) <= value <= Decimal(1_000_000) or value % Decimal("0.01"):
        return "must be an amount between 0 and 1000000 with at most 2 decimals"
    return None


def _days_template(value: str) -> str | None:
    try:
        value.format(days=14)
    except (KeyError, IndexError, ValueError):
        return "may use {days} (the return window) and no other {…} field"
    return None


@dataclass(frozen=True)
class StockSettings:
    low_stock_level: int = setting(
        3, "Warn when this many or fewer of an item are in stock", validator=between(0, 10_000)
    )


@dataclass(frozen=True)
class ReturnSettings:
    window_days: int = setting(
        14, "Days after the sale within which goods can be returned", validator=between(0, 365)
    )
    opened_devices: bool = setting(
        True, "Take back devices whose box was opened (restocked as returned, to inspect)"
    )
    approval_above: Decimal = setting(
        Decimal("200.00"),
        "Refunds above this amount need a manager's approval or go to the second line",
        validator=_amount,
    )
    receipt_note: str = setting(
        "Returns within {days} days of purchase with this receipt.",
        "Return policy printed at the foot of every receipt ({days}: window_days); empty: none",
        validator=_days_template,
    )


@dataclass(frozen=True)
class TillSettings:
    variance_approval_above: Decimal = setting(
        Decimal("20.00"),
        "A till count differing by more than this needs the manager and goes to the second line",
        validator=_amount,
    )
    pay_later: bool = setting(
        True, "Postpaid customers with a billing account may put a sale on their account"
    )


@dataclass(frozen=True)
class DemoSettings:
    enabled: bool = setting(False, "Create and use the demo store")


@dataclass(frozen=True)
class Settings:
    """All settings, one frozen section per TOML table; ``Settings()`` is all defaults.

    ``sources`` maps a key to where its value came from ("default", a file path,
    "env STOREDESK_...", "command line"); :func:`load_settings` fills it.
    """

    store: StoreSettings = field(default_factory=StoreSettings)
    terminal: TerminalSettings = field(default_factory=TerminalSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    central: CentralSettings = field(default_factory=CentralSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    card_terminal: CardTerminalSettings = field(default_factory=CardTerminalSettings)
    scanner: ScannerSettings = field(default_factory=ScannerSettings)
    customers: CustomerSettings = field(default_factory=CustomerSettings)
    id_reader: IdReaderSettings = field(default_factory=IdReaderSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    money: MoneySettings = field(default_factory=MoneySettings)
    stock: StockSettings = field(default_factory=StockSettings)
    returns: ReturnSettings = field(default_factory=ReturnSettings)
    till: TillSettings = field(default_factory=TillSettings)
    demo: DemoSettings = field(default_factory=DemoSettings)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def value(self, key: str) -> Any:
        """The value of a dotted key ("printer.width_mm"); KeyError if there is no such key."""
        if key not in REGISTRY:
            raise KeyError(key)
        section, name = key.split(".", 1)
        return getattr(getattr(self, section), name)

    def database_url(self, paths: AppPaths) -> str:
        """``database.url``, or the SQLite file ``storedesk.sqlite3`` in the data folder."""
        return self.database.url or f"sqlite:///{paths.data_dir / 'storedesk.sqlite3'}"

    def describe(self) -> list[tuple[str, str, str]]:
        """(key, value as text, source) per setting for diagnostics; secrets are masked."""
        return [
            (key, decl.display(self.value(key)), self.sources.get(key, DEFAULT_SOURCE))
            for key, decl in REGISTRY.items()
        ]


def _build_registry() -> tuple[dict[str, type[Any]], dict[str, Setting[Any]]]:
    hints = typing.get_type_hints(Settings)
    sections = {f.name: hints[f.name] for f in dataclasses.fields(Settings) if f.name != "sources"}
    registry: dict[str, Setting[Any]] = {}
    for name, cls in sections.items():
        cls_hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            declared = Setting.from_field(name, f, cls_hints[f.name])
            registry[declared.key] = declared
    env_names = [s.env_name for s in registry.values()]
    if len(set(env_names)) != len(env_names):
        raise TypeError("two settings share an environment variable name")
    return sections, registry


SECTIONS, REGISTRY = _build_registry()
ENV_NAMES = {s.env_name: key for key, s in REGISTRY.items()}


@dataclass
class LoadedSettings:
    """The result of :func:`load_settings`: never raises for bad files or values."""

    settings: Settings
    problems: list[str]
    sources: dict[str, str]


def load_settings(
    paths: AppPaths,
    *,
    env: Mapping[str, str] | None = None,
    cli: Mapping[str, str] | None = None,
) -> LoadedSettings:
    """Defaults < ``paths.machine_config`` < ``paths.user_config`` < ``env`` < ``cli``.

    ``env`` defaults to ``os.environ`` (pass ``{}`` to ignore the environment); ``cli`` maps
    dotted keys to text, as :func:`parse_cli_overrides` returns. A missing file is normal; an
    unreadable or invalid one is skipped (and never modified); an unknown or invalid value is
    skipped, keeping the lower layer's value. Each of these adds a sentence to ``problems``.
    """
    environ = os.environ if env is None else env
    values: dict[str, Any] = {key: decl.default for key, decl in REGISTRY.items()}
    sources = dict.fromkeys(REGISTRY, DEFAULT_SOURCE)
    problems: list[str] = []

    def apply(key: str, raw: Any, source: str, where: str, place: str) -> None:
        decl = REGISTRY.get(key)
        if decl is None:
            problems.append(f"{where}: unknown setting {key!r}{suggest(key, REGISTRY)} — ignored")
        elif decl.secret and place != "env":
            problems.append(
                f"{where}: {key} is a secret and is never taken from {place}; set "
                f"{decl.env_name} or use the keyring — ignored"
            )
        else:
            try:
                values[key] = decl.parse(raw)
                sources[key] = source
            except SettingsError as exc:
                kept = decl.display(values[key])
                problems.append(f"{where}: {exc} — keeping {kept} ({sources[key]})")

    for path in (paths.machine_config, paths.user_config):
        try:
            data = read_toml(path)
        except SettingsError as exc:
            problems.append(f"{exc} — ignoring this file (left unchanged) until it is fixed")
            continue
        for key, raw in flatten(path, data, problems).items():
            apply(key, raw, str(path), str(path), "a settings file")
    for name, raw in environ.items():
        if name in ENV_NAMES:
            apply(ENV_NAMES[name], raw, f"env {name}", f"environment variable {name}", "env")
        elif any(name.startswith(f"STOREDESK_{s.upper()}_") for s in SECTIONS):
            hint = suggest(name, ENV_NAMES)
            problems.append(f"environment variable {name} is not a StoreDesk setting{hint}")
    for key, raw in (cli or {}).items():
        apply(key, raw, CLI_SOURCE, f"--set {key}", "the command line")

    sections = {
        name: cls(**{k.split(".", 1)[1]: v for k, v in values.items() if k.startswith(name + ".")})
        for name, cls in SECTIONS.items()
    }
    settings = Settings(**sections, sources=dict(sources))
    return LoadedSettings(settings=settings, problems=problems, sources=sources)


def parse_cli_overrides(items: Sequence[str]) -> dict[str, str]:
    """``["store.id=S002", ...]`` (from repeated ``--set``) as ``{"store.id": "S002"}``.

    Everything after the first ``=`` is the value (it may be empty or contain ``=``); a later
    item wins. Raises :class:`SettingsError` for an item without ``=``, an unknown key, or a
    secret (a command line is visible to other users). Values are checked by load_settings.
    """
    return parse_overrides(REGISTRY, items)


def save_user_settings(paths: AppPaths, values: Mapping[str, object]) -> None:
    """Merge ``values`` (dotted key -> typed value or text; ``None`` removes the key) into
    ``paths.user_config``, atomically. Other keys in the file, even unknown ones, are kept.

    Raises :class:`SettingsError`, writing nothing, for an unknown key, a secret, an invalid
    value, or an existing file that is not valid TOML (it is never overwritten).
    """
    write_settings_file(paths.user_config, REGISTRY, values, merge=True)


def write_machine_settings(path: Path, values: Mapping[str, object], *, merge: bool = True) -> None:
    """Write the machine-wide file (provisioning, installer) like :func:`save_user_settings`;
    with ``merge=False`` the file holds exactly ``values``. Secrets are refused here too.
    """
    write_settings_file(path, REGISTRY, values, merge=merge)
