"""Shared by the insight tests: a fixed moment, fixed ids, and running the rules on facts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from domain.insights import (
    CaseFact,
    DocumentFact,
    EventFact,
    Insight,
    PaymentFact,
    SubscriptionFact,
    insights,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
SOURCE = uuid.UUID("00000000-0000-4000-8000-000000000001")
CUSTOMER = uuid.UUID("00000000-0000-4000-8000-0000000000c0")
µs = timedelta(microseconds=1)


def run(
    *,
    now: datetime = NOW,
    birth_date: date | None = None,
    events: list[EventFact] | None = None,
    subscriptions: list[SubscriptionFact] | None = None,
    payments: list[PaymentFact] | None = None,
    cases: list[CaseFact] | None = None,
    documents: list[DocumentFact] | None = None,
    customer_id: uuid.UUID | None = CUSTOMER,
) -> list[Insight]:
    return insights(
        now=now,
        birth_date=birth_date,
        events=events or [],
        subscriptions=subscriptions or [],
        payments=payments or [],
        cases=cases or [],
        documents=documents or [],
        customer_id=customer_id,
    )
