"""`storedesk stock …`: receive a delivery file (PIN from the environment or asked for),
list levels and low stock, a transfer in received once, and the exact refusal messages."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from app.cli import COMMANDS, build_parser, run_command
from app.demo.seed import demo_iccid, demo_imei

A15_TAC = "35328115"
IP15_TAC = "35407115"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_command(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def home(tmp_path: Path) -> tuple[str, str]:
    args = ("--home", str(tmp_path / "home"))
    assert _run(*args, "demo", "--customers", "5")[0] == 0
    return args


def _levels(home: tuple[str, str]) -> dict[str, list[str]]:
    code, out, _ = _run(*home, "stock", "levels")
    assert code == 0
    return {line.split()[0]: line.split() for line in out.splitlines()[1:]}


def test_every_subcommand_reaches_the_cli_from_the_entry_point() -> None:
    subparsers = next(
        action for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )  # fmt: skip
    assert set(COMMANDS) == set(subparsers.choices)


def test_storedesk_stock_runs_without_a_window(home: tuple[str, str]) -> None:
    from ui.main import main  # the `storedesk` console script

    assert main([*home, "stock", "levels"]) == 0
    assert main([*home, "stock", "low"]) == 0


def test_the_pin_is_asked_for_when_not_in_the_environment(
    home: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def getpass(prompt: str = "") -> str:
        asked.append(prompt)
        return "3333"

    monkeypatch.delenv("STOREDESK_PIN", raising=False)
    monkeypatch.setattr("getpass.getpass", getpass)
    delivery = tmp_path / "delivery.csv"
    delivery.write_text(
        "sku,serial,imsi,quantity\n"
        f"SIM-STD,{demo_iccid(8, 1)},262018000000001,\n"
        f"DEV-A15,{demo_imei(A15_TAC, 901)},,\n"
        "ACC-CASE,,,4\n",
        encoding="utf-8",
    )
    before = _levels(home)
    code, out, err = _run(*home, "stock", "receive", str(delivery), "--reference", "DN-900",
                          "--user", "maria")  # fmt: skip
    assert code == 0, err
    assert asked == ["PIN for maria: "]
    assert out == "Received DN-900: 1 SIM cards, 1 devices, 4 accessories.\n"
    after = _levels(home)
    assert _in_stock(after, "ACC-CASE") == _in_stock(before, "ACC-CASE") + 4
    assert _in_stock(after, "SIM-STD") == _in_stock(before, "SIM-STD") + 1
    assert _in_stock(after, "DEV-A15") == _in_stock(before, "DEV-A15") + 1


def _in_stock(levels: dict[str, list[str]], sku: str) -> int:
    # The name may have spaces; the numbers are the last five (or six with LOW) columns.
    cells = levels[sku][:-1] if levels[sku][-1] == "LOW" else levels[sku]
    return int(cells[-5])


def test_a_bad_file_names_its_line_and_changes_nothing(
    home: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOREDESK_PIN", "1111")
    delivery = tmp_path / "delivery.csv"
    delivery.write_text(
        f"sku,serial,imsi,quantity\nACC-CASE,,,4\nDEV-A15,{demo_imei(IP15_TAC, 902)},,\n",
        encoding="utf-8",
    )
    before = _levels(home)
    code, out, err = _run(*home, "stock", "receive", str(delivery), "--reference", "DN-901",
                          "--user", "anna")  # fmt: skip
    assert code == 1 and out == ""
    assert err.startswith("storedesk: nothing changed: 1 row is wrong; nothing was received:")
    assert f"line 3: IMEI {demo_imei(IP15_TAC, 902)} is a " in err
    assert _levels(home) == before


def test_a_transfer_in_is_received_once(
    home: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOREDESK_PIN", "1111")
    transfer = tmp_path / "TRF-S002-1.csv"
    transfer.write_text("sku,serial,imsi,quantity\nACC-GLASS,,,2\n", encoding="utf-8")
    args = ("stock", "receive", str(transfer), "--reference", "TRF-S002-1", "--user", "anna",
            "--from-store", "S002")  # fmt: skip
    code, out, err = _run(*home, *args)
    assert code == 0, err
    assert "Received TRF-S002-1: 0 SIM cards, 0 devices, 2 accessories." in out
    code, _, err = _run(*home, *args)
    assert code == 1
    assert err == "storedesk: nothing changed: Transfer TRF-S002-1 has already been received.\n"


def test_low_lists_only_the_low_items(home: tuple[str, str]) -> None:
    # Warn at 25: the demo's accessories (25 each) are low; the SIMs (more) are not.
    code, out, _ = _run(*home, "--set", "stock.low_stock_level=25", "stock", "low")
    assert code == 0
    rows = out.splitlines()[1:]
    assert rows and all(row.endswith("  LOW") for row in rows)
    skus = {row.split()[0] for row in rows}
    assert {"ACC-CASE", "ACC-CHG", "ACC-GLASS"} <= skus
    assert "SIM-STD" not in skus
    code, out, _ = _run(*home, "stock", "low")
    assert code == 0 and out.splitlines()[1:] == []


def test_receive_then_levels_and_low(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = ("--home", str(tmp_path))
    assert _run(*home, "demo", "--customers", "20")[0] == 0
    delivery = tmp_path / "delivery.csv"
    delivery.write_text(
        "\ufeffsku;serial;imsi;quantity\n"
        f"SIM-STD;{demo_iccid(5, 1)};262015000000001;\n"
        "ACC-GLASS;;;3\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("STOREDESK_PIN", "0000")
    code, _, err = _run(*home, "stock", "receive", str(delivery), "--reference", "DN-1",
                        "--user", "anna")  # fmt: skip
    assert code == 1 and "Wrong user name or PIN" in err
    monkeypatch.setenv("STOREDESK_PIN", "1111")
    code, out, err = _run(*home, "stock", "receive", str(delivery), "--reference", "DN-1",
                          "--user", "anna")  # fmt: skip
    assert code == 0, err
    assert "Received DN-1: 1 SIM cards, 0 devices, 3 accessories." in out
    code, out, _ = _run(*home, "stock", "levels")
    assert code == 0
    glass = next(line for line in out.splitlines() if line.startswith("ACC-GLASS"))
    assert " 28 " in glass and "LOW" not in glass
    code, out, _ = _run(*home, "stock", "low")
    assert code == 0 and "ACC-GLASS" not in out
    # The same file again: every serial is already known, so nothing is received.
    code, _, err = _run(*home, "stock", "receive", str(delivery), "--reference", "DN-2",
                        "--user", "anna")  # fmt: skip
    assert code == 1 and "nothing changed" in err and "line 2:" in err


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    code, _, err = _run("--home", str(tmp_path), "stock", "receive", str(tmp_path / "nope.csv"),
                        "--reference", "X", "--user", "anna")  # fmt: skip
    assert code == 1 and "cannot read" in err
