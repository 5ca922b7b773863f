"""Finding customers as the consultant types, and reading one customer's profile."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select

from app.db.models import Customer, Interaction, Subscription
from app.db.uow import UnitOfWork
from app.errors import NotFound
from domain.text import search_key

MAX_RESULTS = 50


@dataclass(frozen=True)
class CustomerSummary:
    id: uuid.UUID
    customer_no: str
    name: str
    phone: str
    birth_date: date | None
    matched_on: str  # "name", "phone", "customer number", "document", "SIM"


@dataclass(frozen=True)
class SubscriptionView:
    msisdn: str
    plan_name: str
    iccid: str
    status: str


@dataclass(frozen=True)
class InteractionView:
    occurred_at: datetime
    kind: str
    summary: str


@dataclass(frozen=True)
class CustomerProfile:
    summary: CustomerSummary
    email: str
    subscriptions: tuple[SubscriptionView, ...]
    timeline: tuple[InteractionView, ...]


def display_name(row: Customer) -> str:
    if row.kind == "business" and row.company_name:
        return row.company_name
    return f"{row.first_name} {row.last_name}".strip()


class CustomerService:
    def __init__(self, uow: Callable[..., UnitOfWork]) -> None:
        self._uow = uow

    def search(self, text: str, *, limit: int = 20) -> list[CustomerSummary]:
        """Results for what was typed so far: digits look up numbers, letters look up names.

        Every branch is an indexed equality or prefix range, so it stays fast on a
        store-sized (and a million-customer) database.
        """
        query = text.strip()
        limit = max(1, min(limit, MAX_RESULTS))
        if len(query) < 2:
            return []
        digits = query.lstrip("+").replace(" ", "")
        with self._uow() as uow:
            session = uow.session
            found: dict[uuid.UUID, CustomerSummary] = {}

            def add(stmt: Select[Customer], matched_on: str) -> None:
                for row in session.scalars(stmt.limit(limit)):
                    found.setdefault(row.id, _summary(row, matched_on))

            upper = query.upper()
            add(select(Customer).where(Customer.customer_no == upper), "customer number")
            add(select(Customer).where(Customer.doc_number == upper), "document")
            if digits.isdigit():
                add(select(Customer).where(Customer.phone == f"+{digits}"), "phone")
                by_sub = (
                    select(Customer)
                    .join(Subscription)
                    .where((Subscription.msisdn == f"+{digits}") | (Subscription.iccid == digits))
                )
                add(by_sub, "SIM or number")
            else:
                key = search_key(query)
                add(
                    select(Customer)
                    .where(Customer.search_name >= key, Customer.search_name < key + "\uffff")
                    .order_by(Customer.search_name),
                    "name",
                )
            return list(found.values())[:limit]

    def profile(self, customer_id: uuid.UUID) -> CustomerProfile:
        with self._uow() as uow:
            row = uow.session.get(Customer, customer_id)
            if row is None:
                raise NotFound("This customer no longer exists.")
            subs = uow.session.scalars(
                select(Subscription).where(Subscription.customer_id == customer_id)
            )
            events = uow.session.scalars(
                select(Interaction)
                .where(Interaction.customer_id == customer_id)
                .order_by(Interaction.occurred_at.desc())
                .limit(50)
            )
            return CustomerProfile(
                summary=_summary(row, ""),
                email=row.email or "",
                subscriptions=tuple(
                    SubscriptionView(s.msisdn, s.plan_name, s.iccid or "", s.status) for s in subs
                ),
                timeline=tuple(InteractionView(e.occurred_at, e.kind, e.summary) for e in events),
            )


def _summary(row: Customer, matched_on: str) -> CustomerSummary:
    return CustomerSummary(
        id=row.id,
        customer_no=row.customer_no,
        name=display_name(row),
        phone=row.phone or "",
        birth_date=row.birth_date,
        matched_on=matched_on,
    )
