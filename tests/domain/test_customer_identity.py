"""Customer identity: ages and dates of birth, identity documents, and masked identifiers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from customer_rule_cases import TODAY, refused
from hypothesis import given
from hypothesis import strategies as st

from domain.customers import (
    DocumentType,
    IdDocument,
    age_on,
    mask_identifier,
    normalise_document_number,
    validate_birth_date,
    validate_document,
)

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
