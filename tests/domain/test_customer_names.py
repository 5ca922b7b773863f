"""Customer name validators: person and company names, accepted or refused at their field."""

from __future__ import annotations

import pytest
from customer_rule_cases import outcome, refused
from hypothesis import given
from hypothesis import strategies as st

from domain.customers import validate_company_name, validate_person_name
from domain.errors import ValidationError


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
