"""Reading the shapes of a definition file, collecting every problem with where it is.

:class:`ShapeReader` checks one value at a time (an object and its keys, a list, text, a
name, a flag, hours, roles) and records ``"where: what"`` instead of raising, so one run
reports every problem in a file. A required key left out is reported once, as missing
(:data:`MISSING` stands for it so the value checks stay quiet about it).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.json_values import describe
from domain.users import Role

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_HOURS = Decimal(10_000)
MISSING: Any = object()  # a required key left out: reported once, as missing


class ShapeReader:
    """Collects (where: what) problems while reading; never stops at the first one.

    The shapes every entry is made of (objects with known keys, lists, text, names, flags,
    hours, roles); :class:`~domain.cases.type_reader.DefinitionReader` adds the entries.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    # -- shapes ------------------------------------------------------------------------------
    def obj(
        self, value: Any, where: str, *, required: Iterable[str], optional: Iterable[str] = ()
    ) -> dict[str, Any] | None:
        if value is MISSING:
            return None
        if not isinstance(value, dict):
            self.problem(where, f"must be an object, not {describe(value)}")
            return None
        required, optional = tuple(required), tuple(optional)
        for key in value:
            if key not in required and key not in optional:
                hint = suggest(key, (*required, *optional))
                self.problem(where, f'unknown key "{key}"{hint}')
        for key in required:
            if key not in value:
                self.problem(where, f'"{key}" is missing')
        return value

    def array(self, value: Any, where: str) -> list[Any]:
        if value is MISSING:
            return []
        if not isinstance(value, list):
            self.problem(where, f"must be a list, not {describe(value)}")
            return []
        return value

    def text(self, value: Any, where: str, *, required: bool = True, max_length: int = 200) -> str:
        if value is MISSING:
            return ""
        if not isinstance(value, str):
            self.problem(where, f"must be text, not {describe(value)}")
            return ""
        text: str = value.strip()
        if required and not text:
            self.problem(where, "must not be empty")
        if len(text) > max_length:
            self.problem(where, f"is longer than {max_length} characters")
        return text

    def name(self, value: Any, where: str) -> str:
        text = self.text(value, where)
        if text and not NAME.match(text):
            self.problem(
                where,
                f'"{text}" is not a name: use lower-case letters, digits and _ '
                "(starting with a letter, at most 40)",
            )
        return text

    def flag(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            self.problem(where, f"must be true or false, not {describe(value)}")
            return False
        return value

    def hours(self, value: Any, where: str, *, zero_ok: bool = False) -> timedelta:
        if value is MISSING:
            return timedelta(0)
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            self.problem(where, f"must be a number of hours, not {describe(value)}")
            return timedelta(0)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.problem(where, f"must be a number of hours, not {describe(value)}")
            return timedelta(0)
        if not number.is_finite() or number < 0 or (number == 0 and not zero_ok):
            self.problem(where, "must be a positive number of hours")
            return timedelta(0)
        if number > MAX_HOURS:
            self.problem(where, f"must be at most {MAX_HOURS} hours")
            return timedelta(0)
        if (number * 60) % 1:
            self.problem(where, "must be whole minutes (e.g. 1.5 or 0.25 hours)")
            return timedelta(0)
        return timedelta(minutes=int(number * 60))

    def roles(self, value: Any, where: str) -> frozenset[Role]:
        out: set[Role] = set()
        items = self.array(value, where)
        if isinstance(value, list) and not items:
            self.problem(where, "must name at least one role")
        for item in items:
            if isinstance(item, str) and item in {r.value for r in Role}:
                out.add(Role(item))
            else:
                known = ", ".join(r.value for r in Role)
                shown = item if isinstance(item, str) else describe(item)
                hint = suggest(shown, [r.value for r in Role])
                self.problem(where, f'unknown role "{shown}"{hint}; the roles are {known}')
        return frozenset(out)

    # -- calendars ---------------------------------------------------------------------------


def labelled(where: str, value: Any, key: str) -> str:
    """``types[2]`` → ``types[2] (repair)`` when the entry names itself, for every problem."""
    name = value.get(key) if isinstance(value, dict) else None
    return f"{where} ({name.strip()})" if isinstance(name, str) and name.strip() else where


def reach(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def duplicates(reader: ShapeReader, where: str, names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            reader.problem(where, f'the {what} "{name}" is defined more than once')
        seen.add(name)


def suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.75)
    return f' (did you mean "{close[0]}"?)' if close else ""
