"""Handing work on to the second line: the seam the case system plugs into.

Whatever the counter cannot finish (a port-in, a refund above the threshold, a device to
inspect) is handed on with :func:`hand_on` inside the transaction of the business change
that caused it, so the hand-on exists exactly when the change does. :func:`hand_on` opens
the matching case in the same transaction (:mod:`app.services.case_handoffs`; the case's id
is ``case_id``); the hand-on stays ``waiting`` while its case is open and is ``done`` when
the case is finished. A hand-on of a kind no case type is installed for waits without a
case, as before the case system, and is turned into one when the type appears.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.services.case_handoffs import open_for_handoff
from domain.ids import new_id

KINDS = {
    "port_in": "Port-in follow-up",
    "refund": "Refund approval",
    "replacement": "Equipment replacement",
    "kyc_review": "KYC review",
    "cash_variance": "Cash variance",
    "card_check": "Card payment to check",
    "plan_change": "Plan change refused at the counter",
}


def hand_on(
    session: Session,
    *,
    kind: str,
    summary: str,
    user_id: uuid.UUID,
    customer_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    ref_kind: str = "",
    ref_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> m.Handoff:
    """Record work for the second line in the caller's transaction; returns the hand-on."""
    if kind not in KINDS:
        raise ValueError(f"unknown hand-on kind {kind!r}")
    occurred = now or utcnow()
    row = m.Handoff(
        id=new_id(),
        kind=kind,
        summary=summary[:500],
        customer_id=customer_id,
        order_id=order_id,
        ref_kind=ref_kind,
        ref_id=ref_id,
        details=details or {},
        status="waiting",
        user_id=user_id,
        occurred_at=occurred,
        case_id=new_id(),  # the case opened for it below (waiting while the case is open)
    )
    session.add(row)
    if customer_id is not None:
        session.add(
            m.Interaction(
                customer_id=customer_id,
                kind="handoff",
                summary=f"Handed on to the second line: {summary}"[:500],
                occurred_at=occurred,
                user_id=user_id,
                ref_kind="handoff",
                ref_id=row.id,
            )
        )
    if open_for_handoff(session, row) is None:
        row.case_id = None  # no case type for this kind: the hand-on waits as before
    return row


@dataclass(frozen=True)
class HandoffView:
    id: uuid.UUID
    kind: str
    title: str
    summary: str
    customer_id: uuid.UUID | None
    order_id: uuid.UUID | None
    status: str
    occurred_at: datetime


class HandoffService:
    """What is waiting for the second line (read side of the seam)."""

    def __init__(self, uow: Callable[..., UnitOfWork]) -> None:
        self._uow = uow

    def waiting(self, *, limit: int = 500) -> list[HandoffView]:
        with self._uow(read_only=True) as uow:
            rows = uow.session.scalars(
                select(m.Handoff)
                .where(m.Handoff.status == "waiting")
                .order_by(m.Handoff.occurred_at)
                .limit(limit)
            ).all()
            return [_view(row) for row in rows]


def _view(row: m.Handoff) -> HandoffView:
    return HandoffView(
        id=row.id,
        kind=row.kind,
        title=KINDS.get(row.kind, row.kind),
        summary=row.summary,
        customer_id=row.customer_id,
        order_id=row.order_id,
        status=row.status,
        occurred_at=row.occurred_at,
    )
