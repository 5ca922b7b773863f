"""ESC/POS bytes → what the printer would put on paper, for the simulator and for tests.

What it gives, a :class:`~devices.printer.escpos_job.DecodedJob`, is in
:mod:`devices.printer.escpos_job`.

:class:`EscposDecoder` is fed bytes as they arrive (a command may be split across reads)
and keeps, per job, the text lines with their alignment, emphasis and size, the QR codes and
barcodes, cuts, drawer kicks and images. Text is decoded with the code page selected by
``ESC t n``, through the same python-escpos tables the driver encodes with, so a wrong page
choice shows up as wrong letters.

Real-time status requests (``DLE EOT n``) and ``GS r`` / ``GS I`` queries are passed to an
``answer`` callback and the bytes it returns go back to the sender, as a printer answers
them; they are not part of a job's printed bytes. Commands the decoder does not know are
skipped by their documented length, or by two bytes when even that is unknown, so a strange
byte never stops the decoding of the rest. An ``ESC @`` after printed content starts a new
job (every StoreDesk receipt begins with one).
"""

from __future__ import annotations

from collections.abc import Callable

from devices.printer.codepages import CodePage, code_pages
from devices.printer.escpos_job import DecodedJob, Kind, Line

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
Answer = Callable[[bytes], bytes]

# Parameter bytes after ESC x / GS x / FS x for fixed-length commands that only set a mode.
_ESC_FIXED = {
    b" ": 1, b"!": 1, b"%": 1, b"-": 1, b"2": 0, b"3": 1, b"<": 0, b"=": 1, b"?": 1, b"@": 0,
    b"E": 1, b"G": 1, b"J": 1, b"K": 1, b"L": 0, b"M": 1, b"R": 1, b"S": 0, b"T": 1, b"U": 1,
    b"V": 1, b"a": 1, b"c": 2, b"d": 1, b"e": 1, b"i": 0, b"m": 0, b"p": 3, b"r": 1, b"t": 1,
    b"u": 1, b"v": 0, b"{": 1, b"$": 2, b"\\": 2, b"W": 8,
}  # fmt: skip
_GS_FIXED = {
    b"!": 1, b"/": 1, b":": 0, b"B": 1, b"H": 1, b"I": 1, b"L": 2, b"P": 2, b"T": 1, b"W": 2,
    b"\\": 2, b"$": 2, b"^": 3, b"a": 1, b"b": 1, b"f": 1, b"h": 1, b"r": 1, b"w": 1,
}  # fmt: skip
_FS_FIXED = {b"!": 1, b"&": 0, b"-": 1, b".": 0, b"C": 1, b"S": 2, b"W": 1, b"p": 2}
_BARCODES = {
    0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "CODABAR",
    65: "UPC-A", 66: "UPC-E", 67: "EAN13", 68: "EAN8", 69: "CODE39", 70: "ITF",
    71: "CODABAR", 72: "CODE93", 73: "CODE128",
}  # fmt: skip
_SYMBOLS = {48: "PDF417", 49: "QR", 50: "MAXICODE", 51: "DATABAR", 52: "COMPOSITE"}
_ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}


class _More(Exception):
    """The command is not complete yet: wait for more bytes."""


class EscposDecoder:
    """Incremental ESC/POS decoder. Not thread-safe: one per connection."""

    def __init__(
        self, profile: str = "TM-T20II", *, answer: Answer | None = None, split_jobs: bool = True
    ) -> None:
        self._pages = {page.number: page for page in code_pages(profile)}
        self._answer = answer
        self._split = split_jobs
        self._buf = bytearray()
        self._skip = 0  # bytes of image data still to pass over
        self._finished: list[DecodedJob] = []
        self._job = DecodedJob()
        self._raw = bytearray()
        self._chars: list[str] = []
        self._symbol: dict[int, bytes] = {}  # 2D symbol data stored, by symbology
        self._reset_style()

    def _reset_style(self) -> None:
        self._page: CodePage | None = self._pages.get(0)
        self._align, self._bold, self._width, self._height = "left", False, 1, 1
        self._style = ("left", False, 1, 1)

    # -- feeding ---------------------------------------------------------------------------
    @property
    def pending(self) -> bool:
        """True while bytes of an unfinished command wait for the rest."""
        return bool(self._buf) or self._skip > 0

    @property
    def has_content(self) -> bool:
        return self._job.has_content or bool(self._chars)

    def feed(self, data: bytes) -> bytes:
        """Decode ``data``; returns the answers owed to status requests in it."""
        self._buf += data
        buf, i, replies = self._buf, 0, bytearray()
        while i < len(buf):
            if self._skip:
                take = min(self._skip, len(buf) - i)
                self._raw += buf[i : i + take]
                self._skip -= take
                i += take
                continue
            try:
                end, reply = self._step(buf, i)
            except _More:
                break
            if reply is None:
                self._raw += buf[i:end]
            else:
                replies += reply
            i = end
        del buf[:i]
        return bytes(replies)

    def take_finished(self) -> list[DecodedJob]:
        """Jobs closed by an ``ESC @`` since the last call."""
        done, self._finished = self._finished, []
        return done

    def finish(self) -> DecodedJob | None:
        """Close the current job (the connection ended or went idle); None if nothing printed."""
        self._end_line(force=False)
        job, self._job = self._job, DecodedJob()
        job.raw, self._raw = bytes(self._raw), bytearray()
        return job if job.has_content else None

    # -- one command -----------------------------------------------------------------------
    def _step(self, b: bytearray, i: int) -> tuple[int, bytes | None]:
        """Decode the element at ``b[i]``: (index after it, answer bytes or None)."""
        c = b[i]
        if c >= 0x20:
            j = i + 1
            while j < len(b) and b[j] >= 0x20:
                j += 1
            self._text(bytes(b[i:j]))
            return j, None
        if c == 0x0A:
            self._end_line(force=True)
        elif c == 0x09:
            self._chars.append(" " * (8 - len(self._chars) % 8))
        elif c == ESC:
            return self._esc(b, i), None
        elif c == GS:
            return self._gs(b, i)
        elif c == DLE:
            return self._dle(b, i)
        elif c == FS:
            return self._fs(b, i), None
        elif c not in (0x0D, 0x0C, 0x00):  # CR, FF and NUL change nothing on a roll
            self._job.skipped += 1
        return i + 1, None

    def _esc(self, b: bytearray, i: int) -> int:
        _need(b, i + 2)
        cmd = bytes(b[i + 1 : i + 2])
        if cmd == b"D":  # tab positions, up to NUL
            return _until_nul(b, i + 2, limit=33)
        if cmd == b"*":  # bit image: m nL nH, then n or 3n bytes of columns
            _need(b, i + 5)
            n = b[i + 3] + 256 * b[i + 4]
            self._event("image", "image")
            self._skip = n * (3 if b[i + 2] in (32, 33) else 1)
            return i + 5
        if cmd == b"&":  # user-defined characters: y c1 c2, then x and y·x bytes each
            _need(b, i + 5)
            y, j = b[i + 2], i + 5
            for _ in range(max(0, b[i + 4] - b[i + 3] + 1)):
                _need(b, j + 1)
                j += 1 + y * b[j]
            _need(b, j)
            return j
        if cmd == b"(":  # ESC ( fn pL pH data
            _need(b, i + 5)
            end = i + 5 + b[i + 3] + 256 * b[i + 4]
            _need(b, end)
            return end
        size = _ESC_FIXED.get(cmd)
        if size is None:
            self._job.skipped += 1
            return i + 2
        _need(b, i + 2 + size)
        n = b[i + 2] if size else 0
        if cmd == b"@":
            self._init()
        elif cmd == b"!":
            self._bold, self._height, self._width = bool(n & 8), 1 + bool(n & 16), 1 + bool(n & 32)
        elif cmd == b"E":
            self._bold = bool(n & 1)
        elif cmd == b"a":
            self._align = _ALIGN.get(n, "left")
        elif cmd == b"t":
            self._page = self._pages.get(n)
        elif cmd == b"d":
            self._end_line(force=False)
            for _ in range(n):
                self._end_line(force=True)
        elif cmd == b"p":
            self._kick(2 if n in (0, 48) else 5)
        elif cmd in (b"i", b"m"):
            self._cut()
        return i + 2 + size

    def _gs(self, b: bytearray, i: int) -> tuple[int, bytes | None]:
        _need(b, i + 2)
        cmd = bytes(b[i + 1 : i + 2])
        if cmd == b"V":  # cut: m, and n for m = 65, 66, 97, 98, 103, 104
            _need(b, i + 3)
            end = i + (4 if b[i + 2] in (65, 66, 97, 98, 103, 104) else 3)
            _need(b, end)
            self._cut()
            return end, None
        if cmd == b"k":
            return self._barcode(b, i), None
        if cmd == b"(":  # GS ( fn pL pH data: 2D symbols (k), graphics (L), others
            _need(b, i + 5)
            end = i + 5 + b[i + 3] + 256 * b[i + 4]
            _need(b, end)
            if b[i + 2] == ord("k"):
                self._symbol_command(bytes(b[i + 5 : end]))
            elif b[i + 2] == ord("L") and end - i > 6 and b[i + 6] in (50, 112):
                self._event("image", "image")
            return end, None
        if cmd == b"8":  # GS 8 L p1 p2 p3 p4 data: graphics with a 32-bit length
            _need(b, i + 7)
            self._skip = int.from_bytes(b[i + 3 : i + 7], "little")
            self._event("image", "image")
            return i + 7, None
        if cmd == b"v":  # GS v 0 m xL xH yL yH: raster image of x bytes by y dots
            _need(b, i + 8)
            x, y = b[i + 4] + 256 * b[i + 5], b[i + 6] + 256 * b[i + 7]
            self._event("image", f"image {x * 8}x{y}")
            self._skip = x * y
            return i + 8, None
        if cmd == b"*":  # GS * x y: downloaded image of x·y·8 bytes
            _need(b, i + 4)
            self._skip = b[i + 2] * b[i + 3] * 8
            return i + 4, None
        size = _GS_FIXED.get(cmd)
        if size is None:
            self._job.skipped += 1
            return i + 2, None
        end = i + 2 + size
        _need(b, end)
        n = b[i + 2] if size else 0
        if cmd == b"!":
            self._width, self._height = 1 + (n >> 4 & 7), 1 + (n & 7)
        elif cmd in (b"r", b"I"):
            return end, self._ask(bytes(b[i:end]))
        return end, None

    def _dle(self, b: bytearray, i: int) -> tuple[int, bytes | None]:
        _need(b, i + 3)
        cmd, n = b[i + 1], b[i + 2]
        if cmd == 0x04:  # DLE EOT n (n = 7, 8 take one more byte)
            end = i + (4 if n in (7, 8) else 3)
            _need(b, end)
            return end, self._ask(bytes(b[i:end]))
        if cmd == 0x05:  # DLE ENQ n: real-time request, no answer
            return i + 3, b""
        if cmd == 0x14:  # DLE DC4 fn ...: fn 1 is a real-time drawer pulse
            end = i + {7: 4, 8: 10}.get(n, 5)
            _need(b, end)
            if n == 1:
                self._kick(2 if b[i + 3] in (0, 48) else 5)
            return end, None
        self._job.skipped += 1
        return i + 2, None

    def _fs(self, b: bytearray, i: int) -> int:
        _need(b, i + 2)
        size = _FS_FIXED.get(bytes(b[i + 1 : i + 2]))
        if size is None:
            self._job.skipped += 1
            return i + 2
        _need(b, i + 2 + size)
        if b[i + 1] == ord("p"):
            self._event("image", "stored image")
        return i + 2 + size

    # -- what the commands do --------------------------------------------------------------
    def _ask(self, request: bytes) -> bytes:
        self._job.status_requests += 1
        return self._answer(request) if self._answer is not None else b""

    def _init(self) -> None:
        if self._split and self.has_content:
            self._end_line(force=False)
            job, self._job = self._job, DecodedJob()
            job.raw, self._raw = bytes(self._raw), bytearray()
            self._finished.append(job)
        elif not self.has_content:
            # What came before the first ESC @ and printed nothing belongs to no job.
            self._job, self._raw = DecodedJob(), bytearray()
        self._reset_style()

    def _text(self, data: bytes) -> None:
        if not self._chars:
            self._style = (self._align, self._bold, self._width, self._height)
        page = self._page
        if page is not None:
            text = page.decode(data)
            if not data.isascii() and page.name not in self._job.code_pages:
                self._job.code_pages.append(page.name)
        else:
            text = "".join(chr(x) if x < 0x80 else "\ufffd" for x in data)
        self._chars.append(text)

    def _end_line(self, *, force: bool) -> None:
        if not self._chars and not force:
            return
        if not self._chars:
            self._style = (self._align, self._bold, self._width, self._height)
        align, bold, width, height = self._style
        self._job.lines.append(Line("".join(self._chars), "text", align, bold, width, height))
        self._chars = []

    def _event(self, kind: Kind, text: str) -> None:
        self._end_line(force=False)
        self._job.lines.append(Line(text, kind, self._align))
        if kind == "image":
            self._job.images += 1

    def _cut(self) -> None:
        self._event("cut", "cut")
        self._job.cuts += 1

    def _kick(self, pin: int) -> None:
        self._event("drawer", f"drawer kick, pin {pin}")
        self._job.drawer_kicks.append(pin)

    def _barcode(self, b: bytearray, i: int) -> int:
        _need(b, i + 3)
        m = b[i + 2]
        if m <= 6:
            end = _until_nul(b, i + 3, limit=256)
            data = bytes(b[i + 3 : end - 1])
        else:
            _need(b, i + 4)
            end = i + 4 + b[i + 3]
            _need(b, end)
            data = bytes(b[i + 4 : end])
        kind = _BARCODES.get(m, f"barcode {m}")
        text = data.decode("latin-1")
        if kind == "CODE128" and text[:2] in ("{A", "{B", "{C"):
            text = text[2:]
        self._event("barcode", f"{kind} {text}")
        self._job.barcodes.append((kind, text))
        return end

    def _symbol_command(self, body: bytes) -> None:
        """GS ( k: store the symbol's data (fn 80) and print it (fn 81)."""
        if len(body) < 2:
            return
        cn, fn = body[0], body[1]
        if fn == 80 and len(body) >= 3:
            self._symbol[cn] = body[3:]
        elif fn == 81:
            data = self._symbol.get(cn, b"").decode("utf-8", errors="replace")
            kind = _SYMBOLS.get(cn, f"2D {cn}")
            self._event("qr" if cn == 49 else "barcode", f"{kind} {data}")
            if cn == 49:
                self._job.qr_codes.append(data)
            else:
                self._job.barcodes.append((kind, data))


def _need(b: bytearray, end: int) -> None:
    if len(b) < end:
        raise _More


def _until_nul(b: bytearray, start: int, *, limit: int) -> int:
    """Index after the NUL that ends a variable-length parameter (at most ``limit`` bytes)."""
    stop = b.find(0, start, start + limit)
    if stop < 0:
        if len(b) < start + limit:
            raise _More
        return start + limit  # no terminator where one must be: skip the longest legal run
    return stop + 1


def decode(data: bytes, *, profile: str = "TM-T20II") -> DecodedJob:
    """All of ``data`` as one job (not split at ``ESC @``); for tests and previews."""
    decoder = EscposDecoder(profile, split_jobs=False)
    decoder.feed(data)
    return decoder.finish() or DecodedJob(raw=bytes(data))


def decode_jobs(data: bytes, *, profile: str = "TM-T20II") -> list[DecodedJob]:
    decoder = EscposDecoder(profile)
    decoder.feed(data)
    jobs = decoder.take_finished()
    last = decoder.finish()
    return jobs + ([last] if last is not None else [])
