"""``storedesk simulate terminal``: the ZVT terminal simulator from the command line.

Options: ``--outcome`` (what every transaction does), ``--then OUTCOME`` (the next one
only; repeatable), ``--delay SECONDS``, ``--terminal-id``. See :mod:`devices.zvt.simulator`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TextIO

from devices.zvt.simulator import TERMINAL_ID, TerminalSimulator
from devices.zvt.simulator_outcomes import KINDS, Outcome


class _Parser(argparse.ArgumentParser):
    """argparse writing to the given streams instead of sys.stdout / sys.stderr."""

    def __init__(self, *, out: TextIO, err: TextIO, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._out, self._err = out, err

    def _print_message(self, message: str, file: object = None) -> None:
        if message:
            (self._err if file is sys.stderr else self._out).write(message)


def main(argv: list[str], *, out: TextIO, err: TextIO) -> int:
    """``storedesk simulate terminal``: a simulated card terminal until Ctrl+C."""
    parser = _Parser(
        out=out,
        err=err,
        prog="storedesk simulate terminal",
        description="A simulated ZVT card terminal on a pseudo-terminal, until Ctrl+C.",
    )
    parser.add_argument(
        "--outcome",
        default="approve",
        help=f"what every transaction does: {', '.join(KINDS)} (default: approve)",
    )
    parser.add_argument(
        "--then",
        dest="queued",
        action="append",
        default=[],
        metavar="OUTCOME",
        help="an outcome for the next transaction only; repeat for a sequence",
    )
    parser.add_argument(
        "--delay", type=float, default=0.8, help="seconds between steps (default: 0.8)"
    )
    parser.add_argument("--terminal-id", default=TERMINAL_ID, help="8 digits")
    try:
        args = parser.parse_args(argv)
        outcome = Outcome.parse(args.outcome)
        queued = [Outcome.parse(text) for text in args.queued]
    except SystemExit as exc:
        return int(exc.code or 0)
    except ValueError as exc:
        print(f"storedesk simulate terminal: {exc}", file=err)
        return 2
    if not hasattr(os, "openpty"):
        print(
            "The card terminal simulator needs a POSIX pseudo-terminal (Linux or macOS).",
            file=err,
        )
        return 2

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    sim = TerminalSimulator(
        outcome=outcome, terminal_id=args.terminal_id, step_delay=args.delay, log=say
    )
    sim.queue(*queued)
    say(f"Card terminal simulator on {sim.port} — set card_terminal.port to it")
    say(f"Outcome: {args.outcome}. Press Ctrl+C to stop.")
    sim.start()
    try:
        while sim.running:
            time.sleep(0.2)
        say("The simulated line was cut; start the simulator again.")
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    say("Card terminal simulator stopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:], out=sys.stdout, err=sys.stderr))
