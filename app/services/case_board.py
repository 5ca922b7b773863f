"""Reading cases: the board and list (one indexed query), a case's detail, a customer's.

SLA states are worked out here, at query time, from the stored due times
(:func:`domain.cases.sla.sla_state`); filtering by SLA state is the same comparison in SQL.
Everything here reads inside the caller's (read-only) unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db.case_records import NOTHING_DUE
from app.errors import NotFound
from app.services.case_types import TypeCache
from app.services.case_views import (
    BoardColumn,
    CaseBoard,
    CaseCard,
    CaseFilter,
    CaseTypeView,
    FieldSpec,
    StatusSpec,
)
from domain.cases.definitions import CaseType, Priority
from domain.cases.sla import SlaState, sla_state
from domain.insights import CaseFact

C = m.CaseRecord
Types = dict[tuple[str, int], CaseType]


def all_types(session: Session, cache: TypeCache) -> Types:
    """Every installed version, parsed once per process by the cache (a stored version
    never changes, so only versions not seen yet are read whole)."""
    keys = session.execute(select(m.CaseTypeRecord.code, m.CaseTypeRecord.type_version)).all()
    if any(not cache.has(code, version) for code, version in keys):
        for row in session.scalars(select(m.CaseTypeRecord)):
            cache.get(row)
    return {(code, version): cache.parsed(code, version) for code, version in keys}


def sources(session: Session) -> dict[tuple[str, int], str]:
    rows = session.execute(
        select(m.CaseTypeRecord.code, m.CaseTypeRecord.type_version, m.CaseTypeRecord.source)
    )
    return {(code, version): source for code, version, source in rows}


def type_view(t: CaseType, source: str = "") -> CaseTypeView:
    return CaseTypeView(
        code=t.code, version=t.version, title=t.title, department=t.department,
        description=t.description, default_priority=t.default_priority,
        default_group=t.default_group, calendar=t.sla.calendar,
        first_response=t.sla.first_response, resolution=t.sla.resolution,
        fields=tuple(
            FieldSpec(f.name, f.label, f.type, f.required, f.choices, f.to, f.max_length, f.help)
            for f in t.fields
        ),
        statuses=tuple(
            StatusSpec(s.name, s.label, s.pauses_sla, s.terminal, s.resolved)
            for s in t.workflow.statuses
        ),
        source=source,
    )  # fmt: skip


# -- the board -------------------------------------------------------------------------------


def board_conditions(flt: CaseFilter, *, user_id: uuid.UUID, now: datetime) -> list[Any]:
    where: list[Any] = []
    if not flt.include_closed:
        where.append(C.is_open.is_(True))
    if flt.types:
        where.append(C.type_code.in_(flt.types))
    if flt.statuses:
        where.append(C.status.in_(flt.statuses))
    if flt.priorities:
        where.append(C.priority.in_([p.value for p in flt.priorities]))
    if flt.store_id:
        where.append(C.store_id == flt.store_id)
    if flt.group:
        where.append(C.assignee_group == flt.group)
    if flt.mine:
        where.append(C.assignee_user_id == user_id)
    elif flt.assignee_id is not None:
        where.append(C.assignee_user_id == flt.assignee_id)
    elif flt.unassigned:
        where.append(C.assignee_user_id.is_(None))
    if flt.customer_id is not None:
        where.append(C.customer_id == flt.customer_id)
    text = flt.text.strip()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        where.append(or_(C.number.ilike(like, escape="\\"), C.summary.ilike(like, escape="\\")))
    if flt.sla:
        where.append(or_(*(_sla_condition(state, now) for state in flt.sla)))
    return where


def _sla_condition(state: SlaState, now: datetime) -> ColumnElement[bool]:
    # On an open case board_at is due_at, or NOTHING_DUE when nothing is due (paused), so
    # every state is a range on columns of the board's indexes.
    if state is SlaState.STOPPED:
        return C.is_open.is_(False)
    if state is SlaState.PAUSED:
        return and_(C.is_open.is_(True), C.board_at >= NOTHING_DUE)
    if state is SlaState.BREACHED:
        return and_(C.is_open.is_(True), C.board_at <= now)
    if state is SlaState.NEAR:
        return and_(C.is_open.is_(True), C.board_at > now, C.warn_at <= now)
    if state is SlaState.OK:
        return and_(
            C.is_open.is_(True),
            C.board_at > now,
            C.board_at < NOTHING_DUE,
            or_(C.warn_at.is_(None), C.warn_at > now),
        )
    return false()


def board_query(where: Sequence[Any], limit: int) -> Select[*tuple[Any, ...]]:
    return (
        select(
            C.id, C.number, C.type_code, C.type_version, C.summary, C.status, C.is_open,
            C.priority, C.store_id, C.customer_id, C.assignee_group, C.assignee_user_id,
            C.opened_at, C.due_at, C.warn_at, C.version,
            m.Customer.first_name, m.Customer.last_name, m.Customer.company_name,
            m.User.display_name,
        )
        .select_from(C)
        .outerjoin(m.Customer, m.Customer.id == C.customer_id)
        .outerjoin(m.User, m.User.id == C.assignee_user_id)
        .where(*where)
        # Due first, paused (nothing due) after them, finished last; the board index's order.
        .order_by(C.is_open.desc(), C.board_at, C.priority_rank, C.opened_at)
        .limit(limit)
    )  # fmt: skip


def board(
    session: Session, cache: TypeCache, flt: CaseFilter, *, user_id: uuid.UUID, now: datetime
) -> CaseBoard:
    types = all_types(session, cache)
    where = board_conditions(flt, user_id=user_id, now=now)
    limit = max(1, min(flt.limit, 2000))
    conn = session.connection()  # plain rows: nothing here needs the ORM's identity map
    labels = _labels(types)
    cards = tuple(_card(row, labels, now) for row in conn.execute(board_query(where, limit)))
    counts = conn.execute(
        select(C.type_code, C.type_version, C.status, func.count())
        .where(*where)
        .group_by(C.type_code, C.type_version, C.status)
    ).all()
    return CaseBoard(cards, sum(n for *_, n in counts), _columns(counts, types), now)


Labels = dict[tuple[str, int], tuple[str, dict[str, str]]]


def _labels(types: Types) -> Labels:
    """(code, version) → (title, status → label), looked up once per card."""
    return {
        key: (t.title, {s.name: s.label for s in t.workflow.statuses}) for key, t in types.items()
    }


def _columns(counts: Sequence[Any], types: Types) -> tuple[BoardColumn, ...]:
    """One column per status, in workflow order (the initial status first, finished last)."""
    merged: dict[str, list[Any]] = {}  # status → [position, label, count, label weight]
    for code, version, status, n in counts:
        t = types.get((code, version))
        names = t.workflow.status_names if t else ()
        position = names.index(status) if status in names else len(names)
        if t is not None and t.workflow.is_terminal(status):
            position += 100
        label = t.workflow.label(status) if t else status
        entry = merged.setdefault(status, [position, label, 0, 0])
        entry[0] = min(entry[0], position)
        entry[2] += n
        if n > entry[3]:
            entry[1], entry[3] = label, n
    ordered = sorted(merged.items(), key=lambda kv: (kv[1][0], kv[0]))
    return tuple(BoardColumn(status, e[1], e[2]) for status, e in ordered)


def _card(row: Any, labels: Labels, now: datetime) -> CaseCard:
    (
        case_id, number, code, version, summary, status, is_open, priority, store_id,
        customer_id, group, assignee_id, opened_at, due_at, warn_at, row_version, first,
        last, company, assignee,
    ) = row  # fmt: skip
    title, statuses = labels.get((code, version), (code, {}))
    return CaseCard(
        id=case_id, number=number, type_code=code, type_title=title, summary=summary,
        status=status, status_label=statuses.get(status, status), is_open=is_open,
        priority=Priority(priority), store_id=store_id, customer_id=customer_id,
        customer_name=_name(first, last, company), assignee_group=group,
        assignee_id=assignee_id, assignee_name=assignee or "", opened_at=opened_at,
        due_at=due_at,
        sla=sla_state(now, due=due_at, warn_at=warn_at, paused=due_at is None,
                      stopped=not is_open),
        version=row_version,
    )  # fmt: skip


def _name(first: str | None, last: str | None, company: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (company or "")


def card(session: Session, cache: TypeCache, case_id: uuid.UUID, now: datetime) -> CaseCard:
    row = session.connection().execute(board_query([C.id == case_id], 1)).first()
    if row is None:
        raise NotFound("This case no longer exists.")
    return _card(row, _labels(all_types(session, cache)), now)


# -- a customer's open cases (Customer 360) --------------------------------------------------


class CaseFacts:
    """The Customer 360's source of open cases: real cases, plus any hand-on still waiting
    without one (written before the case system was installed)."""

    available = True

    def __init__(self) -> None:
        self._cache = TypeCache()

    def open_cases(self, session: Session, customer_id: uuid.UUID) -> list[CaseFact]:
        types = all_types(session, self._cache)
        rows = session.scalars(
            select(C)
            .where(C.customer_id == customer_id, C.is_open.is_(True))
            .order_by(C.board_at, C.opened_at)
        ).all()
        facts = []
        for row in rows:
            t = types.get((row.type_code, row.type_version))
            facts.append(
                CaseFact(
                    id=row.id,
                    number=row.number,
                    title=f"{t.title if t else row.type_code}: {row.summary}",
                    status=t.workflow.label(row.status) if t else row.status,
                    due_at=row.due_at,
                )
            )
        from app.services.handoffs import KINDS

        for handoff in session.scalars(
            select(m.Handoff)
            .where(
                m.Handoff.customer_id == customer_id,
                m.Handoff.status == "waiting",
                m.Handoff.case_id.is_(None),
            )
            .order_by(m.Handoff.occurred_at)
        ):
            facts.append(
                CaseFact(
                    id=handoff.id,
                    number=f"HO-{str(handoff.id)[-6:].upper()}",
                    title=f"{KINDS.get(handoff.kind, handoff.kind)}: {handoff.summary}",
                    status="waiting for the second line",
                    due_at=None,
                )
            )
        return facts
