"""Between a ``cases`` row and the domain :class:`~domain.cases.case.Case`, in a session.

:func:`open_case` writes a new case (number from the store and terminal's ``CASE``
series, the opening event, the customer's timeline entry); :func:`load` and :func:`save`
carry an existing case to the domain and back, writing the events it recorded as its
history. Both run inside the caller's transaction (a service's unit of work, or the
transaction of a sale or a till close for a hand-on) and never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db.case_records import NOTHING_DUE
from app.db.counters import next_number
from app.errors import NotFound
from app.services.case_types import TypeCache, type_version
from app.services.case_views import CaseLinks
from domain.cases.calendar import BusinessCalendar
from domain.cases.case import Case, CaseEvent, EventKind
from domain.cases.definitions import CONTEXT_LINKS, CaseType, FieldType, Priority, RefKind
from domain.cases.sla import SlaClock
from domain.cases.values import from_json, to_json
from domain.errors import ValidationError

# The table each reference kind points into.
REF_TABLES: dict[RefKind, type[Any]] = {
    RefKind.CUSTOMER: m.Customer,
    RefKind.ORDER: m.Order,
    RefKind.SUBSCRIPTION: m.Subscription,
    RefKind.DEVICE: m.DeviceUnit,
    RefKind.PAYMENT: m.Payment,
    RefKind.RETURN: m.ReturnRecord,
    RefKind.TILL_SESSION: m.TillSession,
    RefKind.PORT_IN_REQUEST: m.PortInRequest,
    RefKind.PAYMENT_INTENT: m.PaymentIntent,
    RefKind.CASE: m.CaseRecord,
}
TIMELINE_EVENTS = (EventKind.OPENED, EventKind.TRANSITION, EventKind.REOPENED)


def open_case(
    session: Session,
    *,
    case_type: CaseType,
    calendar: BusinessCalendar,
    values: Mapping[str, object],
    links: CaseLinks,
    summary: str,
    user_id: uuid.UUID,
    store_id: str,
    terminal_id: str,
    now: datetime,
    priority: Priority | None = None,
    group: str = "",
    assignee_id: uuid.UUID | None = None,
    ref_kind: str = "",
    ref_id: uuid.UUID | None = None,
    require_fields: bool = True,
    on_timeline: bool = True,
    case_id: uuid.UUID | None = None,
) -> m.CaseRecord:
    """Write a new case in its type's initial status; returns the flushed row."""
    summary = " ".join(summary.split())
    if not summary:
        raise ValidationError("Say in one line what the case is about.", field="summary")
    if len(summary) > 500:
        raise ValidationError("Keep the summary under 500 characters.", field="summary")
    raw = dict(values)
    link_ids = {kind: links.get(kind) for kind in CONTEXT_LINKS}
    prefill = dict(link_ids)
    if ref_id is not None and ref_kind in {k.value for k in RefKind}:
        prefill[RefKind(ref_kind)] = prefill.get(RefKind(ref_kind)) or ref_id
    for kind, link in prefill.items():
        f = case_type.reference_field(kind)
        if f is not None and link is not None and raw.get(f.name) in (None, ""):
            raw[f.name] = link
    case = Case.open(
        case_type,
        values=raw,
        user_id=user_id,
        at=now,
        priority=priority,
        group=group,
        require_fields=require_fields,
    )
    row = m.CaseRecord(
        id=case_id or None,
        number=next_number(session, kind="CASE", store_id=store_id, terminal_id=terminal_id),
        type_code=case_type.code,
        type_version=case_type.version,
        summary=summary,
        ref_kind=ref_kind[:24],
        ref_id=ref_id,
        opened_by=user_id,
        opened_at=now,
        assignee_user_id=assignee_id,
        reopen_count=0,
        **{f"{kind.value}_id": link_ids.get(kind) for kind in CONTEXT_LINKS},
    )
    check_links(session, row)
    save(session, row, case, calendar, on_timeline=on_timeline)
    return row


def load_row(
    session: Session, cache: TypeCache, case_id: uuid.UUID
) -> tuple[m.CaseRecord, CaseType]:
    """The case's row and the version of its type it follows."""
    row = session.get(m.CaseRecord, case_id)
    if row is None:
        raise NotFound("This case no longer exists.")
    case_type = type_version(session, row.type_code, row.type_version, cache)
    if case_type is None:
        raise NotFound(
            f"Case {row.number} is of type {row.type_code} version {row.type_version}, "
            "which is not installed on this terminal."
        )
    return row, case_type


def load(row: m.CaseRecord, case_type: CaseType) -> Case:
    return Case(
        type=case_type,
        status=row.status,
        values=from_json(case_type, row.fields or {}),
        priority=Priority(row.priority),
        sla=SlaClock(
            started_at=row.sla_started_at,
            first_response=case_type.sla.first_response,
            resolution=case_type.sla.resolution,
            warn_before=case_type.sla.warn_before,
            responded_at=row.responded_at,
            paused_since=row.paused_since,
            paused=timedelta(seconds=row.paused_seconds),
            stopped_at=row.closed_at,
        ),
        assignee_group=row.assignee_group,
        assignee_user=row.assignee_user_id,
        opened_by=row.opened_by,
    )


def save(
    session: Session,
    row: m.CaseRecord,
    case: Case,
    calendar: BusinessCalendar,
    *,
    on_timeline: bool = True,
) -> list[CaseEvent]:
    """Copy the case's state onto the row and write its new events; returns them."""
    was_open = row.is_open
    check_references(session, case, stored=row.fields or {})
    row.status = case.status
    row.is_open = not case.is_finished
    row.priority = case.priority.value
    row.priority_rank = case.priority.rank
    row.assignee_group = case.assignee_group
    row.assignee_user_id = case.assignee_user
    row.fields = to_json(case.values)
    for kind in CONTEXT_LINKS:
        f = case.type.reference_field(kind)
        value = case.values.get(f.name) if f is not None else None
        if isinstance(value, uuid.UUID):
            setattr(row, f"{kind.value}_id", value)
    clock = case.sla
    row.sla_started_at = clock.started_at
    row.responded_at = clock.responded_at
    row.paused_since = clock.paused_since
    row.paused_seconds = int(clock.paused.total_seconds())
    row.closed_at = clock.stopped_at
    due = clock.due(calendar)
    row.response_due_at = due.response_due
    row.resolution_due_at = due.resolution_due
    row.due_at = due.due
    row.warn_at = due.warn_at
    row.board_at = due.due or NOTHING_DUE
    if row not in session:
        session.add(row)
    session.flush()  # the events and the timeline refer to the row's id
    events, case.events = list(case.events), []
    for event in events:
        session.add(
            m.CaseEventRecord(
                case_id=row.id,
                kind=event.kind.value,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                changes=[{"name": c.name, "old": c.old, "new": c.new} for c in event.changes],
                user_id=event.user_id,
                occurred_at=event.at,
            )
        )
        if on_timeline and event.kind in TIMELINE_EVENTS and _customer_here(session, row):
            session.add(
                m.Interaction(
                    customer_id=row.customer_id,
                    kind="case",
                    summary=timeline_text(row, case.type, event)[:500],
                    occurred_at=event.at,
                    user_id=event.user_id,
                    ref_kind="case",
                    ref_id=row.id,
                )
            )
    if was_open is not None and was_open != row.is_open:
        # A hand-on waits for the second line exactly as long as its case is open.
        for handoff in session.scalars(select(m.Handoff).where(m.Handoff.case_id == row.id)):
            handoff.status = "waiting" if row.is_open else "done"
    return events


def timeline_text(row: m.CaseRecord, case_type: CaseType, event: CaseEvent) -> str:
    label = case_type.workflow.label
    what = f"{case_type.title} case {row.number}"
    if event.kind is EventKind.OPENED:
        return f"{what} opened: {row.summary}"
    if event.kind is EventKind.REOPENED:
        return f"{what} reopened: {event.note}"
    return f"{what}: {label(event.from_status)} → {label(event.to_status)}" + (
        f" ({event.note})" if event.note else ""
    )


def check_links(session: Session, row: m.CaseRecord) -> None:
    for kind in CONTEXT_LINKS:
        value = getattr(row, f"{kind.value}_id")
        if value is not None and session.get(REF_TABLES[kind], value) is None:
            raise NotFound(f"No {kind.value.replace('_', ' ')} has the id {value}.")


def _customer_here(session: Session, row: m.CaseRecord) -> bool:
    """The case's customer is on this terminal (a case of another store worked here, at
    the back office, usually has its customer at its own store only)."""
    return row.customer_id is not None and session.get(m.Customer, row.customer_id) is not None


def check_references(
    session: Session, case: Case, *, stored: Mapping[str, object] | None = None
) -> None:
    """Every reference value names a record that exists (a case: of the right type).

    Values as ``stored`` on the row were checked where they were set (perhaps at another
    store, whose records this terminal does not have): only new values are checked here.
    """
    kept = stored or {}
    for f in case.type.fields:
        value = case.values.get(f.name)
        if f.type is not FieldType.REFERENCE or f.to is None or not isinstance(value, uuid.UUID):
            continue
        if str(kept.get(f.name, "")) == str(value):
            continue
        target = session.get(REF_TABLES[f.to], value)
        if target is None:
            raise ValidationError(
                f"{f.label}: no {f.to.value.replace('_', ' ')} has the id {value}.", field=f.name
            )
        if f.case_type and isinstance(target, m.CaseRecord) and target.type_code != f.case_type:
            raise ValidationError(
                f"{f.label}: case {target.number} is a {target.type_code} case, not {f.case_type}.",
                field=f.name,
            )
