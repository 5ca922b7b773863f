"""Onboarding a new customer: read the document, check, find duplicates, then store once.

The wizard calls :meth:`OnboardingService.read_mrz` and :meth:`check` as often as it
likes; nothing is written until :meth:`create`, which validates everything again and
writes the customer, contact media, address, document, consents, contact persons, a
billing account, the first timeline entry and the search index row in ONE transaction.

Duplicates (:meth:`duplicates`) are: the same document number and issuing country, the
same name and date of birth, or the same phone number. :meth:`create` refuses with
:class:`DuplicateCustomer` unless the consultant has seen them and chose to go on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db.counters import next_number
from app.db.uow import UnitOfWork
from app.phones import normalise_phone
from app.services import customer_index
from app.services.auth import UserInfo
from domain.customers import (
    ContactPerson,
    CustomerKind,
    GivenBy,
    NewCustomer,
    validate_new_customer,
)
from domain.errors import DomainError, RuleViolation, ValidationError
from domain.identifiers.mrz import MrzResult, describe_failures, parse_mrz
from domain.kyc import Finding, Severity, document_from_mrz, kyc_findings
from domain.text import search_key


@dataclass(frozen=True)
class Duplicate:
    customer_id: uuid.UUID
    customer_no: str
    name: str
    reason: str


class DuplicateCustomer(DomainError):
    def __init__(self, duplicates: list[Duplicate]) -> None:
        names = "; ".join(f"{d.customer_no} {d.name} ({d.reason})" for d in duplicates[:3])
        super().__init__(f"This may be an existing customer: {names}.")
        self.duplicates = duplicates


@dataclass(frozen=True)
class MrzReading:
    result: MrzResult
    message: str  # "All check digits are correct." or which field failed


@dataclass(frozen=True)
class CheckResult:
    draft: NewCustomer  # cleaned
    findings: tuple[Finding, ...]
    duplicates: tuple[Duplicate, ...]

    @property
    def blocked(self) -> bool:
        return any(f.severity is Severity.BLOCK for f in self.findings)


class OnboardingService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        store_id: str,
        terminal_id: str,
        region: str,
        postpaid_min_age: Callable[[], int],
        today: Callable[[], date] = date.today,
    ) -> None:
        self._uow = uow
        self._store_id = store_id
        self._terminal_id = terminal_id
        self._region = region
        self._min_age = postpaid_min_age
        self._today = today

    # --- reading input -------------------------------------------------------------------

    def read_mrz(self, text: str) -> MrzReading:
        """Parse what the reader sent or the consultant pasted; ValidationError if unusable."""
        result = parse_mrz(text, today=self._today())
        if document_from_mrz(result) is None:
            raise ValidationError(
                "The expiry date in this zone is not a real date; enter the document by hand.",
                field="mrz",
            )
        return MrzReading(result, describe_failures(result))

    def phone(self, text: str, *, field: str = "phone") -> str:
        return normalise_phone(text, region=self._region, field=field)

    # --- checking ------------------------------------------------------------------------

    def check(self, draft: NewCustomer) -> CheckResult:
        """Validate (raises ValidationError at the first bad field), run KYC and duplicates."""
        today = self._today()
        clean = validate_new_customer(draft, today=today)
        findings = kyc_findings(
            document=clean.document,
            birth_date=clean.birth_date,
            today=today,
            postpaid_min_age=self._min_age(),
            require_document=clean.kind is CustomerKind.INDIVIDUAL,
        )
        with self._uow() as uow:
            dupes = self._duplicates(uow.session, clean)
        return CheckResult(clean, tuple(findings), tuple(dupes))

    def duplicates(self, draft: NewCustomer) -> list[Duplicate]:
        with self._uow() as uow:
            return self._duplicates(uow.session, draft)

    def _duplicates(self, session: Session, draft: NewCustomer) -> list[Duplicate]:
        found: dict[uuid.UUID, Duplicate] = {}

        def add(rows: list[m.Customer], reason: str) -> None:
            for row in rows:
                if row.id not in found:
                    name = row.company_name or f"{row.first_name} {row.last_name}"
                    found[row.id] = Duplicate(row.id, row.customer_no, name, reason)

        if draft.document is not None:
            doc = draft.document
            add(
                list(
                    session.scalars(
                        select(m.Customer)
                        .join(m.IdentityDocument, m.IdentityDocument.customer_id == m.Customer.id)
                        .where(
                            m.IdentityDocument.number == doc.number,
                            m.IdentityDocument.issuing_country == doc.issuing_country,
                        )
                        .limit(5)
                    )
                ),
                f"same document {doc.issuing_country} {doc.number}",
            )
        if draft.birth_date is not None and draft.kind is CustomerKind.INDIVIDUAL:
            add(
                list(
                    session.scalars(
                        select(m.Customer)
                        .where(
                            m.Customer.search_name == search_key(draft.last_name, draft.first_name),
                            m.Customer.birth_date == draft.birth_date,
                        )
                        .limit(5)
                    )
                ),
                "same name and date of birth",
            )
        if draft.phone:
            owners = select(m.ContactMedium.customer_id).where(
                m.ContactMedium.kind == "phone", m.ContactMedium.value == draft.phone
            )
            add(
                list(
                    session.scalars(
                        select(m.Customer)
                        .where((m.Customer.phone == draft.phone) | m.Customer.id.in_(owners))
                        .limit(5)
                    )
                ),
                "same phone number",
            )
        return list(found.values())

    # --- storing -------------------------------------------------------------------------

    def create(
        self, draft: NewCustomer, *, user: UserInfo, accept_duplicates: bool = False
    ) -> uuid.UUID:
        """Store the customer in one transaction; returns its id.

        Raises ValidationError (a field), RuleViolation (a blocking KYC finding) or
        DuplicateCustomer (possible duplicates not yet accepted by the consultant).
        """
        checked = self.check(draft)
        blocking = [f for f in checked.findings if f.severity is Severity.BLOCK]
        if blocking:
            raise RuleViolation(blocking[0].message)
        if checked.duplicates and not accept_duplicates:
            raise DuplicateCustomer(list(checked.duplicates))
        clean = checked.draft
        now = datetime.now(UTC)
        with self._uow(durable=True) as uow:
            session = uow.session
            number = next_number(
                session, kind="C", store_id=self._store_id, terminal_id=self._terminal_id
            )
            doc = clean.document
            customer = m.Customer(
                customer_no=number,
                kind=clean.kind.value,
                first_name=clean.first_name,
                last_name=clean.last_name,
                company_name=clean.company_name,
                company_reg_no=clean.company_reg_no,
                search_name=search_key(clean.last_name, clean.first_name),
                birth_date=clean.birth_date,
                phone=clean.phone,
                email=clean.email or None,
                doc_type=doc.doc_type.value if doc else None,
                doc_number=doc.number if doc else None,
                doc_country=doc.issuing_country if doc else None,
                doc_expiry=doc.expiry if doc else None,
                nationality=doc.nationality if doc else "",
                segment=clean.segment.value,
                status="active",
            )
            session.add(customer)
            session.flush()
            cid = customer.id
            session.add(
                m.ContactMedium(
                    customer_id=cid,
                    kind="phone",
                    value=clean.phone,
                    label="mobile",
                    is_primary=True,
                )
            )
            if clean.email:
                session.add(
                    m.ContactMedium(
                        customer_id=cid, kind="email", value=clean.email, is_primary=True
                    )
                )
            if clean.address:
                a = clean.address
                session.add(
                    m.PostalAddress(
                        customer_id=cid,
                        kind=a.kind,
                        line1=a.line1,
                        line2=a.line2,
                        postcode=a.postcode,
                        city=a.city,
                        country=a.country,
                    )
                )
            if doc:
                session.add(
                    m.IdentityDocument(
                        customer_id=cid,
                        doc_type=doc.doc_type.value,
                        number=doc.number,
                        issuing_country=doc.issuing_country,
                        nationality=doc.nationality,
                        expiry_date=doc.expiry,
                        birth_date=doc.birth_date,
                        from_mrz=doc.from_mrz,
                        review_status="needs_review" if doc.needs_review else "verified",
                        review_reason=doc.review_reason,
                        verified_by=user.id,
                        verified_at=now,
                        image_path=None,
                    )
                )
            for consent in clean.consents:
                session.add(
                    m.ConsentRecord(
                        customer_id=cid,
                        purpose=consent.purpose.value,
                        granted=consent.granted,
                        channel=consent.channel,
                        given_by=consent.given_by.value,
                        given_by_name=consent.given_by_name.strip()
                        if consent.given_by is not GivenBy.SELF
                        else "",
                        recorded_by=user.id,
                        recorded_at=now,
                    )
                )
            people = list(clean.contacts)
            if clean.kind is CustomerKind.BUSINESS:
                people.insert(0, _representative(clean))
            for person in people:
                session.add(
                    m.ContactPersonRecord(
                        customer_id=cid,
                        first_name=person.first_name,
                        last_name=person.last_name,
                        role=person.role,
                        phone=person.phone,
                        email=person.email,
                    )
                )
            account_no = next_number(
                session, kind="BA", store_id=self._store_id, terminal_id=self._terminal_id
            )
            display = clean.company_name or f"{clean.first_name} {clean.last_name}"
            session.add(m.BillingAccount(customer_id=cid, account_no=account_no, name=display))
            review = " — document needs manual review" if doc and doc.needs_review else ""
            session.add(
                m.Interaction(
                    customer_id=cid,
                    kind="onboarding",
                    summary=f"Became a customer at the counter ({user.display_name}){review}",
                    occurred_at=now,
                    user_id=user.id,
                    ref_kind="customer",
                    ref_id=cid,
                )
            )
            session.flush()
            customer_index.refresh(session.connection(), cid)
            uow.commit()
            return cid


def _representative(draft: NewCustomer) -> ContactPerson:
    """The person onboarding a business is its first authorised contact."""
    return ContactPerson(
        draft.first_name, draft.last_name, "Representative", draft.phone, draft.email
    )
