"""Customer field validators: what is accepted, what is refused, and at which field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customers import (
    MAX_EMAIL,
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
    age_on,
    mask_identifier,
    normalise_document_number,
    validate_address,
    validate_birth_date,
    validate_company_name,
    validate_consents,
    validate_document,
    validate_email,
    validate_new_customer,
    validate_person_name,
)
from domain.errors import ValidationError

T = TypeVar("T")
TODAY = date(2026, 6, 15)
ADDRESS = Address("Hauptstraße 1", "Bonn", "53111", "DE")
ALL_NO = tuple(Consent(purpose, granted=False) for purpose in ConsentPurpose)


def refused(check: Callable[[], object]) -> ValidationError:
    """The ValidationError ``check`` raises (the test fails if it returns)."""
    with pytest.raises(ValidationError) as caught:
        check()
    return caught.value


def outcome(check: Callable[[], T]) -> T | ValidationError:
    """What ``check`` returns, or the ValidationError it raised (anything else propagates)."""
    try:
        return check()
    except ValidationError as error:
        return error


def person(value: str) -> str:
    return validate_person_name(value, field="first_name", label="first name")


# --- person names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Zoë", "Zoë"),
        ("O'Brien", "O'Brien"),
        ("O’Brien", "O’Brien"),
        ("Jean-Luc", "Jean-Luc"),
        ("Ёлкин", "Ёлкин"),
        ("Łukasz", "Łukasz"),
        ("Ševčenko", "Ševčenko"),
        ("Anna  Maria", "Anna Maria"),
        ("  Юлия\t", "Юлия"),
        ("J. R. R.", "J. R. R."),
        ("Zoe\u0308", "Zoe\u0308"),  # a combining diaeresis, as some keyboards send it
        ("王芳", "王芳"),
        ("a" * 100, "a" * 100),
    ],
)
def test_real_names_are_accepted_and_single_spaced(typed: str, stored: str) -> None:
    assert person(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the first name."),
        ("   \t ", "Enter the first name."),
        ("R2-D2", "The first name can have letters, spaces, hyphens and apostrophes only."),
        ("Anna 2", "The first name can have letters, spaces, hyphens and apostrophes only."),
        (
            "Robert'); DROP TABLE customers;--",
            "The first name can have letters, spaces, hyphens and apostrophes only.",
        ),
        ("😀", "The first name can have letters, spaces, hyphens and apostrophes only."),
        ("Anna 😀", "The first name can have letters, spaces, hyphens and apostrophes only."),
        ("<script>", "The first name can have letters, spaces, hyphens and apostrophes only."),
        ("a" * 101, "The first name is longer than 100 characters."),
        ("Anna " * 25, "The first name is longer than 100 characters."),
    ],
)
def test_bad_names_are_refused_at_their_field(typed: str, message: str) -> None:
    error = refused(lambda: person(typed))
    assert (error.field, error.message) == ("first_name", message)
    assert str(error) == f"first_name: {message}"


def test_the_label_and_field_come_from_the_caller() -> None:
    error = refused(lambda: validate_person_name("", field="last_name", label="last name"))
    assert (error.field, error.message) == ("last_name", "Enter the last name.")


@given(st.text(max_size=120))
def test_person_name_raises_only_validation_errors(text: str) -> None:
    result = outcome(lambda: person(text))
    if isinstance(result, ValidationError):
        assert result.field == "first_name" and result.message
    else:
        assert result == " ".join(result.split()) and 0 < len(result) <= 100
        assert person(result) == result


# --- company names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("  Müller &  Söhne GmbH ", "Müller & Söhne GmbH"), ("1&1", "1&1"), ("X" * 200, "X" * 200)],
)
def test_company_names_are_accepted(typed: str, stored: str) -> None:
    assert validate_company_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the company name."),
        ("  ", "Enter the company name."),
        ("&&& ---", "The company name needs letters or digits."),
        ("X" * 201, "The company name is longer than 200 characters."),
    ],
)
def test_bad_company_names(typed: str, message: str) -> None:
    error = refused(lambda: validate_company_name(typed))
    assert (error.field, error.message) == ("company_name", message)


# --- e-mail -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("a.b+c@example.org", "a.b+c@example.org"),
        ("user@münchen.de", "user@münchen.de"),
        ("User@MÜNCHEN.DE", "User@münchen.de"),  # only the domain is lower-cased
        ("  anna@example.org \n", "anna@example.org"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("x@mail.example.co.uk", "x@mail.example.co.uk"),
        ("x@xn--mnchen-3ya.de", "x@xn--mnchen-3ya.de"),
        ("x@1and1.de", "x@1and1.de"),
        ("x" * 64 + "@example.org", "x" * 64 + "@example.org"),
        ("a@" + "b" * 63 + ".de", "a@" + "b" * 63 + ".de"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_good_emails(typed: str, stored: str) -> None:
    assert validate_email(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("no-at-sign.example.org", "An e-mail address looks like name@example.org."),
        ("@example.org", "An e-mail address looks like name@example.org."),
        ("anna@", "An e-mail address looks like name@example.org."),
        ("a..b@example.org", "The part before @ has a character an e-mail address cannot have."),
        (".a@example.org", "The part before @ has a character an e-mail address cannot have."),
        ("a.@example.org", "The part before @ has a character an e-mail address cannot have."),
        ("a b@example.org", "The part before @ has a character an e-mail address cannot have."),
        ("a@b@example.org", "The part before @ has a character an e-mail address cannot have."),
        ("a@example..org", "The part after @ must be a domain such as example.org."),
        ("a@example.org.", "The part after @ must be a domain such as example.org."),
        ("a@exa mple.org", "The part after @ must be a domain such as example.org."),
        ("a@b", "The part after @ must be a domain such as example.org."),
        ("a@-example.org", "The part after @ must be a domain such as example.org."),
        ("a@example-.org", "The part after @ must be a domain such as example.org."),
        ("a@[192.0.2.1]", "The part after @ must be a domain such as example.org."),
        ("a@" + "b" * 64 + ".de", "The part after @ must be a domain such as example.org."),
        ("a@example.123", "The part after @ must end in a domain such as .org or .de."),
        ("a@example.c", "The part after @ must end in a domain such as .org or .de."),
        ("x" * 250 + "@example.org", "This e-mail address is too long."),
    ],
)
def test_bad_emails(typed: str, message: str) -> None:
    error = refused(lambda: validate_email(typed))
    assert (error.field, error.message) == ("email", message)


def test_the_longest_address_is_254_characters() -> None:
    longest = "x" * 64 + "@" + "d" * 63 + "." + "d" * 63 + "." + "d" * 57 + ".org"
    assert len(longest) == MAX_EMAIL
    assert validate_email(longest) == longest
    error = refused(lambda: validate_email("y" + longest))
    assert (error.field, error.message) == ("email", "This e-mail address is too long.")


def test_the_field_of_an_email_error_comes_from_the_caller() -> None:
    assert refused(lambda: validate_email("a@b", field="contact_email")).field == "contact_email"


def test_a_long_local_part_is_refused_with_a_message_about_its_length() -> None:
    error = refused(lambda: validate_email("x" * 65 + "@example.org"))
    assert (error.field, error.message) == (
        "email",
        "The part before @ is longer than 64 characters.",
    )


@pytest.mark.parametrize("typed", ["a\n@example.org", "a@example\n.org"])
def test_a_line_break_inside_an_email_is_refused(typed: str) -> None:
    assert refused(lambda: validate_email(typed)).field == "email"


@given(st.text(max_size=300))
def test_email_raises_only_validation_errors(text: str) -> None:
    result = outcome(lambda: validate_email(text))
    if isinstance(result, ValidationError):
        assert result.field == "email" and result.message
    elif result:
        local, _, domain = result.rpartition("@")
        assert local and domain == domain.lower() and "." in domain
        assert not any(ch.isspace() for ch in result)


@given(
    st.text("abcxyz019.+_-", min_size=1, max_size=20),
    st.lists(st.text("abcmünchenдом019-", min_size=1, max_size=12), min_size=1, max_size=3),
)
def test_generated_addresses_are_accepted_exactly_when_well_formed(
    local: str, labels: list[str]
) -> None:
    text = f"{local}@{'.'.join([*labels, 'de'])}"
    well_formed = (
        all(part for part in local.split("."))
        and all(label[0] != "-" and label[-1] != "-" for label in labels)
        and len(local) <= 64
    )
    result = outcome(lambda: validate_email(text))
    assert (result == text) is well_formed, result


# --- ages and dates of birth --------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(2008, 6, 16), TODAY, 17),
        (date(2008, 6, 15), TODAY, 18),
        (date(2008, 6, 14), TODAY, 18),
        (TODAY, TODAY, 0),
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # turns 18 on 1 March in common years
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 28), 19),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(2000, 3, 1), date(2026, 2, 28), 25),
        (date(1999, 12, 31), date(2000, 1, 1), 0),
    ],
)
def test_age_in_completed_years(born: date, today: date, age: int) -> None:
    assert age_on(born, today) == age


def reference_age(born: date, today: date) -> int:
    """Count birthdays passed; a 29 February birthday falls on 1 March in common years."""

    def birthday(year: int) -> date:
        try:
            return born.replace(year=year)
        except ValueError:
            return date(year, 3, 1)

    return today.year - born.year - (birthday(today.year) > today)


@given(st.dates(date(1890, 1, 1), date(2030, 12, 31)), st.integers(0, 60_000))
def test_age_agrees_with_counting_birthdays(born: date, days: int) -> None:
    today = born + timedelta(days=days)
    assert age_on(born, today) == reference_age(born, today)


def test_birth_date_is_required_unless_told_otherwise() -> None:
    error = refused(lambda: validate_birth_date(None, TODAY))
    assert (error.field, error.message) == ("birth_date", "Enter the date of birth.")
    assert validate_birth_date(None, TODAY, required=False) is None


@pytest.mark.parametrize(
    "born", [TODAY, date(1990, 5, 17), date(1896, 6, 15), date(1895, 6, 16), date(2008, 2, 29)]
)
def test_possible_birth_dates(born: date) -> None:
    assert validate_birth_date(born, TODAY) == born


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (TODAY + timedelta(days=1), "The date of birth is in the future."),
        (date(1895, 6, 15), "Check the date of birth: that is over 130 years ago."),
        (date(1800, 1, 1), "Check the date of birth: that is over 130 years ago."),
    ],
)
def test_impossible_birth_dates(born: date, message: str) -> None:
    error = refused(lambda: validate_birth_date(born, TODAY, required=False))
    assert (error.field, error.message) == ("birth_date", message)


# --- identity documents -------------------------------------------------------------------


def id_card(**changes: object) -> IdDocument:
    doc = IdDocument(DocumentType.ID_CARD, "L01X00T47", "DEU", date(2030, 1, 1))
    return replace(doc, **changes)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [(" l01x-00t47 ", "L01X00T47"), ("AB 12 34\t56", "AB123456"), ("--", ""), ("", "")],
)
def test_document_numbers_lose_spaces_and_hyphens(typed: str, normal: str) -> None:
    assert normalise_document_number(typed) == normal


def test_a_document_is_cleaned() -> None:
    doc = id_card(
        number=" l01x-00t47 ",
        issuing_country=" deu ",
        nationality="ukr",
        birth_date=date(1990, 5, 17),
        from_mrz=True,
        review_reason="Check digit failed or field unreadable: document number",
    )
    assert validate_document(doc) == replace(
        doc, number="L01X00T47", issuing_country="DEU", nationality="UKR"
    )


@pytest.mark.parametrize("number", ["ABCD", "A" * 20, "123456789"])
def test_document_numbers_of_4_to_20_characters(number: str) -> None:
    assert validate_document(id_card(number=number)).number == number


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"number": " - "}, "doc_number", "Enter the document number."),
        ({"number": "X1"}, "doc_number", "A document number has 4 to 20 letters and digits."),
        ({"number": "A" * 21}, "doc_number", "A document number has 4 to 20 letters and digits."),
        ({"number": "AB/1234"}, "doc_number", "A document number has 4 to 20 letters and digits."),
        ({"number": "ЖЖ1234"}, "doc_number", "A document number has 4 to 20 letters and digits."),
        (
            {"issuing_country": "DE"},
            "doc_country",
            "The issuing country is a three-letter code such as DEU or UKR.",
        ),
        (
            {"issuing_country": "D1U"},
            "doc_country",
            "The issuing country is a three-letter code such as DEU or UKR.",
        ),
        (
            {"nationality": "Deutsch"},
            "nationality",
            "The nationality is a three-letter code such as DEU or UKR.",
        ),
    ],
)
def test_bad_documents(changes: dict[str, object], field: str, message: str) -> None:
    error = refused(lambda: validate_document(id_card(**changes)))
    assert (error.field, error.message) == (field, message)


# --- addresses ----------------------------------------------------------------------------


def test_an_address_is_cleaned() -> None:
    typed = Address("  Hauptstraße   1 ", " Bonn ", " 53111 ", " de ", "  Hinterhaus  ", "billing")
    assert validate_address(typed) == Address(
        "Hauptstraße 1", "Bonn", "53111", "DE", "Hinterhaus", "billing"
    )
    assert validate_address(Address("1 Main St", "London", "sw1a 1aa", "GB")).postcode == (
        "SW1A 1AA"
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"line1": "  "}, "address_line1", "Enter the street and house number."),
        ({"line1": "x" * 201}, "address_line1", "An address line has at most 200 characters."),
        ({"line2": "x" * 201}, "address_line1", "An address line has at most 200 characters."),
        ({"city": ""}, "address_city", "Enter the city."),
        ({"city": "x" * 101}, "address_city", "The city has at most 100 characters."),
        (
            {"postcode": "1"},
            "address_postcode",
            "A postcode has 2 to 10 letters, digits, spaces or hyphens.",
        ),
        (
            {"postcode": "12345678901"},
            "address_postcode",
            "A postcode has 2 to 10 letters, digits, spaces or hyphens.",
        ),
        (
            {"postcode": "-1234"},
            "address_postcode",
            "A postcode has 2 to 10 letters, digits, spaces or hyphens.",
        ),
        (
            {"postcode": "!!"},
            "address_postcode",
            "A postcode has 2 to 10 letters, digits, spaces or hyphens.",
        ),
        (
            {"country": "DEU"},
            "address_country",
            "The country is a two-letter code such as DE or UA.",
        ),
        ({"country": ""}, "address_country", "The country is a two-letter code such as DE or UA."),
    ],
)
def test_bad_addresses(changes: dict[str, str], field: str, message: str) -> None:
    error = refused(lambda: validate_address(replace(ADDRESS, **changes)))
    assert (error.field, error.message) == (field, message)


@given(st.text(max_size=250), st.text(max_size=120), st.text(max_size=14), st.text(max_size=4))
def test_address_raises_only_validation_errors(
    line: str, city: str, postcode: str, country: str
) -> None:
    result = outcome(lambda: validate_address(Address(line, city, postcode, country, line)))
    if isinstance(result, ValidationError):
        assert result.field.startswith("address_") and result.message
    else:
        assert validate_address(result) == result


@given(st.text(max_size=80))
def test_address_of_one_text_raises_only_validation_errors(text: str) -> None:
    result = outcome(lambda: validate_address(Address(text, text, text, text)))
    assert not isinstance(result, ValidationError) or result.field.startswith("address_")


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


# --- masking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "visible", "masked"),
    [
        ("L01X00T47", 3, "••••••T47"),
        ("L01X00T47", 4, "•••••0T47"),
        ("L01", 3, "•••"),
        ("L0", 3, "••"),
        ("", 3, ""),
        ("ABCD", 3, "•BCD"),
    ],
)
def test_mask_identifier(value: str, visible: int, masked: str) -> None:
    assert mask_identifier(value, visible=visible) == masked


@pytest.mark.parametrize("visible", [0, -1, -5])
def test_mask_identifier_with_nothing_visible_masks_everything(visible: int) -> None:
    assert mask_identifier("ABC", visible=visible) == "•••"


@given(st.text(max_size=30), st.integers(1, 10))
def test_masking_shows_only_the_tail(value: str, visible: int) -> None:
    hidden = max(len(value) - visible, 0)
    expected = "•" * len(value) if len(value) <= visible else "•" * hidden + value[hidden:]
    assert mask_identifier(value, visible=visible) == expected


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
