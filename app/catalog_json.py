"""Where things are in a catalog's JSON text: decoding aids, the line of every path, located text.

:class:`JsonObject` remembers keys written twice and :class:`Constant` stands for JSON's bare
words (NaN, Infinity), so both can be reported; :class:`LineMap` finds the line of every key
and value of a text that parsed, by its path (``("productOffering", 3, "taxRate")``);
:func:`located` puts line, place and message together the way every problem is shown.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re
from decimal import Decimal
from typing import Any

from domain.json_values import describe

Segment = str | int
Path = tuple[Segment, ...]


class Constant:
    """NaN and Infinity: JSON's decoder accepts them, no field of a catalog does."""

    def __init__(self, name: str) -> None:
        self.name = name


class JsonObject(dict[str, Any]):
    """A JSON object that remembers keys written twice (the decoder keeps only the last)."""

    duplicates: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> JsonObject:
        obj = cls(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            twice: list[str] = []
            for key, _value in pairs:
                if key in seen and key not in twice:
                    twice.append(key)
                seen.add(key)
            obj.duplicates = tuple(twice)
        return obj


def describe_value(value: Any) -> str:
    """:func:`domain.json_values.describe`, and JSON's bare words (NaN …) by name."""
    return value.name if isinstance(value, Constant) else describe(value)


_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=Constant)


class LineMap:
    """The line of every key and value in a JSON text that parsed, by path.

    The standard decoder does not say where objects are, so this walks the (valid) text once;
    it is only built when there is a problem to show.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[Path, int] = {}
        self._newlines = [i for i, c in enumerate(text) if c == "\n"]
        with contextlib.suppress(RecursionError, ValueError, IndexError):  # it parsed already
            self._value(self._skip(0), ())

    def _line(self, index: int) -> int:
        return bisect.bisect_left(self._newlines, index) + 1

    def _skip(self, index: int) -> int:
        match = _WS.match(self.text, index)
        return match.end() if match else index

    def _value(self, i: int, path: Path) -> int:
        self.lines.setdefault(path, self._line(i))
        text = self.text
        if text[i] == "{":
            i = self._skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                key_line = self._line(i)
                key, i = _DECODER.raw_decode(text, i)
                self.lines[(*path, key)] = key_line  # the last of a key written twice counts
                i = self._skip(i)  # at ":"
                i = self._skip(self._value(self._skip(i + 1), (*path, key)))
                if text[i] == ",":
                    i = self._skip(i + 1)
                    continue
                return i + 1
        if text[i] == "[":
            i = self._skip(i + 1)
            if text[i] == "]":
                return i + 1
            n = 0
            while True:
                i = self._skip(self._value(i, (*path, n)))
                if text[i] == ",":
                    i, n = self._skip(i + 1), n + 1
                    continue
                return i + 1
        _scalar, end = _DECODER.raw_decode(text, i)
        return int(end)

    def line_of(self, path: Path) -> int | None:
        for n in range(len(path), -1, -1):
            prefix = path[:n]
            if n == 2 and prefix[0] in ("productOffering", "promotion"):
                line = self.lines.get((*prefix, "id"))
                if line is not None:
                    return line
            if prefix in self.lines:
                return self.lines[prefix]
        return None


def located(line: int | None, where: str, message: str) -> str:
    head = f"line {line}: " if line is not None else ""
    return f"{head}{where}: {message}" if where else f"{head}{message}"
