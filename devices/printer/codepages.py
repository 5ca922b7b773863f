"""Text to printer bytes: which code page each line goes out in, per printer profile.

An ESC/POS printer has no Unicode: it prints one byte per character from the code page last
selected with ``ESC t n``, and which pages exist (and their ``n``) depends on the model, as
python-escpos' printer profiles record. :class:`TextEncoder` picks, for each line:

1. no page at all when the line is plain ASCII (the same bytes in every page);
2. the page already selected, if it has every character of the line (no switch);
3. otherwise the first page that has the whole line, in :data:`PREFERRED` order and then
   the profile's ``ESC t`` order (so CP437/CP858/CP1252 for Latin and CP866, then CP1251,
   for Cyrillic: the pages every model gets right, before rarer ones such as CP855);
4. only if no single page has the whole line, runs: each character stays in the current
   page while it can and switches to the first page (same order) that has it otherwise.

Characters that no page of the profile has are spelled in Latin or replaced with "?"
(:mod:`devices.printer.transliterate`) before any of this, so encoding never fails.

The page tables are python-escpos' own (its printer database), so the simulator decodes
with exactly the tables the driver encodes with. Tables are built once per profile.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from devices.printer.transliterate import UNKNOWN, fallback

ESC_T = b"\x1bt"  # ESC t n: select character code table n
PREFERRED = (
    "CP437", "CP858", "CP850", "CP1252", "CP866", "CP1251", "CP852", "CP1250", "ISO_8859-15",
    "ISO_8859-2", "CP1125",
)  # fmt: skip


@dataclass(frozen=True)
class CodePage:
    """One code page a profile offers: its python-escpos name, ``ESC t`` number, tables."""

    name: str
    number: int
    to_byte: dict[str, int] = field(repr=False)  # non-ASCII character → 0x80…0xFF
    to_char: tuple[str, ...] = field(repr=False)  # byte - 0x80 → character ("" if none)

    def has(self, char: str) -> bool:
        return char < "\x80" or char in self.to_byte

    def encode(self, text: str) -> bytes:
        to_byte = self.to_byte
        return bytes(ord(c) if c < "\x80" else to_byte[c] for c in text)

    def decode(self, data: bytes) -> str:
        to_char = self.to_char
        return "".join(chr(b) if b < 0x80 else (to_char[b - 0x80] or "\ufffd") for b in data)


def _table(name: str) -> tuple[str, ...] | None:
    """Characters 0x80…0xFF of a python-escpos code page, or None if it has no table."""
    from escpos.capabilities import CAPABILITIES

    spec = CAPABILITIES["encodings"].get(name, {})
    if "data" in spec:
        chars = "".join(spec["data"])
        if len(chars) != 128:
            return None
        # The printer database marks holes with spaces; a space is ASCII anyway.
        return tuple("" if c == " " else c for c in chars)
    codec = spec.get("python_encode")
    if not codec:
        return None
    out: list[str] = []
    for byte in range(0x80, 0x100):
        try:
            out.append(bytes([byte]).decode(codec))
        except UnicodeDecodeError:
            out.append("")  # a lead byte of a double-byte page (CP932): not one character
    return tuple(out)


@lru_cache(maxsize=16)
def code_pages(profile: str) -> tuple[CodePage, ...]:
    """The profile's code pages with known tables, in the order :class:`TextEncoder` tries
    them: :data:`PREFERRED` first, then ``ESC t`` order (lowest number first)."""
    from escpos.capabilities import get_profile

    pages: list[CodePage] = []
    for name, number in get_profile(profile).get_code_pages().items():
        table = _table(name)
        if table is None:
            continue
        to_byte = {c: 0x80 + i for i, c in enumerate(table) if c and c >= "\x80"}
        pages.append(CodePage(name, int(number), to_byte, table))
    rank = {name: i for i, name in enumerate(PREFERRED)}
    return tuple(sorted(pages, key=lambda page: (rank.get(page.name, len(rank)), page.number)))


class TextEncoder:
    """Encodes lines for one printer profile. Thread-safe: it only reads shared tables
    (the per-character cache may be filled twice by two threads, with the same values)."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.pages = code_pages(profile)
        self.by_number = {page.number: page for page in self.pages}
        self._first: dict[str, CodePage | None] = {}  # character → first page that has it

    def first_page(self, char: str) -> CodePage | None:
        try:
            return self._first[char]
        except KeyError:
            page = next((p for p in self.pages if char in p.to_byte), None)
            self._first[char] = page
            return page

    def printable(self, text: str) -> str:
        """``text`` with every character some page can print; others spelled in Latin or "?"."""
        if text.isascii() and text.isprintable():
            return text
        text = unicodedata.normalize("NFC", text)
        out: list[str] = []
        for index, char in enumerate(text):
            if " " <= char < "\x7f":
                out.append(char)
            elif char < " " or "\x7f" <= char < "\xa0":
                out.append(" ")  # control characters would be commands to the printer
            elif self.first_page(char) is not None:
                out.append(char)
            else:
                spelled = fallback(text, index)
                out.append("".join(c if self._can_print(c) else UNKNOWN for c in spelled))
        return "".join(out)

    def _can_print(self, char: str) -> bool:
        return " " <= char < "\x7f" or self.first_page(char) is not None

    def encode(self, text: str, current: CodePage | None) -> tuple[bytes, CodePage | None]:
        """Bytes for a line of :meth:`printable` text, with ``ESC t n`` where the page changes.

        ``current`` is the page the printer has selected (None: unknown, as after ``ESC @``
        on a printer whose default page is set by DIP switch). Returns the bytes and the
        page selected afterwards.
        """
        if text.isascii():
            return text.encode("ascii"), current
        needed = {c for c in text if c >= "\x80"}
        if current is not None and needed <= current.to_byte.keys():
            return current.encode(text), current
        for page in self.pages:
            if needed <= page.to_byte.keys():
                return ESC_T + bytes([page.number]) + page.encode(text), page
        return self._runs(text, current)

    def _runs(self, text: str, current: CodePage | None) -> tuple[bytes, CodePage | None]:
        out = bytearray()
        i, n = 0, len(text)
        while i < n:
            if current is not None:
                j = i
                while j < n and current.has(text[j]):
                    j += 1
                if j > i:
                    out += current.encode(text[i:j])
                    i = j
                    continue
                page = self.first_page(text[i])
            else:
                # The page is chosen by the first non-ASCII character, and selected before
                # the ASCII in front of it, so a word is not split by a page switch.
                k = next((x for x in range(i, n) if text[x] >= "\x80"), n)
                if k == n:
                    out += text[i:].encode("ascii")
                    break
                page = self.first_page(text[k])
                if page is None:  # not printable() text: never stall on it
                    out += text[i:k].encode("ascii") + UNKNOWN.encode("ascii")
                    i = k + 1
                    continue
            if page is None:
                out += UNKNOWN.encode("ascii")
                i += 1
                continue
            out += ESC_T + bytes([page.number])
            current = page
        return bytes(out), current
