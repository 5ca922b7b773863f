"""One case in full for its detail view: fields, links, history, comments, attachments, and
the steps the user asking may take next. Reads inside the caller's unit of work.

A case worked at several stores has entries by people this terminal does not know (the
back office's staff at the store, the store's at the back office): they are named by
where they worked ("Someone at BO1-T01"). A ``conflict`` entry, written by the sync when
two terminals changed the same part of the case at once, says which value was kept and
which was lost (:func:`conflict_sentence`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.services.case_board import card, sources, type_view
from app.services.case_rows import REF_TABLES, load, load_row
from app.services.case_types import TypeCache
from app.services.case_views import (
    AttachmentView,
    CaseDetail,
    CommentView,
    FieldView,
    HistoryEntry,
    LinkView,
    StepView,
)
from domain.cases.case import Case, Change, EventKind
from domain.cases.definitions import CONTEXT_LINKS, CaseType, Priority, RefKind
from domain.cases.values import display
from domain.money import Money
from domain.users import Role


def detail(
    session: Session, cache: TypeCache, case_id: uuid.UUID, *, role: Role, now: datetime
) -> CaseDetail:
    row, case_type = load_row(session, cache, case_id)
    case = load(row, case_type)
    reopen = case.can_reopen(role)
    opener = session.get(m.User, row.opened_by)
    source = sources(session).get((row.type_code, row.type_version), "")
    return CaseDetail(
        card=card(session, cache, case_id, now),
        type=type_view(case_type, source),
        fields=field_views(case),
        links=links(session, row, case),
        history=history(session, row.id, case_type),
        comments=comments(session, row.id),
        attachments=attachments(session, row.id),
        steps=steps(case, role),
        can_reopen=bool(reopen),
        reopen_reason=reopen.reason,
        opened_by_name=opener.display_name if opener else "",
        response_due_at=row.response_due_at,
        resolution_due_at=row.resolution_due_at,
        responded_at=row.responded_at,
        paused_since=row.paused_since,
        closed_at=row.closed_at,
    )


def history(session: Session, case_id: uuid.UUID, case_type: CaseType) -> tuple[HistoryEntry, ...]:
    rows = session.execute(
        select(m.CaseEventRecord, m.User.display_name)
        .outerjoin(m.User, m.User.id == m.CaseEventRecord.user_id)
        .where(m.CaseEventRecord.case_id == case_id)
        .order_by(m.CaseEventRecord.occurred_at, m.CaseEventRecord.id)
    ).all()
    out = []
    for event, name in rows:
        kind = EventKind(event.kind)
        changes = tuple(Change(c["name"], c["old"], c["new"]) for c in event.changes or [])
        who = name or (_somewhere(event) if event.user_id is not None else "StoreDesk")
        text = (
            conflict_sentence(event.changes or [], event.note, case_type, _people(session))
            if kind is EventKind.CONFLICT
            else _sentence(who, kind, event, changes, case_type)
        )
        out.append(
            HistoryEntry(
                at=event.occurred_at, kind=kind, user_name=who, text=text,
                from_status=event.from_status, to_status=event.to_status, note=event.note,
                changes=changes,
            )
        )  # fmt: skip
    return tuple(out)


def _sentence(
    who: str, kind: EventKind, event: Any, changes: tuple[Change, ...], t: CaseType
) -> str:
    label = t.workflow.label
    fields = {f.name: f.label for f in t.fields} | {"group": "group", "assignee": "assignee"}
    if kind is EventKind.OPENED:
        return f"{who} opened the case ({label(event.to_status)})."
    if kind is EventKind.TRANSITION:
        text = f"{who} moved it from {label(event.from_status)} to {label(event.to_status)}."
        return text + (f" {event.note}" if event.note else "")
    if kind is EventKind.REOPENED:
        return f"{who} reopened it ({label(event.to_status)}): {event.note}"
    if kind is EventKind.ASSIGNED:
        parts = [f"{fields[c.name]} {c.new or 'nobody'}" for c in changes]
        return f"{who} assigned it: {', '.join(parts)}."
    if kind is EventKind.COMMENT:
        return f"{who} commented: {event.note}"
    if kind is EventKind.ATTACHMENT:
        return f"{who} attached {event.note}."
    if kind is EventKind.PRIORITY:
        return f"{who} set the priority to {changes[0].new if changes else '?'}."
    names = ", ".join(fields.get(c.name, c.name) for c in changes)
    return f"{who} changed {names}."


def comments(session: Session, case_id: uuid.UUID) -> tuple[CommentView, ...]:
    rows = session.execute(
        select(m.CaseCommentRecord, m.User.display_name)
        .outerjoin(m.User, m.User.id == m.CaseCommentRecord.user_id)
        .where(m.CaseCommentRecord.case_id == case_id)
        .order_by(m.CaseCommentRecord.occurred_at)
    ).all()
    return tuple(
        CommentView(c.id, c.occurred_at, name or _somewhere(c), c.body) for c, name in rows
    )


def attachments(session: Session, case_id: uuid.UUID) -> tuple[AttachmentView, ...]:
    rows = session.execute(
        select(m.CaseAttachmentRecord, m.User.display_name)
        .outerjoin(m.User, m.User.id == m.CaseAttachmentRecord.user_id)
        .where(m.CaseAttachmentRecord.case_id == case_id)
        .order_by(m.CaseAttachmentRecord.occurred_at)
    ).all()
    return tuple(
        AttachmentView(
            a.id, a.file_name, a.media_type, a.size_bytes, a.occurred_at, name or _somewhere(a)
        )
        for a, name in rows
    )


def _somewhere(row: Any) -> str:
    """Who wrote a row by someone this terminal does not know: where they worked."""
    return f"Someone at {row.store_id}-{row.terminal_id}"


def _people(session: Session) -> Callable[[str], str]:
    def name(user_id: str) -> str:
        try:
            person = session.get(m.User, uuid.UUID(user_id))
        except ValueError:
            person = None
        return person.display_name if person else "someone at another store"

    return name


_PART_NAMES = {
    "status": "status",
    "assignee_group": "group",
    "assignee_user_id": "assignee",
    "priority": "priority",
}


def conflict_sentence(
    changes: list[dict[str, str]], note: str, t: CaseType, person: Callable[[str], str]
) -> str:
    """E.g. "Changed at the same time at S001-T01 and BO1-T01: status kept In review,
    Waiting for customer lost." (values in the words of the case's type)."""
    fields = {f"fields.{f.name}": f.label for f in t.fields}

    def shown(name: str, value: str) -> str:
        if not value:
            return "nothing"
        if name == "status":
            return t.workflow.label(value)
        if name == "priority":
            try:
                return Priority(value).label
            except ValueError:
                return value
        if name == "assignee_user_id":
            return person(value)
        return value

    sides: dict[tuple[str, str], list[str]] = {}
    for c in changes:
        name = c.get("name", "")
        what = _PART_NAMES.get(name) or fields.get(name) or name.replace("_", " ")
        kept, lost = shown(name, c.get("new", "")), shown(name, c.get("old", ""))
        key = (c.get("kept_by", ""), c.get("lost_by", ""))
        if key[0]:
            sides.setdefault(key, []).append(f"{what} kept {kept}, {lost} lost")
        else:
            sides.setdefault(key, []).append(f"{what} {lost} lost")
    sentences = []
    for (kept_by, lost_by), parts in sides.items():
        if kept_by:
            head = f"Changed at the same time at {kept_by} and {lost_by}"
        else:
            head = f"Changes made at {lost_by} could not be applied" + (
                f" ({note.rstrip('.')})" if note else ""
            )
        sentences.append(f"{head}: {'; '.join(parts)}.")
    return " ".join(sentences) or "Changed at the same time at two terminals."


def field_views(case: Case) -> tuple[FieldView, ...]:
    return tuple(
        FieldView(
            f.name, f.label, f.type,
            display(f, case.values[f.name]) if f.name in case.values else "",
            f.required, f.choices, f.to,
        )
        for f in case.type.fields
    )  # fmt: skip


def steps(case: Case, role: Role) -> tuple[StepView, ...]:
    label = case.type.workflow.label
    return tuple(
        StepView(
            target=tr.target, label=tr.label or label(tr.target), status_label=label(tr.target),
            allowed=bool(verdict), reason=verdict.reason, required_fields=tr.required_fields,
            action=tr.action, role_allows=role in tr.roles,
        )
        for tr, verdict in case.next_steps(role)
    )  # fmt: skip


def links(session: Session, row: m.CaseRecord, case: Case) -> tuple[LinkView, ...]:
    """The records the case is linked to, each with a label a person recognises."""
    seen: dict[tuple[RefKind, uuid.UUID], None] = {}
    for kind in CONTEXT_LINKS:
        value = getattr(row, f"{kind.value}_id")
        if value is not None:
            seen[(kind, value)] = None
    for f in case.type.fields:
        value = case.values.get(f.name)
        if f.to is not None and isinstance(value, uuid.UUID):
            seen[(f.to, value)] = None
    if row.ref_kind in {k.value for k in RefKind} and row.ref_id is not None:
        seen[(RefKind(row.ref_kind), row.ref_id)] = None
    return tuple(LinkView(kind, ident, _link_label(session, kind, ident)) for kind, ident in seen)


def _link_label(session: Session, kind: RefKind, ident: uuid.UUID) -> str:
    target = session.get(REF_TABLES[kind], ident)
    if target is None:
        return f"{kind.value} {str(ident)[:8]} (not on this terminal)"
    if isinstance(target, m.Customer):
        name = f"{target.first_name} {target.last_name}".strip() or target.company_name
        return f"{name} ({target.customer_no})"
    if isinstance(target, m.Order):
        return target.receipt_number or target.number
    if isinstance(target, m.Subscription):
        return f"{target.msisdn} ({target.plan_name})"
    if isinstance(target, m.DeviceUnit):
        return f"IMEI {target.imei}"
    if isinstance(target, m.Payment):
        return f"{target.tender} {Money.from_minor(target.amount_minor, target.currency).format()}"
    if isinstance(target, m.ReturnRecord):
        refund = Money.from_minor(target.refund_minor, target.currency).format()
        return f"Return {target.number} ({refund}, {target.status.replace('_', ' ')})"
    if isinstance(target, m.TillSession):
        return f"Till session {target.number} ({target.status})"
    if isinstance(target, m.PortInRequest):
        return f"Port-in of {target.msisdn} from {target.donor_operator} ({target.status})"
    if isinstance(target, m.PaymentIntent):
        amount = Money.from_minor(target.amount_minor, target.currency).format()
        return f"Card payment {target.reference} ({amount}, {target.status})"
    if isinstance(target, m.CaseRecord):
        return f"Case {target.number}: {target.summary}"
    return str(ident)
