"""Onboarding: MRZ reading, checks, duplicates, and one transaction for the whole customer."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from customer_drafts import consents, document, draft, minor_consents, staff
from sqlalchemy import func, select

from app.bootstrap import Services
from app.db import models as m
from app.services.onboarding import DuplicateCustomer
from domain.customers import Address, ContactPerson, CustomerKind
from domain.errors import RuleViolation, ValidationError
from domain.kyc import Severity, document_from_mrz

# ICAO 9303 part 5 specimen (TD1), as printed in the standard.
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)

TABLES = (
    m.Customer,
    m.ContactMedium,
    m.PostalAddress,
    m.IdentityDocument,
    m.ConsentRecord,
    m.BillingAccount,
    m.Interaction,
)


def _counts(services: Services) -> dict[str, int]:
    with services.engine.connect() as conn:
        counts = {t.__tablename__: int(conn.scalar(select(func.count()).select_from(t)) or 0)
                  for t in TABLES}  # fmt: skip
        counts["customer_search"] = int(
            conn.exec_driver_sql("SELECT count(*) FROM customer_search").scalar() or 0
        )
        counts["outbox"] = int(conn.scalar(select(func.count()).select_from(m.OutboxRow)) or 0)
    return counts


@pytest.fixture
def store(services: Services) -> Services:
    services.demo.ensure(customers=0)
    return services


def test_create_writes_every_part_once(store: Services) -> None:
    before = _counts(store)
    cid = store.onboarding.create(draft(store), user=staff(store))
    after = _counts(store)
    for table in ("customers", "addresses", "identity_documents", "billing_accounts",
                  "interactions", "customer_search"):  # fmt: skip
        assert after[table] == before[table] + 1, table
    assert after["contact_media"] == before["contact_media"] + 2  # phone and e-mail
    assert after["consents"] == before["consents"] + 3
    assert after["outbox"] > before["outbox"]
    profile = store.customers.profile(cid, user=staff(store, "boris", "2222"))
    assert profile.customer_no.startswith("C-S001-T01-")
    assert profile.billing_accounts[0].startswith("BA-S001-T01-")
    assert profile.documents[0].verified_by == "Anna Consultant"
    assert profile.timeline[0].kind == "onboarding"
    assert {c.purpose for c in profile.consents} == {"marketing", "profiling", "third_parties"}
    assert store.customers.search(profile.customer_no)[0].id == cid


def test_nothing_is_stored_when_a_field_is_wrong(store: Services) -> None:
    before = _counts(store)
    bad = [
        (draft(store, first="R2-D2"), "first_name"),
        (draft(store, email="not-an-email"), "email"),
        (draft(store, address=Address("", "Köln", "51147", "DE")), "address_line1"),
        (draft(store, consents=consents()[:2]), "consents"),
        (draft(store, born=date.today() + timedelta(days=3)), "birth_date"),
        (draft(store, document=document(number="12")), "doc_number"),
    ]
    for value, field in bad:
        with pytest.raises(ValidationError) as caught:
            store.onboarding.create(value, user=staff(store))
        assert caught.value.field == field
    assert _counts(store) == before


@pytest.mark.parametrize(
    ("typed", "field"),
    [("", "phone"), ("12", "phone"), ("+49 abc", "phone"), ("+49 151 1", "phone"),
     ("9" * 50, "phone")],
)  # fmt: skip
def test_bad_phone_numbers_get_a_message(store: Services, typed: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        store.onboarding.phone(typed)
    assert caught.value.field == field and caught.value.message


def test_expired_document_blocks_and_stores_nothing(store: Services) -> None:
    before = _counts(store)
    expired = draft(store, document=document(expiry=date.today() - timedelta(days=1)))
    checked = store.onboarding.check(expired)
    assert checked.blocked and checked.findings[0].code == "expired"
    with pytest.raises(RuleViolation, match="expired"):
        store.onboarding.create(expired, user=staff(store))
    assert _counts(store) == before


def test_failed_check_digit_is_stored_as_needs_review(store: Services) -> None:
    broken = TD1.replace("D231458907", "D231458908")  # document number check digit now wrong
    reading = store.onboarding.read_mrz(broken)
    assert "document number" in reading.message
    doc = document_from_mrz(reading.result)
    assert doc is not None and doc.needs_review
    doc = dataclasses.replace(doc, expiry=date.today() + timedelta(days=400))
    new = draft(store, first="Anna Maria", last="Eriksson", born=doc.birth_date, document=doc)
    checked = store.onboarding.check(new)
    assert [f.severity for f in checked.findings][:1] == [Severity.REVIEW]
    cid = store.onboarding.create(new, user=staff(store))
    stored = store.customers.profile(cid).documents[0]
    assert stored.needs_review and "document number" in stored.review_reason
    assert stored.number == "••••••890"  # masked for a consultant
    assert any(i.kind == "document_review" for i in store.customers.profile(cid).insights)


def test_malformed_mrz_is_refused_at_the_field(store: Services) -> None:
    for text in ("", "P<UTO", TD1.replace("<", "#"), TD1 + "\nEXTRA", "x" * 5000):
        with pytest.raises(ValidationError) as caught:
            store.onboarding.read_mrz(text)
        assert caught.value.field == "mrz"


def test_duplicates_by_document_name_and_birth_date_or_phone(store: Services) -> None:
    user = staff(store)
    first = draft(store, document=document("X1234567"))
    cid = store.onboarding.create(first, user=user)
    same_doc = draft(store, first="Other", last="Person", phone="+49 151 99999999",
                     document=document("X1234567"))  # fmt: skip
    same_name = draft(store, phone="+49 151 88888888")
    same_phone = draft(store, first="Max", last="Other", born=date(1980, 1, 1))
    for candidate, reason in (
        (same_doc, "same document DEU X1234567"),
        (same_name, "same name and date of birth"),
        (same_phone, "same phone number"),
    ):
        with pytest.raises(DuplicateCustomer) as caught:
            store.onboarding.create(candidate, user=user)
        assert caught.value.duplicates[0].customer_id == cid
        assert caught.value.duplicates[0].reason == reason
    other = store.onboarding.create(same_phone, user=user, accept_duplicates=True)
    assert other != cid


def test_minor_needs_a_parent_for_consents_and_is_told_about_prepaid(store: Services) -> None:
    born = date.today().replace(year=date.today().year - 15) - timedelta(days=2)
    young = draft(store, born=born, document=document(birth_date=born))
    with pytest.raises(ValidationError, match="parent or guardian"):
        store.onboarding.check(young)
    young = dataclasses.replace(young, consents=minor_consents())
    codes = {f.code for f in store.onboarding.check(young).findings}
    assert {"under_postpaid_age", "minor"} <= codes
    cid = store.onboarding.create(young, user=staff(store))
    given = {c.given_by for c in store.customers.profile(cid).consents}
    assert given == {"Maria Parent (parent)"}


def test_business_customer_with_contact_persons(store: Services) -> None:
    company = draft(
        store,
        kind=CustomerKind.BUSINESS,
        company_name="Müller & Söhne GmbH",
        company_reg_no="HRB 12345",
        born=None,
        document=None,
        contacts=(ContactPerson("Jürgen", "Müller", "Managing director"),),
    )
    cid = store.onboarding.create(company, user=staff(store))
    profile = store.customers.profile(cid)
    assert profile.name == "Müller & Söhne GmbH" and profile.kind == "business"
    assert profile.contact_persons == (
        "Erika Mustermann — Representative",
        "Jürgen Müller — Managing director",
    )
    assert cid in {h.id for h in store.customers.search("Jürgen Müller")}
    assert cid in {h.id for h in store.customers.search("sohne")}


def test_a_crash_inside_the_transaction_leaves_nothing(
    store: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import customer_index

    before = _counts(store)

    def explode(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(customer_index, "refresh", explode)
    with pytest.raises(OSError, match="disk full"):
        store.onboarding.create(draft(store), user=staff(store))
    assert _counts(store) == before
