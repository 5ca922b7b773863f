"""Settings: declared once, layered defaults < machine < user < env < CLI, never fatal."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from app.paths import AppPaths
from app.settings import (
    REGISTRY,
    Settings,
    SettingsError,
    load_settings,
    parse_cli_overrides,
    save_user_settings,
    write_machine_settings,
)
from app.settings_io import Setting


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "home")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- layering ---------------------------------------------------------------------------


def test_defaults_when_nothing_is_configured(paths: AppPaths) -> None:
    loaded = load_settings(paths, env={})
    assert loaded.problems == []
    assert loaded.settings == Settings()
    assert set(loaded.sources.values()) == {"default"}
    assert loaded.settings.store.id == "S001" and loaded.settings.printer.width_mm == 80
    assert loaded.settings.money.cash_rounding == Decimal("0.01")
    assert not paths.data_dir.exists()  # loading creates nothing


def test_precedence_defaults_machine_user_env_cli(paths: AppPaths) -> None:
    write(
        paths.machine_config,
        '[store]\nid = "M"\nname = "M"\n[terminal]\nid = "M"\n[printer]\nprofile = "M"\n',
    )
    write(
        paths.user_config, '[store]\nname = "U"\n[terminal]\nid = "U"\n[printer]\nprofile = "U"\n'
    )
    env = {"STOREDESK_TERMINAL_ID": "E", "STOREDESK_PRINTER_PROFILE": "E"}
    loaded = load_settings(paths, env=env, cli={"printer.profile": "C"})
    s = loaded.settings
    assert loaded.problems == []
    assert (s.store.address, s.store.id, s.store.name, s.terminal.id, s.printer.profile) == (
        Settings().store.address,
        "M",
        "U",
        "E",
        "C",
    )
    assert loaded.sources["store.address"] == "default"
    assert loaded.sources["store.id"] == str(paths.machine_config)
    assert loaded.sources["store.name"] == str(paths.user_config)
    assert loaded.sources["terminal.id"] == "env STOREDESK_TERMINAL_ID"
    assert loaded.sources["printer.profile"] == "command line"
    assert s.sources == loaded.sources


def test_env_defaults_to_the_process_environment(
    paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOREDESK_STORE_ID", "S042")
    assert load_settings(paths).settings.store.id == "S042"
    assert load_settings(paths, env={}).settings.store.id == "S001"


# --- conversion and messages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("printer.width_mm", "58", 58),
        ("printer.width_mm", " 80 ", 80),
        ("ui.debug", "yes", True),
        ("ui.debug", "OFF", False),
        ("demo.enabled", "1", True),
        ("money.cash_rounding", "0.05", Decimal("0.05")),
        ("security.max_pin_failures", "3", 3),
        ("printer.kind", "network", "network"),
        ("central.url", "", ""),
        ("store.name", "  Riga Centre ", "  Riga Centre "),
    ],
)
def test_env_and_cli_text_is_converted_to_the_declared_type(
    paths: AppPaths, key: str, raw: str, expected: object
) -> None:
    env_name = REGISTRY[key].env_name
    for loaded in (
        load_settings(paths, env={env_name: raw}),
        load_settings(paths, env={}, cli={key: raw}),
    ):
        assert loaded.problems == []
        value = loaded.settings.value(key)
        assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("printer.width_mm", "70", "printer.width_mm: expected one of 58, 80, got '70'"),
        (
            "security.max_pin_failures",
            "abc",
            "security.max_pin_failures: expected a whole number, got 'abc'",
        ),
        ("security.max_pin_failures", "50", "must be between 1 and 20, got '50'"),
        ("printer.width_mm", "80.5", "printer.width_mm: expected a whole number, got '80.5'"),
        ("ui.debug", "maybe", "ui.debug: expected true or false, got 'maybe'"),
        ("money.cash_rounding", "0.001", "must be a multiple of 0.01 between 0.01 and 100"),
        ("money.cash_rounding", "NaN", "money.cash_rounding: expected a number, got 'NaN'"),
        ("printer.kind", "Network", "expected one of simulated, network, serial, usb, file"),
        ("store.currency", "eur", "store.currency: must be a 3-letter code such as EUR"),
        ("store.id", "  ", "store.id: must not be empty"),
    ],
)
def test_bad_values_give_clear_messages(key: str, raw: str, message: str) -> None:
    with pytest.raises(SettingsError, match="^" + re.escape(key)) as caught:
        REGISTRY[key].parse(raw)
    assert message in str(caught.value)


def test_toml_values_are_typed_leniently_but_not_wrongly() -> None:
    assert REGISTRY["money.cash_rounding"].parse(Decimal("0.05")) == Decimal("0.05")
    assert REGISTRY["money.cash_rounding"].parse(0.05) == Decimal("0.05")
    assert REGISTRY["printer.width_mm"].parse(Decimal("58.0")) == 58
    assert REGISTRY["terminal.id"].parse(7) == "7"
    with pytest.raises(SettingsError, match="expected a whole number, got True"):
        REGISTRY["printer.width_mm"].parse(True)
    with pytest.raises(SettingsError, match="expected text, got"):
        REGISTRY["store.name"].parse(["a"])


def test_bad_env_or_cli_value_is_a_problem_and_the_lower_layer_stays(paths: AppPaths) -> None:
    write(paths.machine_config, "[printer]\nwidth_mm = 58\n")
    loaded = load_settings(
        paths, env={"STOREDESK_PRINTER_WIDTH_MM": "70"}, cli={"security.max_pin_failures": "abc"}
    )
    assert loaded.settings.printer.width_mm == 58
    assert loaded.sources["printer.width_mm"] == str(paths.machine_config)
    assert loaded.settings.security.max_pin_failures == 5
    assert loaded.problems == [
        "environment variable STOREDESK_PRINTER_WIDTH_MM: printer.width_mm: expected one of "
        f"58, 80, got '70' — keeping 58 ({paths.machine_config})",
        "--set security.max_pin_failures: security.max_pin_failures: expected a whole number, "
        "got 'abc' — keeping 5 (default)",
    ]


def test_bad_value_in_user_file_keeps_machine_value(paths: AppPaths) -> None:
    write(paths.machine_config, "[printer]\nwidth_mm = 58\n")
    write(paths.user_config, '[printer]\nwidth_mm = 70\nkind = "usb"\n')
    loaded = load_settings(paths, env={})
    assert loaded.settings.printer.width_mm == 58 and loaded.settings.printer.kind == "usb"
    [problem] = loaded.problems
    assert problem.startswith(f"{paths.user_config}: printer.width_mm: expected one of 58, 80")


# --- broken files ---------------------------------------------------------------------------


def test_invalid_toml_is_a_problem_and_the_file_is_never_modified(paths: AppPaths) -> None:
    write(paths.machine_config, '[store]\nid = "S014"\n')
    user = write(paths.user_config, '[store]\nname = "Riga"\nid = \n')
    before = user.read_bytes()
    loaded = load_settings(paths, env={})
    assert loaded.settings.store.id == "S014"  # the machine file still applies
    assert loaded.settings.store.name == Settings().store.name  # nothing from the broken file
    [problem] = loaded.problems
    assert problem.startswith(f"{user} is not valid TOML (line 3, column 6): Invalid value")
    assert "ignoring this file" in problem
    with pytest.raises(SettingsError, match="not valid TOML"):
        save_user_settings(paths, {"store.name": "Tallinn"})
    assert user.read_bytes() == before
    assert [p.name for p in user.parent.iterdir()] == [user.name]


def test_unreadable_or_non_utf8_files_are_problems(paths: AppPaths) -> None:
    paths.machine_config.mkdir(parents=True)  # a folder where the file should be
    write(paths.user_config, "").write_bytes(b'[store]\nname = "\xff"\n')
    loaded = load_settings(paths, env={})
    assert loaded.settings == Settings()
    assert len(loaded.problems) == 2
    assert loaded.problems[0].startswith(f"{paths.machine_config} cannot be read (")
    assert loaded.problems[1].startswith(f"{paths.user_config} is not UTF-8 text")


def test_unknown_keys_are_warned_not_fatal(paths: AppPaths) -> None:
    write(
        paths.user_config,
        'debug = true\n[printer]\nwidht_mm = 58\nkind = "file"\n[nonsense]\nx = 1\n',
    )
    loaded = load_settings(
        paths, env={"STOREDESK_PRINTER_WIDHT_MM": "58", "STOREDESK_HOME": "/x"}, cli={}
    )
    assert loaded.settings.printer.kind == "file"
    f = paths.user_config
    assert loaded.problems == [
        f"{f}: 'debug' is not inside a [section] — ignored",
        f"{f}: unknown setting 'printer.widht_mm' (did you mean printer.width_mm?) — ignored",
        f"{f}: unknown setting 'nonsense.x' — ignored",
        "environment variable STOREDESK_PRINTER_WIDHT_MM is not a StoreDesk setting "
        "(did you mean STOREDESK_PRINTER_WIDTH_MM?)",
    ]


# --- secrets --------------------------------------------------------------------------------


def test_secret_comes_from_env_only_and_is_masked(paths: AppPaths) -> None:
    write(paths.machine_config, '[central]\npassword = "in-a-file"\n')
    loaded = load_settings(paths, env={"STOREDESK_CENTRAL_PASSWORD": "hunter2"})
    assert loaded.settings.central.password == "hunter2"
    [problem] = loaded.problems
    assert "central.password is a secret" in problem and "in-a-file" not in problem
    rows = {key: (value, source) for key, value, source in loaded.settings.describe()}
    assert rows["central.password"] == ("********", "env STOREDESK_CENTRAL_PASSWORD")
    assert "hunter2" not in repr(loaded.settings) + repr(loaded.settings.central)
    assert load_settings(paths, env={}).settings.describe()[0][0] == "store.id"
    unset = {k: v for k, v, _ in load_settings(paths, env={}).settings.describe()}
    assert unset["central.password"] == "(not set)"
    cli = load_settings(paths, env={}, cli={"central.password": "x"})
    assert (
        cli.settings.central.password == ""
        and "never taken from the command line" in (cli.problems[-1])
    )


def test_secrets_are_never_written(paths: AppPaths) -> None:
    with pytest.raises(SettingsError, match=r"central\.password is a secret"):
        save_user_settings(paths, {"store.id": "S002", "central.password": "hunter2"})
    assert not paths.user_config.exists()
    with pytest.raises(SettingsError, match="secret"):
        write_machine_settings(paths.machine_config, {"central.password": "hunter2"})
    assert not paths.machine_config.exists()
    write(paths.user_config, '[central]\npassword = "old"\nurl = "postgresql://c/db"\n')
    save_user_settings(paths, {"store.id": "S002"})
    text = paths.user_config.read_text(encoding="utf-8")
    assert "password" not in text and "postgresql://c/db" in text


def test_describe_masks_passwords_inside_urls() -> None:
    url = REGISTRY["central.url"].display("postgresql://sync:s3cret@central/db")
    assert url == "postgresql://sync:***@central/db"


# --- writing --------------------------------------------------------------------------------


def test_save_merges_atomically_with_existing_content(paths: AppPaths) -> None:
    write(paths.user_config, '[printer]\nkind = "usb"\nfuture_key = 3\n[later]\nx = "kept"\n')
    save_user_settings(
        paths, {"printer.width_mm": 58, "money.cash_rounding": "0.05", "ui.debug": True}
    )
    data = tomllib.loads(paths.user_config.read_text(encoding="utf-8"))
    assert data["printer"] == {"kind": "usb", "future_key": 3, "width_mm": 58}
    assert data["later"] == {"x": "kept"} and data["ui"] == {"debug": True}
    assert data["money"] == {"cash_rounding": 0.05}
    assert [p.name for p in paths.user_config.parent.iterdir()] == [paths.user_config.name]
    loaded = load_settings(paths, env={})
    assert loaded.settings.money.cash_rounding == Decimal("0.05")
    assert loaded.settings.printer.width_mm == 58
    save_user_settings(paths, {"printer.kind": None, "ui.debug": None})  # None: remove the key
    data = tomllib.loads(paths.user_config.read_text(encoding="utf-8"))
    assert "kind" not in data["printer"] and "ui" not in data


def test_save_checks_everything_before_touching_the_file(paths: AppPaths) -> None:
    user = write(paths.user_config, '[store]\nid = "S009"\n')
    before = user.read_bytes()
    for bad in ({"printer.width_mm": 70}, {"store.idd": "x"}, {"store.name": "ok", "ui.debug": 3}):
        with pytest.raises(SettingsError):
            save_user_settings(paths, bad)
        assert user.read_bytes() == before


def test_failed_replace_leaves_old_file_and_no_temp(
    paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = write(paths.user_config, '[store]\nid = "S009"\n')
    before = user.read_bytes()

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(SettingsError, match=re.escape(f"cannot write {user} (Permission denied)")):
        save_user_settings(paths, {"store.id": "S010"})
    assert user.read_bytes() == before
    assert [p.name for p in user.parent.iterdir()] == [user.name]


def test_machine_settings_for_provisioning(paths: AppPaths) -> None:
    target = paths.machine_config
    write_machine_settings(target, {"store.id": "S014", "printer.kind": "network"})
    write_machine_settings(target, {"printer.address": "10.0.14.50:9100"})  # merges
    loaded = load_settings(paths, env={})
    assert loaded.settings.store.id == "S014" and loaded.settings.printer.kind == "network"
    assert loaded.sources["printer.address"] == str(target)
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o644  # every user must be able to read it
    write_machine_settings(target, {"terminal.id": "T02"}, merge=False)
    assert tomllib.loads(target.read_text(encoding="utf-8")) == {"terminal": {"id": "T02"}}


# --- paths ----------------------------------------------------------------------------------


def test_under_puts_everything_in_one_folder_and_creates_nothing(tmp_path: Path) -> None:
    p = AppPaths.under(tmp_path / "portable")
    for path in (p.machine_config, p.user_config, p.data_dir, p.log_dir, p.cache_dir):
        assert path.is_relative_to(tmp_path / "portable")
    assert p.user_config.name == "storedesk.toml" and not (tmp_path / "portable").exists()
    p.ensure_dirs()
    assert p.data_dir.is_dir() and p.log_dir.is_dir() and p.cache_dir.is_dir()
    p.ensure_dirs()  # idempotent


def test_storedesk_home_redirects_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOREDESK_HOME", str(tmp_path / "h"))
    assert AppPaths.default() == AppPaths.under(tmp_path / "h")
    assert AppPaths.default(env={}) != AppPaths.under(tmp_path / "h")


@pytest.mark.skipif(sys.platform != "linux", reason="Linux layout")
def test_default_layout_on_linux() -> None:
    p = AppPaths.default(env={})
    assert p.machine_config == Path("/etc/storedesk/storedesk.toml")
    assert p.user_config.name == "storedesk.toml" and "StoreDesk" in p.user_config.parts


def test_ensure_dirs_failure_names_the_path(tmp_path: Path) -> None:
    p = AppPaths.under(tmp_path)
    p.log_dir.write_text("a file where a folder should be")
    with pytest.raises(SettingsError) as caught:
        p.ensure_dirs()
    message, cause = str(caught.value), caught.value.__cause__
    assert isinstance(cause, OSError) and cause.strerror and cause.strerror in message
    assert (
        message.startswith(f"StoreDesk cannot use the folder {p.log_dir} (") and "--home" in message
    )


def test_database_url(paths: AppPaths) -> None:
    expected = f"sqlite:///{paths.data_dir / 'storedesk.sqlite3'}"
    assert Settings().database_url(paths) == expected
    loaded = load_settings(paths, env={}, cli={"database.url": "sqlite:////tmp/x.db"})
    assert loaded.settings.database_url(paths) == "sqlite:////tmp/x.db"


# --- command line ---------------------------------------------------------------------------


def test_parse_cli_overrides() -> None:
    items = ["store.id=S002", "database.url=postgresql://h/db?a=b", "central.url=", "store.id=S3"]
    assert parse_cli_overrides(items) == {
        "store.id": "S3",
        "database.url": "postgresql://h/db?a=b",
        "central.url": "",
    }


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("nonsense", "--set expects section.key=value, got 'nonsense'"),
        ("=S002", "--set expects section.key=value"),
        ("store.idd=S002", "unknown setting 'store.idd' (did you mean store.id?)"),
        ("central.password=x", "central.password is a secret"),
    ],
)
def test_parse_cli_overrides_errors(item: str, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_cli_overrides(["store.id=S1", item])
    assert message in str(caught.value)


# --- every declaration ----------------------------------------------------------------------


def test_registry_matches_the_sections() -> None:
    assert len(REGISTRY) == 44
    for key, decl in REGISTRY.items():
        assert decl.key == key and decl.help
        assert decl.env_name == "STOREDESK_" + key.replace(".", "_").upper()
        assert Settings().value(key) == decl.default
    assert [k for k, d in REGISTRY.items() if d.secret] == [
        "central.password", "card_terminal.password",
    ]  # fmt: skip
    assert REGISTRY["till.variance_approval_above"].default == Decimal("20.00")
    assert REGISTRY["card_terminal.password"].check("12345") == "must be six digits"
    assert REGISTRY["money.cash_rounding"].type is Decimal
    assert REGISTRY["customers.phone_region"].default == "DE"
    assert REGISTRY["customers.store_document_images"].default is False
    assert REGISTRY["id_reader.kind"].choices == ("none", "serial")
    assert REGISTRY["returns.approval_above"].type is Decimal
    assert REGISTRY["returns.window_days"].default == 14
    assert REGISTRY["stock.low_stock_level"].default == 3


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_each_default_is_valid_and_round_trips_through_toml(paths: AppPaths, key: str) -> None:
    decl = REGISTRY[key]
    assert decl.check(decl.default) is None
    assert decl.parse(decl.default) == decl.default
    if decl.secret:
        return
    assert decl.parse(decl.display(decl.default)) == decl.default  # as typed after --set
    save_user_settings(paths, {key: decl.default})
    loaded = load_settings(paths, env={})
    assert loaded.problems == []
    assert loaded.settings.value(key) == decl.default
    assert loaded.sources[key] == str(paths.user_config)


def _valid_values(decl: Setting[Any]) -> st.SearchStrategy[Any]:
    if decl.choices is not None:
        return st.sampled_from(decl.choices)
    kinds: dict[type, st.SearchStrategy[Any]] = {
        bool: st.booleans(),
        int: st.integers(-5, 2000),
        Decimal: st.decimals(places=2, min_value=Decimal("-1"), max_value=Decimal("200")),
        str: st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    }
    return kinds[decl.type].filter(lambda v: decl.check(v) is None)


PUBLIC = sorted(key for key, decl in REGISTRY.items() if not decl.secret)


@hsettings(max_examples=60, deadline=None)
@given(st.data())
def test_any_valid_values_round_trip_through_the_user_file(data: st.DataObject) -> None:
    keys = data.draw(st.lists(st.sampled_from(PUBLIC), min_size=1, max_size=6, unique=True))
    values = {key: data.draw(_valid_values(REGISTRY[key]), label=key) for key in keys}
    with tempfile.TemporaryDirectory() as root:
        paths = AppPaths.under(Path(root))
        save_user_settings(paths, values)
        loaded = load_settings(paths, env={})
    assert loaded.problems == []
    assert {key: loaded.settings.value(key) for key in keys} == values
