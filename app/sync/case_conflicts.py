"""Conflicts of a case merge: kept in ``sync_conflicts`` and shown on the case.

Each lost part is a ``sync_conflicts`` row (under the store whose push met it) and, for
what a person recognises (status, group, assignee, priority, field values, summary …), a
change of one ``case_events`` row of kind ``conflict`` written at the centre: it names the
value kept and the value lost and who made each ("S001-T01"), reaches every terminal that
has the case, and is read as a sentence by :func:`app.services.case_detail.conflict_sentence`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from app.db.types import utcnow
from app.sync.entities import by_name
from domain.cases.case import EventKind
from domain.ids import new_id

# A case row's workflow part: the status and what moves with it (case_merge.PARTS).
WORKFLOW = (
    "status",
    "type_version",
    "sla_started_at",
    "paused_since",
    "paused_seconds",
    "closed_at",
    "reopen_count",
)
# What a conflict entry names; the other columns of the workflow part follow its status.
SHOWN = ("status", "assignee_group", "assignee_user_id", "priority")
HIDDEN = tuple(column for column in WORKFLOW if column not in SHOWN)
# (row, each changed column's value before the batch, when each column changed)
Changes = tuple[dict[str, Any], dict[str, Any], dict[str, str]]


@dataclass(frozen=True)
class Loss:
    part: tuple[str, ...]
    kept: tuple[Any, ...]
    lost: tuple[Any, ...]
    kept_by: str
    lost_by: str
    kept_at: str | None
    lost_at: str | None


def record(conn: Connection, case_id: str, store: str, terminal: str, loss: Loss) -> None:
    def value(values: tuple[Any, ...]) -> Any:
        return values[0] if len(loss.part) == 1 else dict(zip(loss.part, values, strict=True))

    conn.execute(
        text(
            "INSERT INTO sync_conflicts (entity, entity_id, store_id, terminal_id, field, "
            "kept_value, lost_value, kept_changed_at, lost_changed_at) "
            "VALUES ('case', :i, :s, :t, :f, CAST(:k AS jsonb), CAST(:l AS jsonb), :ka, :la)"
        ),
        {
            "i": case_id,
            "s": store,
            "t": terminal,
            "f": loss.part[0],
            "k": json.dumps(value(loss.kept)),
            "l": json.dumps(value(loss.lost)),
            "ka": loss.kept_at,
            "la": loss.lost_at,
        },
    )


def conflict_entry(
    conn: Connection,
    case_id: str,
    losses: list[Loss],
    store_id: str,
    terminal_id: str,
    *,
    note: str = "",
) -> None:
    """The history entry that shows the conflict on the case (kind ``conflict``)."""
    shown = []
    for loss in losses:
        for column, kept, lost in zip(loss.part, loss.kept, loss.lost, strict=True):
            if column not in HIDDEN and kept != lost:
                shown.append(
                    {
                        "name": column,
                        "old": _text(lost),
                        "new": _text(kept),
                        "kept_by": loss.kept_by,
                        "lost_by": loss.lost_by,
                    }
                )
    if not shown:
        return
    now = utcnow().isoformat()
    event = {
        "id": str(new_id()),
        "store_id": store_id,
        "terminal_id": terminal_id,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "case_id": case_id,
        "kind": EventKind.CONFLICT.value,
        "from_status": "",
        "to_status": "",
        "note": note,
        "changes": shown,
        "user_id": None,
        "occurred_at": now,
    }
    cols = ", ".join(by_name()["case_event"].columns)
    conn.execute(
        text(
            f"INSERT INTO case_events ({cols}) SELECT {cols} FROM "
            "json_populate_record(NULL::case_events, CAST(:row AS json))"
        ),
        {"row": json.dumps(event)},
    )


def not_here(conn: Connection, changes: Changes, *, store_id: str, terminal_id: str) -> int:
    """Another store's case this store no longer sees: its changes are lost, visibly."""
    row, _, clock = changes
    writer = f"{store_id}-{terminal_id}"
    losses = [
        Loss((column,), (None,), (row.get(column),), "", writer, None, clock[column])
        for column in SHOWN
        if column in clock
    ]
    if not losses:  # a comment's side effects only (first response): nothing to show
        stale = Loss(("version",), (None,), (row.get("version"),), "", writer, None, None)
        record(conn, row["id"], store_id, terminal_id, stale)
        return 1
    for loss in losses:
        record(conn, row["id"], store_id, terminal_id, loss)
    conflict_entry(
        conn, row["id"], losses, store_id, terminal_id,
        note=f"The case had left the queues {store_id} works.",
    )  # fmt: skip
    return len(losses)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)
