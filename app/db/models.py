"""The mapped tables. Money is integer minor units; VAT rates are basis points (2000 = 20 %).

Business tables inherit :class:`~app.db.base.SyncRow`. ``outbox`` and ``counters`` are
terminal-local bookkeeping and are not themselves synced as business rows.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, SyncRow
from app.db.types import UtcDateTime, utcnow
from domain.money import Money


class User(SyncRow, Base):
    __tablename__ = "users"
    __entity__ = "user"
    __table_args__ = (UniqueConstraint("store_id", "username"),)

    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    pin_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Offering(SyncRow, Base):
    """A catalog offering. ``spec`` holds the whole offering in the catalog file format
    (:mod:`app.catalog_format`); the other columns are copies used for lookups and lists.
    """

    __tablename__ = "offerings"
    __entity__ = "offering"
    __table_args__ = (UniqueConstraint("store_id", "sku"),)

    sku: Mapped[str] = mapped_column(String(64))
    barcode: Mapped[str | None] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    family: Mapped[str] = mapped_column(String(64), default="")
    currency: Mapped[str] = mapped_column(String(3))
    lifecycle: Mapped[str] = mapped_column(String(16), default="launched")
    serial_kind: Mapped[str | None] = mapped_column(String(8))  # "iccid", "imei" or None
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the catalog file
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)


class Promotion(SyncRow, Base):
    """A promotion, kept whole in the catalog file format in ``spec``."""

    __tablename__ = "promotions"
    __entity__ = "promotion"
    __table_args__ = (UniqueConstraint("store_id", "code"),)

    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    lifecycle: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)


class CatalogPolicies(SyncRow, Base):
    """The catalog-wide rules (minimum age, line limit, manual discount limits): one row."""

    __tablename__ = "catalog_policies"
    __entity__ = "catalog_policies"

    currency: Mapped[str] = mapped_column(String(3))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)


class DeviceUnit(SyncRow, Base):
    """One phone or tablet in the store's stock, known by its IMEI."""

    __tablename__ = "device_units"
    __entity__ = "device_unit"
    __table_args__ = (UniqueConstraint("imei"),)

    imei: Mapped[str] = mapped_column(String(15))
    offering_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offerings.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="in_stock")


class PhoneNumber(SyncRow, Base):
    """A number (MSISDN, E.164) from a block the centre assigned to this store."""

    __tablename__ = "phone_numbers"
    __entity__ = "phone_number"
    __table_args__ = (UniqueConstraint("msisdn"), Index("ix_phone_numbers_status", "status"))

    msisdn: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="available")
    tier: Mapped[str] = mapped_column(String(16), default="standard")
    reserved_order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reserved_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Customer(SyncRow, Base):
    __tablename__ = "customers"
    __entity__ = "customer"
    __table_args__ = (
        UniqueConstraint("customer_no"),
        Index("ix_customers_search_name", "search_name"),
        Index("ix_customers_phone", "phone"),
        Index("ix_customers_document", "doc_number"),
    )

    customer_no: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default="individual")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    company_name: Mapped[str] = mapped_column(String(200), default="")
    # Lower-cased, accent-free "last first" used for prefix search on an index.
    search_name: Mapped[str] = mapped_column(String(220))
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(16))  # E.164 digits with "+"
    email: Mapped[str | None] = mapped_column(String(254))
    doc_type: Mapped[str | None] = mapped_column(String(16))
    doc_number: Mapped[str | None] = mapped_column(String(32))
    doc_country: Mapped[str | None] = mapped_column(String(3))
    doc_expiry: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    segment: Mapped[str] = mapped_column(String(16), default="consumer")
    nationality: Mapped[str] = mapped_column(String(3), default="")
    company_reg_no: Mapped[str] = mapped_column(String(32), default="")

    subscriptions: Mapped[list[Subscription]] = relationship(back_populates="customer")


class Subscription(SyncRow, Base):
    __tablename__ = "subscriptions"
    __entity__ = "subscription"
    __table_args__ = (Index("ix_subscriptions_msisdn", "msisdn"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    msisdn: Mapped[str] = mapped_column(String(16))
    plan_offering_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offerings.id"))
    plan_name: Mapped[str] = mapped_column(String(200))
    iccid: Mapped[str | None] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    billing_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("billing_accounts.id"), index=True
    )
    payment_type: Mapped[str] = mapped_column(String(8), default="postpaid")
    addons: Mapped[list[str]] = mapped_column(JSON, default=list)
    commitment_end: Mapped[date | None] = mapped_column(Date)
    # "requested" until the network confirms ("active") or refuses ("failed").
    activation_status: Mapped[str] = mapped_column(String(16), default="active")

    customer: Mapped[Customer] = relationship(back_populates="subscriptions")


class Interaction(SyncRow, Base):
    """One entry of a customer's timeline: a visit, a sale, a payment, a note."""

    __tablename__ = "interactions"
    __entity__ = "interaction"
    __table_args__ = (Index("ix_interactions_customer_at", "customer_id", "occurred_at"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(500))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The record this entry is about (an order, a payment, a subscription, a change …).
    ref_kind: Mapped[str] = mapped_column(String(16), default="")
    ref_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class SimCard(SyncRow, Base):
    __tablename__ = "sim_cards"
    __entity__ = "sim_card"
    __table_args__ = (UniqueConstraint("iccid"),)

    iccid: Mapped[str] = mapped_column(String(20))
    imsi: Mapped[str | None] = mapped_column(String(15))
    offering_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offerings.id"))
    status: Mapped[str] = mapped_column(String(16), default="in_stock")


class Order(SyncRow, Base):
    __tablename__ = "orders"
    __entity__ = "order"
    __table_args__ = (UniqueConstraint("number"),)

    number: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    monthly_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # The consultant confirmed the customer's own phone takes an eSIM.
    esim_device_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    receipt_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Set while a draft basket is put aside (hold) so the consultant can serve someone else.
    held_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.position", cascade="all, delete-orphan"
    )


class OrderLine(SyncRow, Base):
    __tablename__ = "order_lines"
    __entity__ = "order_line"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    offering_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offerings.id"))
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    monthly_fee_minor: Mapped[int | None] = mapped_column(BigInteger)
    serial: Mapped[str | None] = mapped_column(String(20))
    # A plan line's number (reserved while in the basket), or the number a fee is for.
    msisdn: Mapped[str | None] = mapped_column(String(16))
    # A plan line that brings the customer's number from another operator: donor, number,
    # porting code, requested date (see app.services.port_in).
    port_in: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What the consultant chose, read by the pricing engine on every change:
    commitment: Mapped[int] = mapped_column(Integer, default=0)
    instalments: Mapped[int] = mapped_column(Integer, default=0)
    chosen_upfront_minor: Mapped[int | None] = mapped_column(BigInteger)
    chosen_amount_minor: Mapped[int | None] = mapped_column(BigInteger)  # free top-ups
    manual_discount: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What the engine made of it: discounts with reasons, and the split of the price.
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    financed_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    instalment_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    monthly_discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discounts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    order: Mapped[Order] = relationship(back_populates="lines")

    def unit_price(self, currency: str) -> Money:
        return Money.from_minor(self.unit_price_minor, currency)

    def total(self, currency: str) -> Money:
        """Due now for this line: list amount less discounts and the financed part."""
        gross = self.unit_price_minor * self.quantity
        return Money.from_minor(gross - self.discount_minor - self.financed_minor, currency)

    def monthly_fee(self, currency: str) -> Money | None:
        fee = self.monthly_fee_minor
        return None if fee is None else Money.from_minor(fee, currency)


class OrderEvent(SyncRow, Base):
    """Who moved an order to which status, and when (append-only)."""

    __tablename__ = "order_events"
    __entity__ = "order_event"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Payment(SyncRow, Base):
    """A tender applied to an order. Immutable once written; corrections are new rows."""

    __tablename__ = "payments"
    __entity__ = "payment"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    tender: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    given_minor: Mapped[int | None] = mapped_column(BigInteger)
    change_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # The till session whose drawer took or paid the money (cash; card for the totals).
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("till_sessions.id"), index=True)
    # A card payment: the intent the terminal approved; its slip data (no full PAN).
    intent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payment_intents.id"))
    details: Mapped[dict[str, str] | None] = mapped_column(JSON)


class Approval(SyncRow, Base):
    """A manager's approval given on someone else's screen, with the reason."""

    __tablename__ = "approvals"
    __entity__ = "approval"

    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), default="")
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    approved_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))


from app.db.customer_records import (  # noqa: E402, I001 - they refer to the tables above
    BillingAccount as BillingAccount,
    ConsentRecord as ConsentRecord,
    ContactMedium as ContactMedium,
    ContactPersonRecord as ContactPersonRecord,
    CustomerChange as CustomerChange,
    IdentityDocument as IdentityDocument,
    PostalAddress as PostalAddress,
    SimSwap as SimSwap,
)
from app.db.sale_records import (  # noqa: E402 - they refer to the tables above
    Handoff as Handoff,
    PortInRequest as PortInRequest,
    ReturnLine as ReturnLine,
    ReturnRecord as ReturnRecord,
    StockLevel as StockLevel,
    StockMove as StockMove,
    StockTransfer as StockTransfer,
    SubscriptionChange as SubscriptionChange,
)
from app.db.print_records import PrintJobRecord as PrintJobRecord  # noqa: E402
from app.db.payment_records import (  # noqa: E402 - they refer to the tables above
    PaymentIntent as PaymentIntent,
    TillMovement as TillMovement,
    TillSession as TillSession,
)
from app.db.invoice_records import InvoiceRecord as InvoiceRecord  # noqa: E402
from app.db.case_records import (  # noqa: E402 - they refer to the tables above
    CaseAttachmentRecord as CaseAttachmentRecord,
    CaseCalendarRecord as CaseCalendarRecord,
    CaseCommentRecord as CaseCommentRecord,
    CaseEventRecord as CaseEventRecord,
    CaseRecord as CaseRecord,
    CaseTypeRecord as CaseTypeRecord,
)
from app.db.sync_records import SyncRun as SyncRun, SyncWatermark as SyncWatermark  # noqa: E402


class Counter(Base):
    """Gap-free local number series (order numbers, receipt numbers) per store/terminal."""

    __tablename__ = "counters"

    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger, default=1)


class OutboxRow(Base):
    """A business change waiting to be pushed to the centre, written in the same transaction."""

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    operation: Mapped[str] = mapped_column(String(8))  # upsert, delete; pulled (a baseline)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
