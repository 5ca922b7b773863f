"""A new customer: consents and who gives them, and the whole draft checked field by field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from customer_rule_cases import ADDRESS, TODAY, refused

from domain.customers import (
    Address,
    Consent,
    ConsentPurpose,
    ContactPerson,
    CustomerKind,
    DocumentType,
    GivenBy,
    IdDocument,
    NewCustomer,
    Segment,
    validate_consents,
    validate_new_customer,
)

ALL_NO = tuple(Consent(purpose, granted=False) for purpose in ConsentPurpose)


# --- consents -----------------------------------------------------------------------------


def by(given_by: GivenBy, name: str = "") -> tuple[Consent, ...]:
    return tuple(
        Consent(p, granted=True, given_by=given_by, given_by_name=name) for p in ConsentPurpose
    )


def test_every_purpose_answered_once_is_accepted_in_any_order() -> None:
    assert validate_consents(ALL_NO, minor=False) == ALL_NO
    assert validate_consents(ALL_NO[::-1], minor=False) == ALL_NO[::-1]
    assert validate_consents(by(GivenBy.REPRESENTATIVE, "Dr. Weber"), minor=False)


def test_a_missing_purpose_is_named() -> None:
    error = refused(lambda: validate_consents(ALL_NO[:1], minor=False))
    assert error.field == "consents"
    assert error.message == (
        "Ask the customer and record yes or no for: use of usage data to tailor offers, "
        "sharing contact data with partner companies."
    )
    assert "offers and news" in refused(lambda: validate_consents((), minor=False)).message


def test_a_purpose_answered_twice_is_refused() -> None:
    twice = (*ALL_NO, Consent(ConsentPurpose.MARKETING, granted=True))
    error = refused(lambda: validate_consents(twice, minor=False))
    assert (error.field, error.message) == ("consents", "Each consent is recorded once.")


@pytest.mark.parametrize("given_by", [GivenBy.PARENT, GivenBy.GUARDIAN, GivenBy.REPRESENTATIVE])
@pytest.mark.parametrize("minor", [False, True])
def test_someone_else_giving_consent_needs_a_name(given_by: GivenBy, minor: bool) -> None:
    error = refused(lambda: validate_consents(by(given_by, "  "), minor=minor))
    assert (error.field, error.message) == (
        "consent_given_by",
        "Enter the name of the person giving consent for the customer.",
    )


@pytest.mark.parametrize("given_by", [GivenBy.SELF, GivenBy.REPRESENTATIVE])
def test_a_minors_consents_come_from_a_parent_or_guardian(given_by: GivenBy) -> None:
    error = refused(lambda: validate_consents(by(given_by, "Olga Petrova"), minor=True))
    assert (error.field, error.message) == (
        "consent_given_by",
        "The customer is under 18: a parent or guardian gives the consents.",
    )


@pytest.mark.parametrize("given_by", [GivenBy.PARENT, GivenBy.GUARDIAN])
def test_a_parent_or_guardian_with_a_name_answers_for_a_minor(given_by: GivenBy) -> None:
    consents = by(given_by, "Olga Petrova")
    assert validate_consents(consents, minor=True) == consents
    assert validate_consents(consents, minor=False) == consents


def test_one_self_given_answer_among_a_parents_is_refused_for_a_minor() -> None:
    mixed = (*by(GivenBy.PARENT, "Olga Petrova")[:2], Consent(ConsentPurpose.THIRD_PARTIES, False))
    assert refused(lambda: validate_consents(mixed, minor=True)).field == "consent_given_by"


# --- a whole new customer -----------------------------------------------------------------


def individual(**changes: object) -> NewCustomer:
    draft = NewCustomer(
        kind=CustomerKind.INDIVIDUAL,
        first_name="  Anna  Maria ",
        last_name="Schewtschenko",
        birth_date=date(1990, 5, 17),
        phone="+4915112345678",
        email="Anna@Example.ORG",
        address=Address(" Hauptstraße 1 ", "Bonn", "53111", "de"),
        document=IdDocument(DocumentType.ID_CARD, "l01x-00t47", "deu", date(2030, 1, 1)),
        consents=ALL_NO,
    )
    return replace(draft, **changes)


def business(**changes: object) -> NewCustomer:
    draft = NewCustomer(
        kind=CustomerKind.BUSINESS,
        first_name="Olga",
        last_name="Petrova",
        birth_date=None,
        phone="+4922812345",
        company_name="  Petrova  Logistik GmbH ",
        company_reg_no=" HRB  12345 ",
        segment=Segment.SMALL_BUSINESS,
        address=ADDRESS,
        consents=ALL_NO,
        contacts=(ContactPerson(" Jean-Luc ", "Picard", "  Fleet   manager ", "+491", "J@X.DE"),),
    )
    return replace(draft, **changes)


def test_an_individual_is_cleaned_field_by_field() -> None:
    clean = validate_new_customer(individual(), today=TODAY)
    assert (clean.first_name, clean.last_name, clean.email) == (
        "Anna Maria",
        "Schewtschenko",
        "Anna@example.org",
    )
    assert clean.address == Address("Hauptstraße 1", "Bonn", "53111", "DE")
    assert clean.document is not None
    assert (clean.document.number, clean.document.issuing_country) == ("L01X00T47", "DEU")
    assert (clean.company_name, clean.company_reg_no, clean.contacts) == ("", "", ())
    assert validate_new_customer(clean, today=TODAY) == clean


def test_an_individual_may_come_without_address_document_or_email() -> None:
    clean = validate_new_customer(individual(address=None, document=None, email=""), today=TODAY)
    assert (clean.address, clean.document, clean.email) == (None, None, "")


def test_a_business_is_cleaned_with_its_contacts() -> None:
    clean = validate_new_customer(business(), today=TODAY)
    assert (clean.company_name, clean.company_reg_no, clean.birth_date) == (
        "Petrova Logistik GmbH",
        "HRB 12345",
        None,
    )
    assert clean.contacts == (
        ContactPerson("Jean-Luc", "Picard", "Fleet manager", "+491", "J@x.de"),
    )
    assert clean.segment is Segment.SMALL_BUSINESS


def test_a_contacts_role_is_cut_to_100_characters() -> None:
    contact = ContactPerson("Jean", "Picard", "r" * 150)
    clean = validate_new_customer(business(contacts=(contact,)), today=TODAY)
    assert clean.contacts[0].role == "r" * 100


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (business(company_name=" "), "company_name"),
        (business(address=None), "address_line1"),
        (business(company_name="", address=None), "company_name"),  # the first problem wins
        (business(company_reg_no="R" * 33), "company_reg_no"),
        (business(contacts=(ContactPerson("", "Picard"),)), "contact_first_name"),
        (business(contacts=(ContactPerson("Jean", "P1card"),)), "contact_last_name"),
        (business(contacts=(ContactPerson("Jean", "Picard", email="j@x"),)), "contact_email"),
        (individual(first_name=""), "first_name"),
        (individual(last_name="Robert'); DROP TABLE customers;--"), "last_name"),
        (individual(birth_date=None), "birth_date"),
        (individual(birth_date=TODAY + timedelta(days=1)), "birth_date"),
        (individual(email="anna@"), "email"),
        (individual(phone="015112345678"), "phone"),
        (individual(phone=""), "phone"),
        (individual(address=Address("Main St 1", "Bonn", "!", "DE")), "address_postcode"),
        (individual(document=IdDocument(DocumentType.PASSPORT, "X1", "DEU", TODAY)), "doc_number"),
        (individual(consents=ALL_NO[:2]), "consents"),
        (individual(birth_date=date(2010, 1, 1)), "consent_given_by"),  # a minor answered alone
    ],
)
def test_the_first_problem_of_a_draft_names_its_field(draft: NewCustomer, field: str) -> None:
    assert refused(lambda: validate_new_customer(draft, today=TODAY)).field == field


def test_a_minors_draft_passes_with_a_parents_consents() -> None:
    draft = individual(birth_date=date(2010, 1, 1), consents=by(GivenBy.PARENT, "Olga Petrova"))
    assert validate_new_customer(draft, today=TODAY).birth_date == date(2010, 1, 1)


def test_the_18th_birthday_ends_the_need_for_a_parent() -> None:
    adult_today = individual(birth_date=date(2008, 6, 15))
    assert validate_new_customer(adult_today, today=TODAY).birth_date == date(2008, 6, 15)
    minor_today = individual(birth_date=date(2008, 6, 16))
    assert refused(lambda: validate_new_customer(minor_today, today=TODAY)).field == (
        "consent_given_by"
    )


def test_a_business_does_not_need_a_birth_date_but_checks_one_given() -> None:
    assert validate_new_customer(business(birth_date=date(1980, 1, 1)), today=TODAY)
    future = business(birth_date=TODAY + timedelta(days=1))
    assert refused(lambda: validate_new_customer(future, today=TODAY)).field == "birth_date"
