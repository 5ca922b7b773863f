"""Phone numbers (MSISDN, E.164) and subscriber identities (IMSI)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationError
from domain.identifiers import Imsi, Msisdn, parse_imsi, parse_msisdn

T = TypeVar("T")
DIGITS = "0123456789"


def outcome(parse: Callable[[str], T], text: str) -> T | ValidationError:
    """What ``parse`` returns, or the ValidationError it raised (anything else propagates)."""
    try:
        return parse(text)
    except ValidationError as error:
        return error


# --- MSISDN -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "+4917612345678",
        "+49 176 12345678",
        "+49 (176) 1234-5678",
        "+49 (0)176 1234 5678",
        "0049 176 12345678",
        "0049(0)17612345678",
        "  +49-176-123.456.78  ",
        "4917612345678",
    ],
)
def test_international_forms_are_accepted(typed: str) -> None:
    number = parse_msisdn(typed)
    assert number == Msisdn("4917612345678")
    assert number.e164 == "+4917612345678"
    assert number.digits == "4917612345678"
    assert str(number) == "+4917612345678"


@pytest.mark.parametrize(
    ("typed", "country", "e164"),
    [
        ("0176 12345678", "49", "+4917612345678"),
        ("(0176) 1234-5678", "+49", "+4917612345678"),
        ("0 916 123-45-67", "7", "+79161234567"),
        ("+7 916 123 45 67", "49", "+79161234567"),  # an international number keeps its code
    ],
)
def test_national_numbers_use_the_default_country_code(typed: str, country: str, e164: str) -> None:
    assert parse_msisdn(typed, default_country_code=country).e164 == e164


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("+49 176 CALL-ME", 'Phone number can only contain digits, not "C".'),
        ("+49 176 1234567a", 'Phone number can only contain digits, not "a".'),
        ("+49 176 + 12345678", "Put the + only at the start of the number."),
        ("+49 176", "Phone number is too short: 5 digits with the country code (at least 8)."),
        ("00", "Phone number is too short: 0 digits with the country code (at least 8)."),
        (
            "+49 176 1234 5678 9012",
            "Phone number is too long: 17 digits with the country code (at most 15).",
        ),
        ("+049 176 12345678", "Country code can't start with 0."),
        ("000 49 176 12345678", "Country code can't start with 0."),
        ("0176 12345678", "Add the country code: start with + (for example +49 176 …)."),
        ("  ", "Enter the phone number."),
        ("+", "Enter the phone number."),
    ],
)
def test_bad_phone_numbers_say_what_is_wrong(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_msisdn(typed)
    assert (info.value.message, info.value.field) == (message, "msisdn")


@pytest.mark.parametrize("country", ["", "0", "049", "1234", "4a", "+"])
def test_a_bad_default_country_code_is_a_programming_error(country: str) -> None:
    with pytest.raises(ValueError, match="default_country_code"):
        parse_msisdn("0176 12345678", default_country_code=country)


def test_an_msisdn_cannot_be_constructed_invalid() -> None:
    with pytest.raises(ValidationError, match="too short"):
        Msisdn("4917")


@given(st.text("123456789", min_size=1, max_size=1), st.text(DIGITS, min_size=7, max_size=14))
def test_msisdn_round_trips_through_str(first: str, rest: str) -> None:
    number = parse_msisdn("+" + first + rest)
    assert parse_msisdn(str(number)) == number
    assert parse_msisdn(number.digits) == number


@given(
    st.one_of(st.text(), st.text("0123456789+() -.a", max_size=24)),
    st.sampled_from([None, "49", "7"]),
)
def test_parse_msisdn_raises_only_validation_errors(text: str, country: str | None) -> None:
    result = outcome(partial(parse_msisdn, default_country_code=country), text)
    if isinstance(result, ValidationError):
        assert result.field == "msisdn" and result.message
    else:
        assert 8 <= len(result.digits) <= 15 and result.digits[0] != "0"


# --- IMSI ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "mcc", "mnc", "msin"),
    [
        ("262011234567890", "262", "01", "1234567890"),  # Germany: 2-digit MNC
        ("250 99 1234567890", "250", "99", "1234567890"),  # Russia
        ("310150123456789", "310", "150", "123456789"),  # USA: 3-digit MNC
        ("302720123456789", "302", "720", "123456789"),  # Canada
        ("722070123456789", "722", "070", "123456789"),  # Argentina
        ("405854123456789", "405", "854", "123456789"),  # India (405)
        ("404451234567890", "404", "45", "1234567890"),  # India (404) is 2-digit
        ("26201123", "262", "01", "123"),  # shorter than 15 is allowed
    ],
)
def test_imsi_is_split_into_mcc_mnc_msin(typed: str, mcc: str, mnc: str, msin: str) -> None:
    imsi = parse_imsi(typed)
    assert (imsi.mcc, imsi.mnc, imsi.msin) == (mcc, mnc, msin)
    assert str(imsi) == typed.replace(" ", "")


def test_a_known_mnc_length_wins_over_the_table() -> None:
    assert parse_imsi("405025123456789", mnc_length=2).mnc == "02"
    assert parse_imsi("262011234567890", mnc_length=3).mnc == "011"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("123456789012345", "IMSI must start with a country code (MCC) from 200 to 799."),
        ("862011234567890", "IMSI must start with a country code (MCC) from 200 to 799."),
        ("2620112345678901", "IMSI is too long: 16 digits (at most 15)."),
        ("26201", "IMSI is too short: 5 digits (at least 6)."),
        ("310150", "IMSI is too short: 6 digits (at least 7)."),  # no MSIN left
        ("26201I234567890", 'IMSI can only contain digits, not "I".'),
        ("", "Enter the IMSI."),
    ],
)
def test_bad_imsis_say_what_is_wrong(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_imsi(typed)
    assert (info.value.message, info.value.field) == (message, "imsi")


@pytest.mark.parametrize("mnc_length", [0, 1, 4])
def test_an_impossible_mnc_length_is_a_programming_error(mnc_length: int) -> None:
    with pytest.raises(ValueError, match="mnc_length"):
        parse_imsi("262011234567890", mnc_length=mnc_length)


@given(st.text("234567", min_size=1, max_size=1), st.text(DIGITS, min_size=6, max_size=14))
def test_imsi_round_trips_through_str(first: str, rest: str) -> None:
    imsi = parse_imsi(first + rest)
    assert parse_imsi(str(imsi)) == imsi
    assert imsi.mcc + imsi.mnc + imsi.msin == imsi.value
    assert imsi == Imsi(imsi.value, imsi.mnc_length)


@given(
    st.one_of(st.text(), st.text("0123456789 -x", max_size=20)),
    st.sampled_from([None, 2, 3]),
)
def test_parse_imsi_raises_only_validation_errors(text: str, mnc_length: int | None) -> None:
    result = outcome(partial(parse_imsi, mnc_length=mnc_length), text)
    if isinstance(result, ValidationError):
        assert result.field == "imsi" and result.message
    else:
        assert 6 <= len(result.value) <= 15 and result.msin
