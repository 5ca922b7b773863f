"""``storedesk simulate terminal``: the simulator's main() prints a usable port, serves until
Ctrl+C and says so; bad options are refused."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import run_command
from devices.zvt.results import Approved, Declined
from devices.zvt.simulator_cli import main
from devices.zvt.terminal import Timeouts, ZvtTerminal

ROOT = Path(__file__).resolve().parents[2]
# Ctrl+C as in a terminal: a suite started in the background inherits SIGINT ignored, and
# Python then never turns it into KeyboardInterrupt.
RUN_MAIN = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from devices.zvt.simulator_cli import main; "
    "sys.exit(main(sys.argv[1:], out=sys.stdout, err=sys.stderr))"
)

pytestmark = pytest.mark.skipif(
    not hasattr(os, "openpty"), reason="the terminal simulator needs a POSIX pseudo-terminal"
)


def test_main_serves_a_payment_until_ctrl_c() -> None:
    # -X faulthandler: if it ever fails to stop, SIGABRT makes it print every thread.
    command = [sys.executable, "-u", "-X", "faulthandler", "-c", RUN_MAIN]
    process = subprocess.Popen(
        [*command, "--delay", "0", "--then", "decline:0x05"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(
            r"Card terminal simulator on (\S+) — set card_terminal\.port to it", first
        )
        assert found, first
        with ZvtTerminal(found.group(1), timeouts=Timeouts(ack=1, answer=5, idle=5)) as terminal:
            declined = terminal.authorize(1250)  # the --then outcome comes first
            approved = terminal.authorize(1250)
        assert isinstance(declined, Declined) and declined.result_code == 0x05
        assert isinstance(approved, Approved) and approved.receipt_no == 1
    finally:
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)
            out, err = process.communicate(timeout=10)
            pytest.fail(f"the simulator did not stop on Ctrl+C; its threads:\n{err}\n{out}")
    assert process.returncode == 0, err
    assert "Payment 12,50" in out
    assert "approved, receipt 0001" in out
    assert out.rstrip().endswith("Card terminal simulator stopped.")


def test_main_refuses_an_unknown_outcome() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--outcome", "explode"], out=out, err=err) == 2
    assert "unknown outcome 'explode'" in err.getvalue()
    assert out.getvalue() == ""


def test_main_help_lists_the_outcomes() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--help"], out=out, err=err) == 0
    assert "--outcome" in out.getvalue() and "disconnect" in out.getvalue()


def test_the_storedesk_command_reaches_the_simulator(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["--home", str(tmp_path), "simulate", "terminal", "--outcome", "nak:x"]
    assert run_command(argv, out=out, err=err) == 2
    assert "'x' is not a number" in err.getvalue()
