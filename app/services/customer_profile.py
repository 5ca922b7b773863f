"""The Customer 360: everything the counter needs about one customer, read in one go.

:func:`load_profile` runs a fixed handful of indexed queries (no query per row) and returns
frozen views the screen shows as they are. Document numbers are masked unless the user's
role may see them (:class:`~domain.users.Permission` ``VIEW_DOCUMENT_NUMBERS``).

Open cases come from a :class:`CaseSource`; until the case system exists the profile uses
:class:`NoCases`, and the screen says that cases are not available yet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.errors import NotFound
from app.phones import display_phone
from domain.calendar import add_months
from domain.customers import DOCUMENT_LABELS, CustomerKind, DocumentType, mask_identifier
from domain.insights import (
    CaseFact,
    DocumentFact,
    EventFact,
    Insight,
    PaymentFact,
    SubscriptionFact,
    insights,
)
from domain.money import Money

WARRANTY_MONTHS = 24  # the EU legal guarantee; a catalog value can replace it later
TIMELINE_PAGE = 300  # newest first; the screen asks for more (load_timeline)


class CaseSource(Protocol):
    available: bool

    def open_cases(self, session: Session, customer_id: uuid.UUID) -> list[CaseFact]: ...


class NoCases:
    """The seam for the case system: no cases until it is installed."""

    available = False

    def open_cases(self, session: Session, customer_id: uuid.UUID) -> list[CaseFact]:
        return []


@dataclass(frozen=True)
class DocumentView:
    id: uuid.UUID
    label: str
    number: str  # masked unless the role may see it
    issuing_country: str
    expiry: date
    needs_review: bool
    review_reason: str
    verified_by: str
    verified_at: datetime | None


@dataclass(frozen=True)
class ContactView:
    kind: str
    value: str
    label: str
    primary: bool


@dataclass(frozen=True)
class AddressView:
    kind: str
    text: str


@dataclass(frozen=True)
class ConsentView:
    purpose: str
    granted: bool
    given_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class SubscriptionView:
    id: uuid.UUID
    msisdn: str
    plan_name: str
    addons: tuple[str, ...]
    iccid: str
    commitment_end: date | None
    status: str
    payment_type: str


@dataclass(frozen=True)
class DeviceView:
    imei: str
    model: str
    bought: date | None
    warranty_end: date | None
    order_number: str
    order_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None  # the stock unit (a case about the device links it)


@dataclass(frozen=True)
class OrderView:
    id: uuid.UUID
    number: str
    receipt_number: str
    status: str
    created_at: datetime
    total: str
    invoice_number: str = ""  # the order's invoice, once issued


@dataclass(frozen=True)
class PaymentView:
    id: uuid.UUID
    order_number: str
    tender: str
    status: str
    amount: str
    at: datetime


@dataclass(frozen=True)
class EventView:
    id: uuid.UUID
    occurred_at: datetime
    kind: str
    summary: str
    ref_kind: str
    ref_id: uuid.UUID | None


@dataclass(frozen=True)
class Profile:
    id: uuid.UUID
    customer_no: str
    kind: str
    name: str
    segment: str
    status: str
    birth_date: date | None
    phone: str
    email: str
    documents: tuple[DocumentView, ...]
    contacts: tuple[ContactView, ...]
    addresses: tuple[AddressView, ...]
    consents: tuple[ConsentView, ...]
    contact_persons: tuple[str, ...]
    billing_accounts: tuple[str, ...]  # "BA-S001-T01-000001 (active, pay later allowed)"
    subscriptions: tuple[SubscriptionView, ...]
    devices: tuple[DeviceView, ...]
    orders: tuple[OrderView, ...]
    payments: tuple[PaymentView, ...]
    cases: tuple[CaseFact, ...]
    cases_available: bool
    timeline: tuple[EventView, ...]  # the newest TIMELINE_PAGE entries
    timeline_total: int
    insights: tuple[Insight, ...]


def load_timeline(
    session: Session,
    customer_id: uuid.UUID,
    *,
    kinds: tuple[str, ...] = (),
    before: datetime | None = None,
    limit: int = TIMELINE_PAGE,
) -> list[EventView]:
    """Timeline entries newest first, optionally of some kinds and older than ``before``."""
    query = select(
        m.Interaction.id,
        m.Interaction.occurred_at,
        m.Interaction.kind,
        m.Interaction.summary,
        m.Interaction.ref_kind,
        m.Interaction.ref_id,
    ).where(m.Interaction.customer_id == customer_id)
    if kinds:
        query = query.where(m.Interaction.kind.in_(kinds))
    if before is not None:
        query = query.where(m.Interaction.occurred_at < before)
    rows = session.execute(query.order_by(m.Interaction.occurred_at.desc()).limit(limit))
    return [EventView(*row) for row in rows]


def load_profile(
    session: Session,
    customer_id: uuid.UUID,
    *,
    reveal_documents: bool,
    cases: CaseSource,
    now: datetime | None = None,
) -> Profile:
    now = now or datetime.now(UTC)
    row = session.get(m.Customer, customer_id)
    if row is None:
        raise NotFound("This customer no longer exists.")
    users: dict[uuid.UUID, str] = dict(
        session.execute(select(m.User.id, m.User.display_name)).all()
    )

    docs = session.scalars(
        select(m.IdentityDocument)
        .where(m.IdentityDocument.customer_id == customer_id)
        .order_by(m.IdentityDocument.expiry_date.desc())
    ).all()
    document_views = tuple(
        DocumentView(
            id=d.id,
            label=DOCUMENT_LABELS.get(DocumentType(d.doc_type), d.doc_type)
            if d.doc_type in DocumentType.__members__.values()
            else d.doc_type,
            number=d.number if reveal_documents else mask_identifier(d.number),
            issuing_country=d.issuing_country,
            expiry=d.expiry_date,
            needs_review=d.review_status == "needs_review",
            review_reason=d.review_reason,
            verified_by=users.get(d.verified_by, "") if d.verified_by else "",
            verified_at=d.verified_at,
        )
        for d in docs
    )
    media = session.scalars(
        select(m.ContactMedium)
        .where(m.ContactMedium.customer_id == customer_id)
        .order_by(m.ContactMedium.is_primary.desc(), m.ContactMedium.created_at)
    ).all()
    contacts = tuple(
        ContactView(
            c.kind,
            display_phone(c.value) if c.kind == "phone" else c.value,
            c.label,
            c.is_primary,
        )
        for c in media
    )
    addresses = tuple(
        AddressView(
            a.kind,
            ", ".join(p for p in (a.line1, a.line2, f"{a.postcode} {a.city}", a.country) if p),
        )
        for a in session.scalars(
            select(m.PostalAddress).where(m.PostalAddress.customer_id == customer_id)
        )
    )
    latest: dict[str, m.ConsentRecord] = {}
    for consent in session.scalars(
        select(m.ConsentRecord)
        .where(m.ConsentRecord.customer_id == customer_id)
        .order_by(m.ConsentRecord.recorded_at)
    ):
        latest[consent.purpose] = consent
    consents = tuple(
        ConsentView(
            c.purpose,
            c.granted,
            "customer" if c.given_by == "self" else f"{c.given_by_name} ({c.given_by})",
            c.recorded_at,
        )
        for c in latest.values()
    )
    persons = tuple(
        f"{p.first_name} {p.last_name}" + (f" — {p.role}" if p.role else "")
        for p in session.scalars(
            select(m.ContactPersonRecord).where(m.ContactPersonRecord.customer_id == customer_id)
        )
    )
    accounts = tuple(
        f"{a.account_no} ({a.status}{', pay later allowed' if a.pay_later else ''})"
        for a in session.scalars(
            select(m.BillingAccount)
            .where(m.BillingAccount.customer_id == customer_id)
            .order_by(m.BillingAccount.created_at)
        )
    )
    subs = session.scalars(
        select(m.Subscription)
        .where(m.Subscription.customer_id == customer_id)
        .order_by(m.Subscription.status, m.Subscription.msisdn)
    ).all()
    orders = session.scalars(
        select(m.Order)
        .where(m.Order.customer_id == customer_id)
        .order_by(m.Order.created_at.desc())
    ).all()
    order_numbers = {o.id: o.number for o in orders}
    devices: list[DeviceView] = []
    payments: list[PaymentView] = []
    invoices: dict[uuid.UUID, str] = {}
    if orders:
        ids = list(order_numbers)
        numbered = session.execute(
            select(m.InvoiceRecord.order_id, m.InvoiceRecord.number).where(
                m.InvoiceRecord.order_id.in_(ids), m.InvoiceRecord.kind == "invoice"
            )
        )
        invoices = {row.order_id: row.number for row in numbered}
        bought = session.execute(
            select(m.OrderLine, m.Order.completed_at, m.DeviceUnit.id)
            .join(m.Order, m.Order.id == m.OrderLine.order_id)
            .join(m.Offering, m.Offering.id == m.OrderLine.offering_id)
            .outerjoin(m.DeviceUnit, m.DeviceUnit.imei == m.OrderLine.serial)
            .where(
                m.OrderLine.order_id.in_(ids),
                m.Order.status == "completed",
                m.Offering.serial_kind == "imei",
                m.OrderLine.serial.is_not(None),
            )
        ).all()
        for line, completed, unit_id in bought:
            day = completed.date() if completed else None
            devices.append(
                DeviceView(
                    imei=line.serial or "",
                    model=line.description,
                    bought=day,
                    warranty_end=add_months(day, WARRANTY_MONTHS) if day else None,
                    order_number=order_numbers[line.order_id],
                    order_id=line.order_id,
                    unit_id=unit_id,
                )
            )
        for p in session.scalars(
            select(m.Payment).where(m.Payment.order_id.in_(ids)).order_by(m.Payment.created_at)
        ):
            payments.append(
                PaymentView(
                    p.id,
                    order_numbers[p.order_id],
                    p.tender,
                    p.status,
                    str(Money.from_minor(p.amount_minor, p.currency)),
                    p.created_at,
                )
            )
    timeline = tuple(load_timeline(session, customer_id, limit=TIMELINE_PAGE))
    total = int(
        session.scalar(
            select(func.count())
            .select_from(m.Interaction)
            .where(m.Interaction.customer_id == customer_id)
        )
        or 0
    )
    open_cases = cases.open_cases(session, customer_id)
    found = insights(
        now=now,
        birth_date=row.birth_date,
        events=[EventFact(e.id, e.kind, e.summary, e.occurred_at) for e in timeline[:200]],
        subscriptions=[
            SubscriptionFact(s.id, s.msisdn, s.plan_name, s.status, s.commitment_end) for s in subs
        ],
        payments=[PaymentFact(p.id, p.status, p.amount, p.tender, p.at) for p in payments],
        cases=open_cases,
        documents=[
            DocumentFact(d.id, d.label, d.expiry, d.needs_review) for d in document_views[:1]
        ],
        customer_id=row.id,
    )
    name = (
        row.company_name
        if row.kind == CustomerKind.BUSINESS and row.company_name
        else f"{row.first_name} {row.last_name}".strip()
    )
    return Profile(
        id=row.id,
        customer_no=row.customer_no,
        kind=row.kind,
        name=name,
        segment=row.segment,
        status=row.status,
        birth_date=row.birth_date,
        phone=display_phone(row.phone) if row.phone else "",
        email=row.email or "",
        documents=document_views,
        contacts=contacts,
        addresses=addresses,
        consents=consents,
        contact_persons=persons,
        billing_accounts=accounts,
        subscriptions=tuple(
            SubscriptionView(
                s.id,
                s.msisdn,
                s.plan_name,
                tuple(s.addons or ()),
                s.iccid or "",
                s.commitment_end,
                s.status,
                s.payment_type,
            )
            for s in subs
        ),
        devices=tuple(devices),
        orders=tuple(
            OrderView(
                o.id,
                o.number,
                o.receipt_number or "",
                o.status,
                o.created_at,
                str(Money.from_minor(o.total_minor, o.currency)),
                invoices.get(o.id, ""),
            )
            for o in orders
        ),
        payments=tuple(reversed(payments)),
        cases=tuple(open_cases),
        cases_available=cases.available,
        timeline=timeline,
        timeline_total=total,
        insights=tuple(found),
    )
