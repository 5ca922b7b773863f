"""What another store's work on a case changes here, once the sync has pulled it.

A case opened at this counter and worked at the back office comes back with the back
office's history rows (:mod:`app.sync.case_pull`). Locally written changes put an entry on
the customer's timeline and settle the hand-on in the same transaction
(:func:`app.services.case_rows.save`); for changes written elsewhere this does the same
after the pull: one timeline entry per opening, step or reopening whose customer is on this
terminal (once, however often the rows are pulled again), and the hand-on waits exactly as
long as its case is open.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.services.case_board import all_types
from app.services.case_rows import TIMELINE_EVENTS, timeline_text
from app.services.case_types import TypeCache
from domain.cases.case import CaseEvent, EventKind


def record_remote_events(session: Session, cache: TypeCache, event_ids: Iterable[uuid.UUID]) -> int:
    """Timeline entries and hand-on states for history rows written at another store, in
    the caller's transaction; returns the number of timeline entries added."""
    events = session.scalars(
        select(m.CaseEventRecord)
        .where(m.CaseEventRecord.id.in_(list(event_ids)))
        .order_by(m.CaseEventRecord.occurred_at)
    ).all()
    if not events:
        return 0
    types = all_types(session, cache)
    added = 0
    cases: dict[uuid.UUID, m.CaseRecord] = {}
    for record in events:
        row = cases.get(record.case_id) or session.get(m.CaseRecord, record.case_id)
        if row is None:
            continue
        cases[row.id] = row
        kind = EventKind(record.kind)
        case_type = types.get((row.type_code, row.type_version))
        if (
            kind not in TIMELINE_EVENTS
            or case_type is None
            or row.customer_id is None
            or session.get(m.Customer, row.customer_id) is None
            or _on_timeline(session, row, record)
        ):
            continue
        event = CaseEvent(
            kind, record.occurred_at, record.user_id, record.from_status, record.to_status,
            record.note,
        )  # fmt: skip
        session.add(
            m.Interaction(
                customer_id=row.customer_id,
                kind="case",
                summary=timeline_text(row, case_type, event)[:500],
                occurred_at=record.occurred_at,
                user_id=None,  # someone at another store: not a user of this terminal
                ref_kind="case",
                ref_id=row.id,
            )
        )
        added += 1
    for row in cases.values():
        status = "waiting" if row.is_open else "done"
        for handoff in session.scalars(select(m.Handoff).where(m.Handoff.case_id == row.id)):
            if handoff.status != status:
                handoff.status = status
    return added


def _on_timeline(session: Session, row: m.CaseRecord, record: m.CaseEventRecord) -> bool:
    found = session.scalar(
        select(m.Interaction.id).where(
            m.Interaction.kind == "case",
            m.Interaction.ref_kind == "case",
            m.Interaction.ref_id == row.id,
            m.Interaction.occurred_at == record.occurred_at,
        )
    )
    return found is not None
