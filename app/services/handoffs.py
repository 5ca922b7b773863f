"""Handing work on to the second line: the seam the case system plugs into.

Whatever the counter cannot finish (a port-in, a refund above the threshold, a device to
inspect) is handed on with :func:`hand_on` inside the transaction of the business change
that caused it, so the hand-on exists exactly when the change does. Until the case system
is installed, hand-ons wait in ``handoffs`` with status ``waiting``; the Cases screen and
the customer's 360 list them, and the case system turns each into a case (``case_id``).
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
from domain.ids import new_id
from domain.insights import CaseFact

KINDS = {
    "port_in": "Port-in follow-up",
    "refund": "Refund approval",
    "replacement": "Equipment replacement",
    "kyc_review": "KYC review",
    "cash_variance": "Cash variance",
    "card_check": "Card payment to check",
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


class HandoffCases:
    """The Customer 360's source of open cases until the case system replaces it."""

    available = True

    def open_cases(self, session: Session, customer_id: uuid.UUID) -> list[CaseFact]:
        rows = session.scalars(
            select(m.Handoff)
            .where(m.Handoff.customer_id == customer_id, m.Handoff.status == "waiting")
            .order_by(m.Handoff.occurred_at)
        ).all()
        return [
            CaseFact(
                id=row.id,
                number=f"HO-{str(row.id)[-6:].upper()}",
                title=f"{KINDS[row.kind]}: {row.summary}",
                status="waiting for the second line",
                due_at=None,
            )
            for row in rows
        ]


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
