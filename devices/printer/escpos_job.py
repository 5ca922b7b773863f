"""A decoded print job: the lines a printer would put on paper, its QR codes, barcodes,
cuts, drawer kicks and images, as :class:`~devices.printer.escpos_decode.EscposDecoder`
reads them from ESC/POS bytes; laid out as on paper for previews and logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "qr", "barcode", "image", "cut", "drawer"]


@dataclass
class Line:
    """A printed line, or an event (QR code, barcode, image, cut, drawer kick) in its place."""

    text: str
    kind: Kind = "text"
    align: str = "left"
    bold: bool = False
    width: int = 1  # character size multipliers (GS !, ESC !)
    height: int = 1


@dataclass
class DecodedJob:
    raw: bytes = b""  # the printed bytes, without real-time status requests
    lines: list[Line] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    barcodes: list[tuple[str, str]] = field(default_factory=list)  # (symbology, data)
    drawer_kicks: list[int] = field(default_factory=list)  # connector pin: 2 or 5
    cuts: int = 0
    images: int = 0
    code_pages: list[str] = field(default_factory=list)  # pages text was decoded with
    status_requests: int = 0
    skipped: int = 0  # commands not understood (skipped by length)

    @property
    def text(self) -> str:
        """The printed text lines, one per line, without alignment padding or events."""
        return "\n".join(line.text for line in self.lines if line.kind == "text")

    @property
    def has_content(self) -> bool:
        return any(line.kind != "text" or line.text for line in self.lines) or bool(
            self.drawer_kicks
        )

    def render(self, columns: int = 48) -> str:
        """The job laid out as on paper (aligned as wide as it prints), events in brackets."""
        out: list[str] = []
        for line in self.lines:
            if line.kind != "text":
                out.append(f"[{line.text}]".center(columns).rstrip())
                continue
            room = columns - len(line.text) * line.width  # double width takes two columns
            pad = {"center": room // 2, "right": room}.get(line.align, 0)
            out.append(" " * max(pad, 0) + line.text)
        return "\n".join(out) + "\n"

    def summary(self) -> str:
        parts = [
            f"{len(self.raw):,} bytes",
            f"{sum(1 for x in self.lines if x.kind == 'text' and x.text)} lines",
        ]
        parts += [f"QR {code!r}" for code in self.qr_codes]
        parts += [f"{kind} {data!r}" for kind, data in self.barcodes]
        if self.images:
            parts.append(f"{self.images} image(s)")
        if self.drawer_kicks:
            parts.append("drawer kick")
        if self.cuts:
            parts.append("cut")
        first = next((x.text.strip() for x in self.lines if x.kind == "text" and x.text), "")
        return ", ".join(parts) + (f" — {first[:40]!r}" if first else "")
