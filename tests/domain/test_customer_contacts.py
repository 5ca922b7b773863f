"""Customer contact validators: e-mail and postal addresses, accepted or refused at their field."""

from __future__ import annotations

from dataclasses import replace

import pytest
from customer_rule_cases import ADDRESS, outcome, refused
from hypothesis import given
from hypothesis import strategies as st

from domain.customers import MAX_EMAIL, Address, validate_address, validate_email
from domain.errors import ValidationError

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
