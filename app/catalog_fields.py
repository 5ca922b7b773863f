"""Reading catalog entries field by field, every problem recorded with its JSON path.

:class:`Reader` collects the problems of one read (it never stops at the first) and shows
paths with each entry's code; :class:`Fields` is one JSON object being read, with typed
getters (text, codes, choices, enums, whole numbers, amounts, percentages, dates, lists,
nested objects) that record what is wrong and return a default instead.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from app.catalog_json import Path, Segment, describe_value, located
from app.catalog_schema import VALIDITY_KEYS, CatalogFormatError
from domain.catalog import ALWAYS, Validity
from domain.money import CENT

E = TypeVar("E", bound=StrEnum)

_DECIMAL = re.compile(r"-?(\d+)(?:\.(\d+))?")
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MISSING: Any = object()


class Reader:
    """Collects problems as (path, message) while entries are read; never stops at the first."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.problems: list[tuple[Path, str]] = []
        self.labels: dict[Path, str] = {}  # how a path prefix is shown, e.g. with its code
        # The file path of each offering and promotion read (an entry that is not an object
        # is left out of the document, so its index there can differ from the file's).
        self.entries: dict[str, list[Path]] = {"offering": [], "promotion": []}

    def problem(self, path: Path, message: str) -> None:
        self.problems.append((path, message))

    def wrong(self, path: Path, expected: str, value: Any) -> None:
        self.problem(path, f"must be {expected}, not {describe_value(value)}")

    def label(self, path: Path, code: str) -> None:
        self.labels[path] = f"{self.render(path)} ({code})"

    def render(self, path: Path) -> str:
        for n in range(len(path), -1, -1):
            if path[:n] in self.labels:
                out, rest = self.labels[path[:n]], path[n:]
                break
        else:  # pragma: no cover - the root always has a label
            out, rest = "", path
        for segment in rest:
            if isinstance(segment, int):
                out += f"[{segment}]"
            else:
                out += f".{segment}" if out else segment
        return out

    def fields(
        self,
        data: Any,
        path: Path,
        keys: Sequence[str],
        required: Sequence[str] = (),
        *,
        what: str = "an object",
    ) -> Fields | None:
        if not isinstance(data, dict):
            self.wrong(path, f"{what} {{...}}", data)
            return None
        return Fields(self, data, path, keys, required)

    def raise_if_any(self) -> None:
        if self.problems:
            raise CatalogFormatError(
                [located(None, self.render(path), message) for path, message in self.problems]
            )


_MISSING_HINTS = {
    "taxRate": 'price without a VAT rate: give taxRate in percent, e.g. "19"',
    "name": "missing: every entry needs a name",
}


class Fields:
    """One JSON object being read: typed getters that record a problem and return a default."""

    def __init__(
        self,
        reader: Reader,
        data: Mapping[str, Any],
        path: Path,
        keys: Sequence[str],
        required: Sequence[str],
    ) -> None:
        self.r = reader
        self.data = data
        self.path = path
        for key in getattr(data, "duplicates", ()):
            reader.problem(self.at(key), "written twice in the same object")
        for key in data:
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1)
                hint = f'did you mean "{close[0]}"?' if close else "allowed: " + ", ".join(keys)
                reader.problem(self.at(key), f'unknown key "{key}" ({hint})')
        for key in required:
            if key not in data:
                reader.problem(self.at(key), _MISSING_HINTS.get(key, "missing"))

    def at(self, key: Segment) -> Path:
        return (*self.path, key)

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str) -> Any:
        return self.data.get(key, MISSING)

    def text(self, key: str, default: str = "") -> str:
        value = self.get(key)
        if value is MISSING:
            return default
        if isinstance(value, str):
            return value
        self.r.wrong(self.at(key), "a text in quotes", value)
        return default

    def code(self, key: str) -> str:
        value = self.text(key)
        if key in self.data and isinstance(self.data[key], str):
            if not value.strip():
                self.r.problem(self.at(key), "must not be empty")
            elif value != value.strip():
                self.r.problem(self.at(key), f'"{value}" has spaces at the start or end')
        return value

    def choice(self, key: str, allowed: Sequence[str], default: str = "") -> str:
        value = self.text(key, default)
        if key in self.data and isinstance(self.data[key], str) and value not in allowed:
            listed = ", ".join(f'"{a}"' for a in allowed)
            self.r.problem(self.at(key), f'unknown {key} "{value}" (allowed: {listed})')
            return default
        return value

    def enum(self, key: str, cls: type[E], default: E) -> E:
        found = self.optional_enum(key, cls, nullable=False)
        return default if found is None else found

    def optional_enum(self, key: str, cls: type[E], *, nullable: bool = True) -> E | None:
        value = self.get(key)
        if value is MISSING or (value is None and nullable):
            return None
        allowed = ", ".join(member.value for member in cls)
        if not isinstance(value, str):
            self.r.wrong(self.at(key), f"one of {allowed}", value)
            return None
        try:
            return cls(value)
        except ValueError:
            self.r.problem(self.at(key), f'unknown {key} "{value}" (allowed: {allowed})')
            return None

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.get(key)
        if value is MISSING:
            return default
        if isinstance(value, bool):
            return value
        self.r.wrong(self.at(key), "true or false", value)
        return default

    def integer(self, key: str, default: int = 0, *, low: int | None = None) -> int:
        found = self.optional_integer(key, nullable=False, low=low)
        return default if found is None else found

    def optional_integer(
        self, key: str, *, nullable: bool = True, low: int | None = None, high: int | None = None
    ) -> int | None:
        value = self.get(key)
        if value is MISSING or (value is None and nullable):
            return None
        return _whole(self.r, self.at(key), value, low=low, high=high)

    def integers(self, key: str, default: tuple[int, ...] = ()) -> tuple[int, ...]:
        items = self.items(key)
        if items is None:
            return default
        found = [_whole(self.r, (*self.at(key), n), v) for n, v in enumerate(items)]
        return tuple(v for v in found if v is not None)

    def items(self, key: str) -> list[Any] | None:
        value = self.get(key)
        if value is MISSING:
            return None
        if isinstance(value, list):
            return value
        self.r.wrong(self.at(key), "a list [...]", value)
        return None

    def texts(self, key: str) -> tuple[str, ...]:
        out: list[str] = []
        for n, value in enumerate(self.items(key) or []):
            at = (*self.at(key), n)
            if not isinstance(value, str):
                self.r.wrong(at, "a text in quotes", value)
            elif not value.strip():
                self.r.problem(at, "must not be empty")
            else:
                out.append(value)
        return tuple(out)

    def text_set(self, key: str) -> frozenset[str]:
        values = self.texts(key)
        for value in sorted({v for v in values if values.count(v) > 1}):
            self.r.problem(self.at(key), f'"{value}" is listed twice')
        return frozenset(values)

    def enum_set(self, key: str, cls: type[E]) -> frozenset[E]:
        allowed = ", ".join(member.value for member in cls)
        found: list[E] = []
        for n, value in enumerate(self.items(key) or []):
            at = (*self.at(key), n)
            if not isinstance(value, str):
                self.r.wrong(at, f"one of {allowed}", value)
                continue
            try:
                member = cls(value)
            except ValueError:
                self.r.problem(at, f'unknown {key} "{value}" (allowed: {allowed})')
                continue
            if member in found:
                self.r.problem(self.at(key), f'"{value}" is listed twice')
            found.append(member)
        return frozenset(found)

    def amount(self, key: str, default: Decimal = Decimal("0.00")) -> Decimal:
        found = self.optional_amount(key, nullable=False)
        return default if found is None else found

    def optional_amount(self, key: str, *, nullable: bool = True) -> Decimal | None:
        value = self.get(key)
        if value is MISSING or (value is None and nullable):
            return None
        return _decimal(self.r, self.at(key), value, money=True)

    def percent(self, key: str, default: Decimal = Decimal(0)) -> Decimal:
        found = self.optional_percent(key, nullable=False)
        return default if found is None else found

    def optional_percent(self, key: str, *, nullable: bool = True) -> Decimal | None:
        value = self.get(key)
        if value is MISSING or (value is None and nullable):
            return None
        return _decimal(self.r, self.at(key), value, money=False)

    def obj(self, key: str, keys: Sequence[str], required: Sequence[str] = ()) -> Fields | None:
        if key not in self.data:
            return None
        return self.r.fields(self.data[key], self.at(key), keys, required)

    def validity(self, key: str = "validFor") -> Validity:
        f = self.obj(key, VALIDITY_KEYS)
        if f is None:
            return ALWAYS
        start, end = f.day("startDateTime"), f.day("endDateTime")
        return Validity(start, end)

    def day(self, key: str) -> date | None:
        value = self.get(key)
        if value is MISSING or value is None:
            return None
        if not isinstance(value, str):
            self.r.wrong(self.at(key), 'a date in quotes, e.g. "2026-01-01"', value)
            return None
        try:
            if _PLAIN_DATE.fullmatch(value):
                return date.fromisoformat(value)
            if _PLAIN_DATE.match(value):
                return datetime.fromisoformat(value).date()
        except ValueError:
            pass
        self.r.problem(self.at(key), f'"{value}" is not a date (write YYYY-MM-DD)')
        return None


def _whole(
    reader: Reader, path: Path, value: Any, *, low: int | None = None, high: int | None = None
) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        reader.wrong(path, "a whole number", value)
        return None
    if low is not None and value < low:
        reader.problem(path, f"must be at least {low}, not {value}")
        return None
    if high is not None and value > high:
        reader.problem(path, f"must be at most {high}, not {value}")
        return None
    return value


def _decimal(reader: Reader, path: Path, value: Any, *, money: bool) -> Decimal | None:
    example = '"24.99"' if money else '"19"'
    what = "an amount" if money else "a percentage"
    if not isinstance(value, str):
        reader.wrong(path, f"{what} in quotes, e.g. {example}", value)
        return None
    match = _DECIMAL.fullmatch(value)
    if match is None:
        reader.problem(path, f'"{value}" is not {what} (write it like {example})')
        return None
    places = len(match.group(2) or "")
    if places > 2:
        kind = "amounts" if money else "percentages"
        reader.problem(path, f'"{value}" has {places} decimal places; {kind} have at most 2')
        return None
    try:
        number = Decimal(value)
        return number.quantize(CENT) if money else number
    except InvalidOperation:
        reader.problem(path, f'"{value}" is too large')
        return None
