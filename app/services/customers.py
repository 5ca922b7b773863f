"""Customers for the counter: search as you type, the 360 profile, notes, visits and edits.

Search lives in :mod:`app.services.customer_search`, the profile in
:mod:`app.services.customer_profile`, onboarding in :mod:`app.services.onboarding`; this
service is the one door the UI uses for all of them except onboarding.

Edits (:meth:`CustomerService.change_contact`) need a reason; the old and new values go to
``customer_changes`` and to the timeline, in the same transaction as the change and the
search index update.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db.uow import UnitOfWork
from app.errors import NotFound
from app.phones import display_phone, normalise_phone
from app.services import customer_index
from app.services.auth import UserInfo
from app.services.customer_profile import (
    TIMELINE_PAGE,
    CaseSource,
    EventView,
    NoCases,
    Profile,
    load_profile,
    load_timeline,
)
from app.services.customer_search import CustomerSearch
from domain.customers import Address, validate_address, validate_email
from domain.errors import ValidationError
from domain.users import Permission

MAX_RESULTS = 50
MAX_NOTE = 500
VISIT_QUIET = timedelta(minutes=30)
CONTACT_FIELDS = {"phone": "Phone", "email": "E-mail", "address": "Address"}


@dataclass(frozen=True)
class CustomerSummary:
    id: uuid.UUID
    customer_no: str
    name: str
    phone: str  # E.164; the screen formats it (app.phones.display_phone)
    birth_date: date | None
    status: str
    matched_on: str  # "name", "phone number", "customer number", "SIM (ICCID)", …
    exact: bool  # a whole identifier matched: a scan of it can open the customer at once


def display_name(row: m.Customer) -> str:
    if row.kind == "business" and row.company_name:
        return row.company_name
    return f"{row.first_name} {row.last_name}".strip()


class CustomerService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        region: str = "DE",
        cases: CaseSource | None = None,
    ) -> None:
        self._uow = uow
        self._region = region
        self._search = CustomerSearch(region=region)
        self._cases: CaseSource = cases or NoCases()

    def search(self, text: str, *, limit: int = 20) -> list[CustomerSummary]:
        """Ranked results for what was typed so far; never raises for any typed text."""
        limit = max(1, min(limit, MAX_RESULTS))
        with self._uow(read_only=True) as uow:
            hits = self._search.search(uow.session.connection(), text, limit=limit)
        return [
            CustomerSummary(
                id=h.customer_id,
                customer_no=h.customer_no,
                name=h.name,
                phone=h.phone,
                birth_date=h.birth_date,
                status=h.status,
                matched_on=h.matched_on,
                exact=h.rank == 0,
            )
            for h in hits
        ]

    def profile(self, customer_id: uuid.UUID, *, user: UserInfo | None = None) -> Profile:
        reveal = user is not None and user.can(Permission.VIEW_DOCUMENT_NUMBERS)
        with self._uow(read_only=True) as uow:
            return load_profile(
                uow.session, customer_id, reveal_documents=reveal, cases=self._cases
            )

    def timeline(
        self,
        customer_id: uuid.UUID,
        *,
        kinds: tuple[str, ...] = (),
        before: datetime | None = None,
        limit: int = TIMELINE_PAGE,
    ) -> list[EventView]:
        """More of the timeline: entries of ``kinds`` (all if empty) older than ``before``."""
        with self._uow(read_only=True) as uow:
            return load_timeline(
                uow.session, customer_id, kinds=kinds, before=before, limit=max(1, limit)
            )

    def open_from_search(self, customer_id: uuid.UUID, *, user: UserInfo) -> Profile:
        """The profile, with the visit logged (once per user and customer in 30 minutes)."""
        now = datetime.now(UTC)
        with self._uow() as uow:
            session = uow.session
            _customer(session, customer_id)
            recent = session.scalar(
                select(m.Interaction.id)
                .where(
                    m.Interaction.customer_id == customer_id,
                    m.Interaction.kind == "visit",
                    m.Interaction.user_id == user.id,
                    m.Interaction.occurred_at >= now - VISIT_QUIET,
                )
                .limit(1)
            )
            if recent is None:
                session.add(
                    m.Interaction(
                        customer_id=customer_id,
                        kind="visit",
                        summary=f"Visited the store; served by {user.display_name}",
                        occurred_at=now,
                        user_id=user.id,
                    )
                )
                uow.commit()
        return self.profile(customer_id, user=user)

    def add_note(self, customer_id: uuid.UUID, note: str, *, user: UserInfo) -> None:
        text = " ".join(note.split())
        if not text:
            raise ValidationError("Write the note first.", field="note")
        if len(text) > MAX_NOTE:
            raise ValidationError(f"A note has at most {MAX_NOTE} characters.", field="note")
        with self._uow() as uow:
            _customer(uow.session, customer_id)
            uow.session.add(
                m.Interaction(
                    customer_id=customer_id,
                    kind="note",
                    summary=text,
                    occurred_at=datetime.now(UTC),
                    user_id=user.id,
                )
            )
            uow.commit()

    def change_contact(
        self,
        customer_id: uuid.UUID,
        *,
        field: str,
        value: str | Address,
        reason: str,
        user: UserInfo,
    ) -> None:
        """Change the primary phone, the primary e-mail or the home address, with a reason."""
        if field not in CONTACT_FIELDS:
            raise ValidationError(f"{field!r} cannot be changed here.", field="field")
        why = " ".join(reason.split())
        if len(why) < 3:
            raise ValidationError("Say why the details change (e.g. 'new number').",
                                  field="reason")  # fmt: skip
        if len(why) > 300:
            raise ValidationError("The reason has at most 300 characters.", field="reason")
        now = datetime.now(UTC)
        with self._uow() as uow:
            session = uow.session
            row = _customer(session, customer_id)
            if field == "address":
                if not isinstance(value, Address):
                    raise ValidationError("Enter the address.", field="address_line1")
                old, new = self._change_address(session, row, validate_address(value))
            elif field == "phone":
                phone = normalise_phone(str(value), region=self._region)
                old, new = self._change_medium(session, row, "phone", phone)
                row.phone = phone
            else:
                email = validate_email(str(value))
                if not email:
                    raise ValidationError("Enter the e-mail address.", field="email")
                old, new = self._change_medium(session, row, "email", email)
                row.email = email
            if old == new:
                raise ValidationError("That is the value already on file.", field=field)
            label = CONTACT_FIELDS[field]
            change = m.CustomerChange(
                customer_id=customer_id,
                field=field,
                old_value=old,
                new_value=new,
                reason=why,
                changed_by=user.id,
                changed_at=now,
            )
            session.add(change)
            session.flush()
            session.add(
                m.Interaction(
                    customer_id=customer_id,
                    kind="change",
                    summary=f"{label} changed from {old or '(none)'} to {new} — {why}",
                    occurred_at=now,
                    user_id=user.id,
                    ref_kind="change",
                    ref_id=change.id,
                )
            )
            session.flush()
            customer_index.refresh(session.connection(), customer_id)
            uow.commit()

    @staticmethod
    def _change_medium(session: Session, row: m.Customer, kind: str, value: str) -> tuple[str, str]:
        current = session.scalars(
            select(m.ContactMedium).where(
                m.ContactMedium.customer_id == row.id,
                m.ContactMedium.kind == kind,
                m.ContactMedium.is_primary.is_(True),
            )
        ).first()
        shown = display_phone if kind == "phone" else (lambda v: v)
        if current is None:
            session.add(
                m.ContactMedium(customer_id=row.id, kind=kind, value=value, is_primary=True)
            )
            old = getattr(row, kind) or ""
            return (shown(old) if old else ""), shown(value)
        old = current.value
        current.value = value
        return shown(old), shown(value)

    @staticmethod
    def _change_address(session: Session, row: m.Customer, new: Address) -> tuple[str, str]:
        current = session.scalars(
            select(m.PostalAddress).where(
                m.PostalAddress.customer_id == row.id, m.PostalAddress.kind == new.kind
            )
        ).first()

        def text(a: Address | m.PostalAddress) -> str:
            parts = (a.line1, a.line2, f"{a.postcode} {a.city}", a.country)
            return ", ".join(p for p in parts if p)

        if current is None:
            session.add(
                m.PostalAddress(
                    customer_id=row.id,
                    kind=new.kind,
                    line1=new.line1,
                    line2=new.line2,
                    postcode=new.postcode,
                    city=new.city,
                    country=new.country,
                )
            )
            return "", text(new)
        old = text(current)
        current.line1, current.line2 = new.line1, new.line2
        current.postcode, current.city, current.country = new.postcode, new.city, new.country
        return old, text(new)

    def history(self, customer_id: uuid.UUID) -> list[m.CustomerChange]:
        with self._uow() as uow:
            rows = uow.session.scalars(
                select(m.CustomerChange)
                .where(m.CustomerChange.customer_id == customer_id)
                .order_by(m.CustomerChange.changed_at.desc())
            ).all()
            uow.session.expunge_all()
            return list(rows)


def _customer(session: Session, customer_id: uuid.UUID) -> m.Customer:
    row = session.get(m.Customer, customer_id)
    if row is None:
        raise NotFound("This customer no longer exists.")
    return row
