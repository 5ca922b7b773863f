"""`storedesk stock …`: receive a delivery file, list levels and low stock."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.cli import run_command
from app.demo.seed import demo_iccid


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_command(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


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
