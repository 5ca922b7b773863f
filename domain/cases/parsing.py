"""Reading case type definitions (JSON or dicts) with every problem found and located.

A definition file holds business calendars and case types::

    {"format": "storedesk-case-types/1",
     "calendars": [{"name": "back_office", "hours": {"mon": "08:00-18:00", …}}],
     "types": [{"code": "refund", "version": 1, "title": "Refund approval", …}]}

:func:`parse_definitions` checks everything before anything is used — the shape and type
of every key (an unknown key is a typo, never ignored), names, field types, roles, statuses
in transitions, statuses nobody can reach or never leave, references between types that go
round in a circle — and raises :class:`CaseTypeError` with all problems at once, each
saying where (``types[2] (repair).workflow.transitions[1] (new → fixed)``) and what.
The docs for authors are in ``docs/examples/hr_request.json`` and the README.

:func:`type_to_dict` / :func:`calendar_to_dict` write the canonical entry that the database
keeps; :func:`type_from_dict` / :func:`calendar_from_dict` read one back.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from domain.cases.calendar import BusinessCalendar
from domain.cases.definitions import (
    CaseType,
    CaseTypeSet,
    FieldDef,
    FieldType,
)
from domain.cases.reading import ShapeReader, duplicates, suggest
from domain.cases.type_reader import DefinitionReader
from domain.json_values import describe
from domain.users import Role

FORMAT = "storedesk-case-types/1"


class CaseTypeError(Exception):
    """A definition cannot be used; ``problems`` lists each problem with where it is."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = "1 problem in the case types:" if n == 1 else f"{n} problems in the case types:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])

    def __str__(self) -> str:
        return self._text()


def parse_json(text: str) -> Any:
    """The JSON document, refusing keys written twice; CaseTypeError if it is not JSON."""
    text = text.removeprefix("\ufeff")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                raise CaseTypeError([f'the key "{key}" is written twice in one object'])
            seen[key] = value
        return seen

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CaseTypeError(
            [f"line {exc.lineno}, column {exc.colno}: this is not valid JSON: {exc.msg}"]
        ) from None
    except RecursionError:
        raise CaseTypeError(["the file is nested too deeply to be a case type file"]) from None


def parse_definitions(
    data: Any,
    *,
    actions: Collection[str] = (),
    known_types: Mapping[str, CaseType] | None = None,
    known_calendars: Collection[str] = (),
) -> CaseTypeSet:
    """Check a whole definition document; all problems at once, or the calendars and types.

    ``actions`` are the transition actions the application implements; ``known_types`` and
    ``known_calendars`` are what is installed already (a type may refer to them; a type in
    the document replaces the installed one of the same code for the checks).
    """
    reader = DefinitionReader(actions)
    doc = reader.obj(data, "the file", required=("format",), optional=("calendars", "types"))
    if doc is None:
        raise CaseTypeError(reader.problems)
    if doc.get("format") != FORMAT:
        reader.problem("format", f'must be "{FORMAT}", not {describe(doc.get("format"))}')
    calendars = [
        cal
        for i, entry in enumerate(reader.array(doc.get("calendars", []), "calendars"))
        if (cal := reader.calendar(entry, f"calendars[{i}]")) is not None
    ]
    duplicates(reader, "calendars", [c.name for c in calendars], "calendar")
    calendar_names = {c.name for c in calendars} | set(known_calendars)
    types = []
    for i, entry in enumerate(reader.array(doc.get("types", []), "types")):
        found = reader.case_type(entry, f"types[{i}]", calendars=calendar_names)
        if found is not None:
            types.append(found)
    codes = [
        entry["code"]
        for entry in doc.get("types", [])
        if isinstance(doc.get("types"), list) and isinstance(entry, dict)
        and isinstance(entry.get("code"), str)
    ]  # fmt: skip
    duplicates(reader, "types", codes, "case type")
    if not calendars and not types and not reader.problems:
        reader.problem("the file", "defines no case types and no calendars")
    everything = dict(known_types or {}) | {t.code: t for t in types}
    for t in types:
        _check_case_refs(reader, t, everything)
    _check_cycles(reader, everything, {t.code for t in types})
    if reader.problems:
        raise CaseTypeError(reader.problems)
    return CaseTypeSet(tuple(calendars), tuple(types))


def type_from_dict(data: Any, *, where: str = "case type") -> CaseType:
    """One stored type entry (no check of calendars, actions or other types)."""
    reader = DefinitionReader(actions=None)
    found = reader.case_type(data, where, calendars=None)
    if found is None or reader.problems:
        raise CaseTypeError(reader.problems)
    return found


def calendar_from_dict(data: Any, *, where: str = "calendar") -> BusinessCalendar:
    reader = DefinitionReader(actions=None)
    found = reader.calendar(data, where)
    if found is None or reader.problems:
        raise CaseTypeError(reader.problems)
    return found


def type_to_dict(t: CaseType) -> dict[str, Any]:
    """The canonical entry of a type: what the database keeps and the file format spells."""
    w = t.workflow
    out: dict[str, Any] = {
        "code": t.code,
        "version": t.version,
        "title": t.title,
        "department": t.department,
        "description": t.description,
        "default_priority": t.default_priority.value,
        "default_group": t.default_group,
        "sla": {
            "calendar": t.sla.calendar,
            "first_response_hours": _hours_text(t.sla.first_response),
            "resolution_hours": _hours_text(t.sla.resolution),
            "warn_before_hours": _hours_text(t.sla.warn_before),
        },
        "fields": [_field_dict(f) for f in t.fields],
        "workflow": {
            "initial": w.initial,
            "statuses": [
                {"name": s.name, "label": s.label}
                | ({"pauses_sla": True} if s.pauses_sla else {})
                | ({"terminal": True} if s.terminal else {})
                | ({"resolved": True} if s.resolved else {})
                for s in w.statuses
            ],
            "transitions": [
                {"from": tr.source, "to": tr.target, "roles": _roles(tr.roles)}
                | ({"required_fields": list(tr.required_fields)} if tr.required_fields else {})
                | ({"label": tr.label} if tr.label else {})
                | ({"action": tr.action} if tr.action else {})
                for tr in w.transitions
            ],
        },
    }  # fmt: skip
    if w.reopen is not None:
        out["workflow"]["reopen"] = {
            "to": w.reopen.to,
            "roles": _roles(w.reopen.roles),
        }
    return out


def calendar_to_dict(cal: BusinessCalendar) -> dict[str, Any]:
    out: dict[str, Any] = {"name": cal.name, "label": cal.label, "time_zone": cal.time_zone}
    out["hours"] = cal.hours()
    if cal.closed:
        out["closed"] = sorted(d.isoformat() for d in cal.closed)
    return out


def _field_dict(f: FieldDef) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f.name, "label": f.label, "type": f.type.value}
    if f.required:
        out["required"] = True
    if f.choices:
        out["choices"] = list(f.choices)
    if f.to is not None:
        out["to"] = f.to.value
    if f.case_type:
        out["case_type"] = f.case_type
    if f.type is FieldType.TEXT and f.max_length != 500:
        out["max_length"] = f.max_length
    if f.help:
        out["help"] = f.help
    return out


def _roles(roles: frozenset[Role]) -> list[str]:
    return [r.value for r in Role if r in roles]


def _hours_text(value: timedelta) -> str:
    hours = Decimal(int(value.total_seconds())) / 3600
    return format(hours.normalize(), "f")


def _check_case_refs(reader: ShapeReader, t: CaseType, everything: Mapping[str, CaseType]) -> None:
    for f in t.fields:
        if f.case_type and f.case_type not in everything:
            reader.problem(
                f"types ({t.code}).fields ({f.name}).case_type",
                f'unknown case type "{f.case_type}"{suggest(f.case_type, everything)}; '
                f"the types are {', '.join(sorted(everything))}",
            )


def _check_cycles(reader: ShapeReader, everything: Mapping[str, CaseType], new: set[str]) -> None:
    """Types that need each other to be opened first (required case references in a ring)."""
    edges = {
        code: [f.case_type for f in t.fields if f.required and f.case_type in everything]
        for code, t in everything.items()
    }
    reported: set[frozenset[str]] = set()

    def walk(code: str, path: list[str]) -> None:
        for nxt in edges.get(code, []):
            if nxt in path:
                ring = path[path.index(nxt) :]
                key = frozenset(ring)
                if key not in reported and key & new:
                    reported.add(key)
                    shown = " → ".join([*ring, nxt])
                    reader.problem(
                        f"types ({ring[0]}).fields",
                        f"circular reference {shown}: each needs the other opened first "
                        "(required case references), so none could ever be opened",
                    )
            else:
                walk(nxt, [*path, nxt])

    for code in sorted(everything):
        walk(code, [code])
