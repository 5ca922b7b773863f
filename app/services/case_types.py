"""Installed case types and calendars: seeding the shipped ones, importing new ones.

The definitions StoreDesk ships are in ``resources/case_types/*.json``. They are installed
into ``case_types`` / ``case_calendars`` on first use (:func:`ensure_seeded`, idempotent,
in the caller's transaction), so a hand-on inside a sale finds them however new the
database is. :func:`install` takes a checked definition document (``storedesk cases
import-types FILE``) all or nothing:

- a new code is added; the same code and version with the same definition is left alone;
- a higher version becomes the current one if every open case of that type stays valid
  under it (its status exists and is still open, its values still fit); the open cases
  move to the new version, finished cases keep the version they were finished under;
- anything else (a changed definition under the same version, an older version, an open
  case the new version cannot carry) is a problem, and nothing is changed.

Everything here runs inside the caller's unit of work and never commits.

Types and calendars belong to a store (``store_id``; the session's ``info`` names this
terminal's store). Their row ids are derived from store, code and version (calendars: store
and name), so every terminal of a store installs the same rows and sync merges them instead
of refusing a second copy. A terminal also holds the types and calendars of other stores
whose cases it works (pulled with them, never current here); "installed" and "current"
below always mean this store's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import resources
from app.db import models as m
from domain.cases.calendar import BusinessCalendar
from domain.cases.definitions import CaseType, CaseTypeSet
from domain.cases.parsing import (
    FORMAT,
    CaseTypeError,
    calendar_from_dict,
    calendar_to_dict,
    parse_definitions,
    parse_json,
    type_from_dict,
    type_to_dict,
)
from domain.cases.values import invalid_values

SHIPPED_DIR = Path(resources.__file__).resolve().parent / "case_types"
SHIPPED = "shipped"
# The transition actions the application carries out (see app.services.case_actions).
ACTIONS = frozenset({"refund"})
MAX_CASES_SHOWN = 5
_IDS = uuid.UUID("6f1d3c2a-5b7e-4f0a-9c8d-2e4b6a8c0d1f")  # namespace of the derived ids


@dataclass(frozen=True)
class ImportSummary:
    added: tuple[str, ...] = ()
    upgraded: tuple[tuple[str, int, int], ...] = ()  # code, old version, new version
    unchanged: tuple[str, ...] = ()
    calendars: tuple[str, ...] = ()  # added or changed
    moved_cases: int = 0  # open cases moved to a new version

    @property
    def changed(self) -> bool:
        return bool(self.added or self.upgraded or self.calendars)


class TypeCache:
    """Parsed definitions by (code, version); a stored version never changes, so the
    cache never goes stale. One per service: not shared between threads' writers."""

    def __init__(self) -> None:
        self._types: dict[tuple[str, int], CaseType] = {}

    def has(self, code: str, version: int) -> bool:
        return (code, version) in self._types

    def parsed(self, code: str, version: int) -> CaseType:
        return self._types[(code, version)]

    def get(self, row: m.CaseTypeRecord) -> CaseType:
        key = (row.code, row.type_version)
        found = self._types.get(key)
        if found is None:
            found = self._types[key] = type_from_dict(row.definition, where=f"type {row.code}")
        return found


@cache
def shipped_document() -> dict[str, Any]:
    """All shipped files as one definition document (read once; do not change it)."""
    calendars: list[Any] = []
    types: list[Any] = []
    for path in sorted(SHIPPED_DIR.glob("*.json")):
        data = parse_json(path.read_text(encoding="utf-8"))
        calendars.extend(data.get("calendars", []))
        types.extend(data.get("types", []))
    return {"format": FORMAT, "calendars": calendars, "types": types}


def ensure_seeded(session: Session) -> ImportSummary | None:
    """Install the shipped calendars and types that are missing or newer; None if nothing
    was to do. A shipped version an installed newer one replaces is left alone, and so is
    a shipped upgrade some open case cannot take (it is logged by the caller's caller)."""
    installed = {
        (code, version)
        for code, version in session.execute(
            select(m.CaseTypeRecord.code, m.CaseTypeRecord.type_version).where(
                m.CaseTypeRecord.current
            )
        )
    }
    names = set(session.scalars(_own_calendars(session, m.CaseCalendarRecord.name)))
    doc = shipped_document()
    newest = _current_versions(session)
    missing_types = [
        t
        for t in doc["types"]
        if (t["code"], t["version"]) not in installed and t["version"] > newest.get(t["code"], 0)
    ]
    missing_calendars = [c for c in doc["calendars"] if c["name"] not in names]
    if not missing_types and not missing_calendars:
        return None
    parsed = parse_definitions(
        {"format": FORMAT, "calendars": missing_calendars, "types": missing_types},
        actions=ACTIONS,
        known_types=current_types(session),
        known_calendars=names,
    )
    return install(session, parsed, source=SHIPPED)


def install(session: Session, parsed: CaseTypeSet, *, source: str) -> ImportSummary:
    """Install a checked document all or nothing (see the module docstring)."""
    problems: list[str] = []
    rows = {
        row.code: row
        for row in session.scalars(select(m.CaseTypeRecord).where(m.CaseTypeRecord.current))
    }
    plan_add: list[CaseType] = []
    plan_upgrade: list[tuple[m.CaseTypeRecord, CaseType]] = []
    unchanged: list[str] = []
    for t in parsed.types:
        row = rows.get(t.code)
        if row is None:
            plan_add.append(t)
        elif t.version == row.type_version:
            if type_to_dict(t) == row.definition:
                unchanged.append(t.code)
            else:
                problems.append(
                    f"types ({t.code}): version {t.version} is installed with a different "
                    f'definition; give the changed definition "version": {t.version + 1}'
                )
        elif t.version < row.type_version:
            problems.append(
                f"types ({t.code}): version {t.version} is older than the installed "
                f"version {row.type_version}"
            )
        else:
            problems.extend(_open_case_problems(session, t))
            plan_upgrade.append((row, t))
    calendars = {row.name: row for row in session.scalars(_own_calendars(session))}
    changed_calendars: list[BusinessCalendar] = [
        cal
        for cal in parsed.calendars
        if cal.name not in calendars or calendars[cal.name].definition != calendar_to_dict(cal)
    ]
    if problems:
        raise CaseTypeError(problems)
    for cal in changed_calendars:
        existing = calendars.get(cal.name)
        if existing is None:
            session.add(
                m.CaseCalendarRecord(
                    id=_derived_id(session, "calendar", cal.name),
                    name=cal.name,
                    definition=calendar_to_dict(cal),
                )
            )
        else:
            existing.definition = calendar_to_dict(cal)
    for t in plan_add:
        session.add(_row(session, t, source))
    moved = 0
    for row, t in plan_upgrade:
        row.current = False
        session.add(_row(session, t, source))
        moved += _move_open_cases(session, t, row.store_id)
    session.flush()
    return ImportSummary(
        added=tuple(t.code for t in plan_add),
        upgraded=tuple((row.code, row.type_version, t.version) for row, t in plan_upgrade),
        unchanged=tuple(unchanged),
        calendars=tuple(c.name for c in changed_calendars),
        moved_cases=moved,
    )


def import_text(session: Session, text: str, *, source: str) -> ImportSummary:
    """Check and install a definition file's text; :class:`CaseTypeError` if it cannot be."""
    parsed = check_text(session, text)
    return install(session, parsed, source=source)


def check_text(session: Session, text: str) -> CaseTypeSet:
    """The file checked against what is installed (calendars and types it may refer to)."""
    return parse_definitions(
        parse_json(text),
        actions=ACTIONS,
        known_types=current_types(session),
        known_calendars=set(session.scalars(_own_calendars(session, m.CaseCalendarRecord.name))),
    )


def current_types(session: Session, cache: TypeCache | None = None) -> dict[str, CaseType]:
    rows = session.scalars(
        select(m.CaseTypeRecord).where(m.CaseTypeRecord.current).order_by(m.CaseTypeRecord.title)
    )
    get = cache.get if cache is not None else _parse_row
    return {row.code: get(row) for row in rows}


def type_version(
    session: Session, code: str, version: int, cache: TypeCache | None = None
) -> CaseType | None:
    row = session.scalars(
        select(m.CaseTypeRecord).where(
            m.CaseTypeRecord.code == code, m.CaseTypeRecord.type_version == version
        )
    ).first()
    if row is None:
        return None
    return cache.get(row) if cache is not None else _parse_row(row)


def calendars(session: Session) -> dict[str, BusinessCalendar]:
    return {
        row.name: calendar_from_dict(row.definition, where=f"calendar {row.name}")
        for row in session.scalars(_own_calendars(session))
    }


def calendar(session: Session, name: str, *, store_id: str | None = None) -> BusinessCalendar:
    """The calendar ``name`` of ``store_id`` (a case's own store), else of this store, else
    of any store this terminal has it from."""
    wanted = store_id or session.info.get("store_id") or ""
    row = session.scalars(
        select(m.CaseCalendarRecord)
        .where(m.CaseCalendarRecord.name == name)
        .order_by((m.CaseCalendarRecord.store_id == wanted).desc())
    ).first()
    if row is None:
        raise CaseTypeError([f'the calendar "{name}" is not installed'])
    return calendar_from_dict(row.definition, where=f"calendar {name}")


def _current_versions(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(m.CaseTypeRecord.code, m.CaseTypeRecord.type_version).where(m.CaseTypeRecord.current)
    )
    return {str(code): int(version) for code, version in rows.all()}


def _parse_row(row: m.CaseTypeRecord) -> CaseType:
    return type_from_dict(row.definition, where=f"type {row.code}")


def _own_calendars(session: Session, *what: Any) -> Any:
    """A select of this store's calendars (all of them where the store is not known)."""
    query = select(*(what or (m.CaseCalendarRecord,)))
    own = session.info.get("store_id")
    return query if own is None else query.where(m.CaseCalendarRecord.store_id == own)


def _derived_id(session: Session, kind: str, *key: object) -> uuid.UUID | None:
    own = session.info.get("store_id")
    if own is None:
        return None  # a session of no store (a tool): a fresh id as for any row
    return uuid.uuid5(_IDS, "/".join(str(k) for k in (kind, own, *key)))


def _row(session: Session, t: CaseType, source: str) -> m.CaseTypeRecord:
    return m.CaseTypeRecord(
        id=_derived_id(session, "type", t.code, t.version),
        code=t.code,
        type_version=t.version,
        title=t.title,
        current=True,
        source=source[:200],
        definition=type_to_dict(t),
    )


def _open_cases(session: Session, code: str, store_id: str | None) -> Iterable[m.CaseRecord]:
    """Open cases of ``code`` of ``store_id`` (another store's cases follow its own types)."""
    query = select(m.CaseRecord).where(m.CaseRecord.type_code == code, m.CaseRecord.is_open)
    if store_id is not None:
        query = query.where(m.CaseRecord.store_id == store_id)
    return session.scalars(query.order_by(m.CaseRecord.number))


def _open_case_problems(session: Session, t: CaseType) -> list[str]:
    """Why open cases of ``t.code`` could not follow the new version ``t``."""
    problems: list[str] = []
    bad = 0
    for case in _open_cases(session, t.code, session.info.get("store_id")):
        status = t.workflow.status(case.status)
        why: list[str] = []
        if status is None:
            why.append(f'its status "{case.status}" no longer exists')
        elif status.terminal:
            why.append(f'its status "{case.status}" would be terminal')
        why.extend(invalid_values(t, case.fields))
        if why:
            bad += 1
            if bad <= MAX_CASES_SHOWN:
                problems.append(
                    f"types ({t.code}): version {t.version} does not fit open case "
                    f"{case.number}: {'; '.join(why)}"
                )
    if bad > MAX_CASES_SHOWN:
        problems.append(
            f"types ({t.code}): and {bad - MAX_CASES_SHOWN} more open cases it does not fit"
        )
    return problems


def _move_open_cases(session: Session, t: CaseType, store_id: str | None) -> int:
    # Row by row through the ORM, not one UPDATE: each case gets its new version and its
    # outbox row, so the centre learns of the move like of any other change.
    moved = 0
    for case in _open_cases(session, t.code, store_id):
        case.type_version = t.version
        moved += 1
    return moved
