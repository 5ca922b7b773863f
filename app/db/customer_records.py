"""The tables around a customer: billing accounts, contact media, addresses, identity
documents, consents, a business's contact persons, and the history of edits.

``customers.phone``/``email``/``doc_*`` keep a copy of the primary phone, e-mail and
current document for lists; these tables are the full record. The search index
(``customer_search``, an FTS5 table) is not mapped here: :mod:`app.services.customer_index`
writes it in the same transaction as the rows it describes.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, SyncRow
from app.db.types import UtcDateTime, utcnow


class BillingAccount(SyncRow, Base):
    __tablename__ = "billing_accounts"
    __entity__ = "billing_account"
    __table_args__ = (UniqueConstraint("account_no"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    account_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    pay_later: Mapped[bool] = mapped_column(Boolean, default=False)


class ContactMedium(SyncRow, Base):
    """A phone number (E.164) or an e-mail address of a customer."""

    __tablename__ = "contact_media"
    __entity__ = "contact_medium"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "phone" or "email"
    value: Mapped[str] = mapped_column(String(254))
    label: Mapped[str] = mapped_column(String(32), default="")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class PostalAddress(SyncRow, Base):
    __tablename__ = "addresses"
    __entity__ = "address"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="home")
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))


class IdentityDocument(SyncRow, Base):
    __tablename__ = "identity_documents"
    __entity__ = "identity_document"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(24))
    number: Mapped[str] = mapped_column(String(20))
    issuing_country: Mapped[str] = mapped_column(String(3))
    nationality: Mapped[str] = mapped_column(String(3), default="")
    expiry_date: Mapped[date] = mapped_column(Date)
    birth_date: Mapped[date | None] = mapped_column(Date)
    from_mrz: Mapped[bool] = mapped_column(Boolean, default=False)
    review_status: Mapped[str] = mapped_column(String(16))  # "verified" or "needs_review"
    review_reason: Mapped[str] = mapped_column(String(300), default="")
    verified_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Only set when the settings allow storing document images.
    image_path: Mapped[str | None] = mapped_column(String(500))


class ConsentRecord(SyncRow, Base):
    """One answer to one consent question; the newest row per purpose is in force."""

    __tablename__ = "consents"
    __entity__ = "consent"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool] = mapped_column(Boolean)
    channel: Mapped[str] = mapped_column(String(16), default="store")
    given_by: Mapped[str] = mapped_column(String(16), default="self")
    given_by_name: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ContactPersonRecord(SyncRow, Base):
    """A person a business customer has authorised to act for it."""

    __tablename__ = "contact_persons"
    __entity__ = "contact_person"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(16), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    authorised: Mapped[bool] = mapped_column(Boolean, default=True)


class CustomerChange(SyncRow, Base):
    """One field changed on a customer record: the old and the new value and why."""

    __tablename__ = "customer_changes"
    __entity__ = "customer_change"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str] = mapped_column(String(500), default="")
    new_value: Mapped[str] = mapped_column(String(500), default="")
    reason: Mapped[str] = mapped_column(String(300))
    changed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SimSwap(SyncRow, Base):
    """A SIM swap on an existing number: who checked which document, why, old and new SIM."""

    __tablename__ = "sim_swaps"
    __entity__ = "sim_swap"

    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    old_iccid: Mapped[str] = mapped_column(String(20), default="")
    new_iccid: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_documents.id"))
    checked_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(300))
    fee_order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"))
