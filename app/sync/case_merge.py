"""A case row pushed to the centre: merged by parts, and a conflict is shown on the case.

A case is worked at the counter of the store that opened it and at the back office, often
by both while one of them is offline. Higher-version-wins would silently drop one side's
work, so the case row merges like a customer record — each change carries the local time
of its outbox row, the later change wins — but by **parts**, the columns that only make
sense together:

- the workflow state: status, type version, SLA clock start, pause, close, reopen count;
- the assignment: group and person;
- the priority;
- each of the type's field values (``fields`` is merged key by key);
- every other column on its own (summary, links).

A part only one side changed is taken from that side, so different parts changed at each
side both survive. A part both sides changed (the incoming side had not seen the centre's
value) is a **conflict**: the later change wins, the losing values go to
``sync_conflicts``, and a history entry of kind ``conflict`` is written on the case
naming both sides and both values, so it reaches both terminals and is read in the case's
history (``app.services.case_detail``). The first response is the earliest either side
gave (it never goes back). Columns derived from the state (open or not, due times, board
order, priority rank) are worked out again from the merged state with the case's type
and calendar, so they always match the status that won.

A case of another store that this store no longer sees (it left this store's groups
meanwhile) cannot be changed by it: its changes are recorded as lost, with a conflict
entry on the case, instead of stopping the push.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from app.db.types import UtcDateTime
from app.sync.case_conflicts import (
    WORKFLOW,
    Changes,
    Loss,
    conflict_entry,
    not_here,
    record,
)
from app.sync.case_derive import EARLIEST, Derive
from app.sync.entities import Entity, by_name
from domain.cases.definitions import Priority

PARTS = (WORKFLOW, ("assignee_group", "assignee_user_id"), ("priority",))
DERIVED = (
    "is_open",
    "priority_rank",
    "response_due_at",
    "resolution_due_at",
    "due_at",
    "warn_at",
    "board_at",
)
FIELDS = "fields"
_KEY = FIELDS + "."
_HOUSEKEEPING = ("id", "version", "updated_at", "created_at", "store_id", "terminal_id")


@dataclass
class Merged:
    row: dict[str, Any]
    clock: dict[str, str]
    writer: dict[str, str]
    losses: list[Loss]


def resolve(central: dict[str, Any], changes: Changes, *, writer: str, derive: Derive) -> Merged:
    """Merge one incoming case row into the centre's (both as JSON-like dicts)."""
    row, before, clock = changes
    spec = by_name()["case"]
    theirs, ours = _flat(_utc(spec, central)), _flat(_utc(spec, row))
    seen = _flat({**_utc(spec, row), **_utc(spec, before)})
    when = _clock(row, before, clock)
    central_clock: dict[str, str] = dict(central.get("field_clock") or {})
    central_writer: dict[str, str] = dict(central.get("field_writer") or {})
    merged = {**ours, **theirs, "id": row["id"]}
    for key in set(ours) | set(theirs):
        if key.startswith(_KEY):
            merged[key] = theirs.get(key)
    losses: list[Loss] = []
    workflow_ours = False
    for part in _parts(ours, theirs):
        changed = [c for c in part if c in when]
        if not changed:
            continue
        mine, other = _values(ours, part), _values(theirs, part)
        our_at = max(when[c] for c in changed)
        stamps = [central_clock[c] for c in part if c in central_clock]
        their_at = max(stamps, key=_at) if stamps else None
        their_by = next((central_writer[c] for c in part if c in central_writer), "")
        if mine == other:
            for c in changed:
                central_clock[c] = our_at if their_at is None else max(our_at, their_at, key=_at)
            continue
        if their_at is None or _at(our_at) >= _at(their_at):
            for c in part:
                merged[c] = ours.get(c)
                central_clock[c] = our_at
                central_writer[c] = writer
            workflow_ours = workflow_ours or part is WORKFLOW
            if _values(seen, part) != other:  # the centre's value was never seen there
                losses.append(Loss(part, mine, other, writer, their_by, our_at, their_at))
        else:
            losses.append(Loss(part, other, mine, their_by, writer, their_at, our_at))
    given = [v for v in (ours.get(EARLIEST), theirs.get(EARLIEST)) if v]
    merged[EARLIEST] = min(given, key=_at) if given else None
    for column in DERIVED:
        merged[column] = (ours if workflow_ours else theirs).get(column)
    out = _fold(merged)
    out["priority_rank"] = Priority(out["priority"]).rank
    out.update(derive(out))
    return Merged(out, central_clock, central_writer, losses)


def merge_cases(
    conn: Connection,
    spec: Entity,
    incoming: Iterable[Changes],
    *,
    store_id: str,
    terminal_id: str,
    derive: Derive,
) -> int:
    """Write the pushed case rows at the centre; returns how many parts were lost."""
    batch = list(incoming)
    table = spec.table.name
    cols = ", ".join(spec.columns)
    existing = {
        str(r.id): dict(r.j)
        for r in conn.execute(
            text(
                f"SELECT id, row_to_json(t)::jsonb AS j FROM {table} t "
                "WHERE id = ANY(CAST(:ids AS uuid[])) FOR UPDATE"
            ),
            {"ids": [str(uuid.UUID(str(c[0]["id"]))) for c in batch]},
        )
    }
    writer = f"{store_id}-{terminal_id}"
    lost = 0
    for changes in batch:
        row, _, clock = changes
        central = existing.get(str(uuid.UUID(str(row["id"]))))
        if central is None and row["store_id"] != store_id:
            lost += not_here(conn, changes, store_id=store_id, terminal_id=terminal_id)
            continue
        if central is None:
            conn.execute(
                text(
                    f"INSERT INTO {table} ({cols}, field_clock, field_writer) SELECT {cols}, "
                    "CAST(:clock AS jsonb), CAST(:writer AS jsonb) FROM "
                    f"json_populate_record(NULL::{table}, CAST(:row AS json)) "
                    "ON CONFLICT (id) DO NOTHING"
                ),
                {
                    "row": json.dumps(row),
                    "clock": json.dumps(clock),
                    "writer": json.dumps(dict.fromkeys(clock, writer)),
                },
            )
            continue
        merged = resolve(central, changes, writer=writer, derive=derive)
        for loss in merged.losses:  # kept under the store that met the conflict
            record(conn, row["id"], store_id, terminal_id, loss)
        conflict_entry(conn, row["id"], merged.losses, store_id, terminal_id)
        lost += len(merged.losses)
        same = all(
            _same(merged.row.get(c), central.get(c)) and _same(merged.row.get(c), row.get(c))
            for c in spec.columns
            if c not in ("version", "updated_at")
        )
        if same and merged.clock == central.get("field_clock"):
            continue
        merged.row["version"] = max(int(central["version"]), int(row["version"])) + 1
        sets = ", ".join(f"{c} = r.{c}" for c in spec.columns if c not in ("id", "store_id"))
        conn.execute(
            text(
                f"UPDATE {table} t SET {sets}, field_clock = CAST(:clock AS jsonb), "
                "field_writer = CAST(:writer AS jsonb) "
                f"FROM json_populate_record(NULL::{table}, CAST(:row AS json)) r "
                "WHERE t.id = r.id"
            ),
            {
                "row": json.dumps(merged.row),
                "clock": json.dumps(merged.clock),
                "writer": json.dumps(merged.writer),
            },
        )
    return lost


# -- helpers -----------------------------------------------------------------------------------


def _parts(ours: dict[str, Any], theirs: dict[str, Any]) -> list[tuple[str, ...]]:
    grouped = {c for part in PARTS for c in part} | set(DERIVED) | set(_HOUSEKEEPING)
    grouped |= {EARLIEST, FIELDS}
    singles = sorted({c for c in (*ours, *theirs) if c not in grouped})
    return [*PARTS, *((c,) for c in singles if c in ours)]


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """``fields`` as one key per field value (``fields.resolution`` …)."""
    out = {k: v for k, v in row.items() if k != FIELDS}
    values = row.get(FIELDS) or {}
    if isinstance(values, str):
        values = json.loads(values)
    out.update({_KEY + k: v for k, v in values.items()})
    return out


def _fold(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if not k.startswith(_KEY)}
    out[FIELDS] = {
        k[len(_KEY) :]: v for k, v in row.items() if k.startswith(_KEY) and v is not None
    }
    return out


def _clock(row: dict[str, Any], before: dict[str, Any], clock: dict[str, str]) -> dict[str, str]:
    """When each part-column changed, with ``fields`` spread over the keys that changed."""
    out = {c: at for c, at in clock.items() if c != FIELDS}
    if FIELDS in clock:
        now, then = _flat({FIELDS: row.get(FIELDS)}), _flat({FIELDS: before.get(FIELDS)})
        for key in set(now) | set(then):
            if now.get(key) != then.get(key):
                out[key] = clock[FIELDS]
    return out


def _utc(spec: Entity, row: dict[str, Any]) -> dict[str, Any]:
    """Times as UTC ISO text, whatever time zone the centre's session shows them in."""
    out = dict(row)
    for column in spec.table.columns:
        if isinstance(column.type, UtcDateTime) and out.get(column.name):
            out[column.name] = _at(out[column.name]).astimezone(UTC).isoformat()
    return out


def _values(row: dict[str, Any], part: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(row.get(c) for c in part)


def _same(a: Any, b: Any) -> bool:
    """Equal, counting two spellings of one instant as equal."""
    if isinstance(a, str) and isinstance(b, str) and a != b:
        try:
            return _at(a) == _at(b)
        except ValueError:
            return False
    return bool(a == b)


def _at(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
