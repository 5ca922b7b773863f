"""ESC/POS real-time status: the requests, and what the answer bytes mean.

``DLE EOT n`` is answered by the printer as soon as it arrives, even while earlier data is
still waiting in its buffer, with one byte whose fixed bits (bit 0 clear, bits 1 and 4 set,
bit 7 clear) say that it is a status byte at all (Epson ESC/POS reference, "DLE EOT"):

* ``DLE EOT 1`` printer status: bit 3 set = offline;
* ``DLE EOT 2`` offline cause: bit 2 cover open, bit 5 stopped by paper end, bit 6 error;
* ``DLE EOT 4`` roll paper sensor: bits 2–3 near end, bits 5–6 paper end.

python-escpos reads the same bits (``is_online``, ``paper_status``). Its ``query_status``
reads whatever comes next with no deadline of its own and cannot tell silence from a
printer that does not report, so the driver asks through its connection instead
(:meth:`devices.printer.connections.Link.ask`). A byte without the fixed bits is not trusted.

The simulator answers with :func:`answer`, the inverse of the readers here.
"""

from __future__ import annotations

from devices.printer.base import Paper

DLE_EOT = b"\x10\x04"
ASK_PRINTER = DLE_EOT + b"\x01"
ASK_OFFLINE_CAUSE = DLE_EOT + b"\x02"
ASK_ERROR = DLE_EOT + b"\x03"
ASK_PAPER = DLE_EOT + b"\x04"

_FIXED_MASK, _FIXED = 0x93, 0x12
OFFLINE = 0x08
COVER_OPEN = 0x04
PAPER_STOP = 0x20
ERROR = 0x40
NEAR_END = 0x0C
PAPER_END = 0x60


def is_status(byte: int) -> bool:
    """True when ``byte`` has the fixed bits of a real-time status answer."""
    return byte & _FIXED_MASK == _FIXED


def online(byte: int) -> bool:
    return not byte & OFFLINE


def paper(byte: int) -> Paper:
    if byte & PAPER_END:
        return "out"
    if byte & NEAR_END:
        return "near_end"
    return "ok"


def offline_cause(byte: int) -> str:
    causes = [
        text
        for bit, text in ((COVER_OPEN, "cover open"), (PAPER_STOP, "paper out"), (ERROR, "error"))
        if byte & bit
    ]
    return ", ".join(causes) or "reason not given"


def answer(request: int, *, paper_state: Paper, cover_open: bool = False) -> int:
    """The byte a printer in this state sends for ``DLE EOT request`` (1–4)."""
    out = paper_state == "out"
    if request == 1:
        return _FIXED | (OFFLINE if out or cover_open else 0)
    if request == 2:
        return _FIXED | (COVER_OPEN if cover_open else 0) | (PAPER_STOP if out else 0)
    if request == 4:
        near = NEAR_END if paper_state in ("near_end", "out") else 0
        return _FIXED | near | (PAPER_END if out else 0)
    return _FIXED  # 3: no errors
