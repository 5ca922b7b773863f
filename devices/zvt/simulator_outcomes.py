"""What the simulated ZVT terminal does with a transaction: the scripted outcomes.

:class:`devices.zvt.simulator.TerminalSimulator` gives each payment, refund or reversal the
next scripted :class:`Outcome` from a queue, then the default one:

- ``approve``; ``decline[:CODE]`` (result code, default 05 "declined by the card issuer");
  ``abort`` (the customer presses Stop: Abort 6C);
- ``timeout`` (never answers, not even the frame's ACK); ``stall`` (answers, shows "Insert
  card", then falls silent);
- ``garbage`` (line noise before every frame); ``bad-crc`` (every frame is first sent with a
  wrong CRC and repeated after the NAK); ``nak[:N]`` (rejects the command N times, default 3);
- ``disconnect[:after-result]`` (closes the line after "Insert card", or after the result);
- ``slow[:SECONDS]`` (waits between steps, default 2 s; the till can abort meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS: tuple[str, ...] = ("approve", "decline", "abort", "timeout", "stall", "garbage")
KINDS += ("bad-crc", "nak", "disconnect", "slow")


@dataclass(frozen=True)
class Outcome:
    kind: str = "approve"
    code: int = 0x05
    count: int = 3
    seconds: float = 2.0
    after_result: bool = False

    @classmethod
    def parse(cls, text: str) -> Outcome:
        kind, _, arg = text.strip().lower().partition(":")
        if kind not in KINDS:
            raise ValueError(f"unknown outcome {text!r}; choose from {', '.join(KINDS)}")
        try:
            if kind == "decline" and arg:
                return cls(kind, code=int(arg, 0))
            if kind == "nak" and arg:
                return cls(kind, count=int(arg))
            if kind == "slow" and arg:
                return cls(kind, seconds=float(arg))
        except ValueError:
            raise ValueError(f"outcome {text!r}: {arg!r} is not a number") from None
        if kind == "disconnect" and arg:
            if arg != "after-result":
                raise ValueError("disconnect takes no argument or 'after-result'")
            return cls(kind, after_result=True)
        return cls(kind)
