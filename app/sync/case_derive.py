"""The derived columns of a merged case row, worked out as the case's own services would.

``is_open``, the due times and ``board_at`` follow from the workflow state and the SLA clock;
after a merge by parts (:mod:`app.sync.case_merge`) they are computed again from the merged
state with the case's type version and calendar as this terminal has them (preferring the
case's own store's), so they always match the status that won.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from app.db.case_records import NOTHING_DUE
from app.db.types import utcnow
from app.sync.entities import by_name
from domain.cases.parsing import CaseTypeError, calendar_from_dict, type_from_dict
from domain.cases.sla import SlaClock

EARLIEST = "responded_at"
# The derived columns for a merged row, or {} when its type is not known here.
Derive = Callable[[dict[str, Any]], dict[str, Any]]


def deriver(local: Engine) -> Derive:
    """Derived columns worked out with the case's type and calendar as this terminal has
    them (preferring the case's own store's); {} if it has not got them."""
    known = by_name()
    types, calendars = known["case_type"].table, known["case_calendar"].table

    def derive(row: dict[str, Any]) -> dict[str, Any]:
        with local.connect() as conn:
            definition = conn.execute(
                select(types.c.definition)
                .where(
                    types.c.code == row["type_code"],
                    types.c.type_version == int(row["type_version"]),
                )
                .order_by((types.c.store_id == row["store_id"]).desc())
            ).scalar()
            if definition is None:
                return {}
            try:
                case_type = type_from_dict(definition)
            except CaseTypeError:
                return {}
            found = conn.execute(
                select(calendars.c.definition)
                .where(calendars.c.name == case_type.sla.calendar)
                .order_by((calendars.c.store_id == row["store_id"]).desc())
            ).scalar()
            conn.rollback()
        if found is None:
            return {}
        try:
            calendar = calendar_from_dict(found)
        except CaseTypeError:
            return {}
        sla = case_type.sla
        clock = SlaClock(
            started_at=_dt(row["sla_started_at"]) or utcnow(),
            first_response=sla.first_response,
            resolution=sla.resolution,
            warn_before=sla.warn_before,
            responded_at=_dt(row.get(EARLIEST)),
            paused_since=_dt(row.get("paused_since")),
            paused=timedelta(seconds=int(row.get("paused_seconds") or 0)),
            stopped_at=_dt(row.get("closed_at")),
        )
        due = clock.due(calendar)
        return {
            "is_open": not case_type.workflow.is_terminal(row["status"]),
            "response_due_at": due.response_due.isoformat(),
            "resolution_due_at": due.resolution_due.isoformat(),
            "due_at": due.due.isoformat() if due.due else None,
            "warn_at": due.warn_at.isoformat() if due.warn_at else None,
            "board_at": (due.due or NOTHING_DUE).isoformat(),
        }

    return derive


def _dt(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
