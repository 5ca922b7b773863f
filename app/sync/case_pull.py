"""Pulling cases: what a terminal accepts, and the family a newly visible case brings.

A terminal receives the cases of its own store and of the groups its store works
(:mod:`app.sync.central_cases`), with their history, comments and attachments — whoever
wrote them — and the case types and calendars they follow.

Watermarks alone miss one thing: a case that becomes visible (it moved into one of this
store's groups, or the store started working the group) brings history rows written
before, which are below this terminal's watermarks. So when a case of another store
arrives new or changed, its whole family is fetched by the case's id, whatever the
watermarks say (applying is idempotent), together with any type version or calendar of
that store this terminal does not have yet.

A type or calendar of another store is kept only to understand that store's cases: it is
never *current* here (new cases here follow this store's own types).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select, text, tuple_

from app.sync.entities import CASE_DEFINITIONS, CASE_HISTORY, Entity, by_name

# (spec, rows) -> None: apply rows fetched outside the watermark order.
Apply = Callable[[Entity, Sequence[Any]], None]


def load_groups(conn: Connection) -> set[str]:
    """The groups this store works (empty on a centre where it works none)."""
    return set(conn.execute(text("SELECT sync_current_groups()")).scalars())


def cases_here(local: Engine, spec: Entity, rows: Sequence[Any]) -> set[uuid.UUID]:
    """Of the cases these history rows belong to, those this terminal has."""
    if spec.name not in CASE_HISTORY or not rows:
        return set()
    table = by_name()["case"].table
    wanted = {r.case_id for r in rows}
    with local.connect() as conn:
        return set(conn.execute(select(table.c.id).where(table.c.id.in_(wanted))).scalars())


def allowed(spec: Entity, row: Any, *, groups: set[str], cases: set[uuid.UUID]) -> bool:
    """Whether a row of another store is one this terminal may receive."""
    if spec.name == "case":
        return bool(row.assignee_group in groups)
    if spec.name in CASE_HISTORY:
        return bool(row.case_id in cases)
    return spec.name in CASE_DEFINITIONS  # definitions of a store whose cases are here


def localise(spec: Entity, values: list[dict[str, Any]], store_id: str) -> None:
    """Another store's case type is never current here (see the module docstring)."""
    if spec.name == "case_type":
        for v in values:
            if v["store_id"] != store_id:
                v["current"] = False


def news(local: Engine, spec: Entity, rows: Sequence[Any], store_id: str) -> list[Any]:
    """The cases of other stores in ``rows`` that are new here or newer than here."""
    if spec.name != "case" or not rows:
        return []
    foreign = [r for r in rows if r.store_id != store_id]
    if not foreign:
        return []
    table = spec.table
    with local.connect() as conn:
        have = dict(
            conn.execute(
                select(table.c.id, table.c.version).where(table.c.id.in_([r.id for r in foreign]))
            ).all()
        )
    return [r for r in foreign if r.version > have.get(r.id, -1)]


def fetch_family(
    conn: Connection,
    local: Engine,
    cases: Sequence[Any],
    *,
    read: Callable[[Entity], Any],
    apply: Apply,
) -> None:
    """Bring the history of ``cases`` (just applied here) and the definitions they need.

    ``read(spec)`` is the select of a table's readable columns, ``apply`` applies rows.
    """
    if not cases:
        return
    known = by_name()
    types = known["case_type"].table
    wanted_types = {(c.store_id, c.type_code, c.type_version) for c in cases}
    with local.connect() as lc:
        present = set(
            lc.execute(
                select(types.c.store_id, types.c.code, types.c.type_version).where(
                    tuple_(types.c.store_id, types.c.code, types.c.type_version).in_(
                        list(wanted_types)
                    )
                )
            ).all()
        )
    missing = wanted_types - {tuple(p) for p in present}
    if missing:
        rows = conn.execute(
            read(known["case_type"]).where(
                tuple_(types.c.store_id, types.c.code, types.c.type_version).in_(list(missing))
            )
        ).all()
        apply(known["case_type"], rows)
        calendars = known["case_calendar"].table
        names = {
            (r.store_id, _calendar_of(r.definition)) for r in rows if _calendar_of(r.definition)
        }
        if names:
            found = conn.execute(
                read(known["case_calendar"]).where(
                    or_(*(and_(calendars.c.store_id == s, calendars.c.name == n) for s, n in names))
                )
            ).all()
            apply(known["case_calendar"], found)
    ids = [c.id for c in cases]
    for name in ("case_event", "case_comment", "case_attachment"):
        spec = known[name]
        apply(spec, conn.execute(read(spec).where(spec.table.c.case_id.in_(ids))).all())


def _calendar_of(definition: Any) -> str:
    data = json.loads(definition) if isinstance(definition, str) else definition
    sla = data.get("sla") if isinstance(data, dict) else None
    name = sla.get("calendar") if isinstance(sla, dict) else None
    return str(name) if name else ""
