"""Luhn check digits, ICCIDs (SIM serials) and IMEIs (device identities)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationError
from domain.identifiers import (
    Iccid,
    Imei,
    luhn_check_digit,
    luhn_valid,
    parse_iccid,
    parse_imei,
)

T = TypeVar("T")
DIGITS = "0123456789"
digit_strings = st.text(DIGITS, min_size=1, max_size=40)


def outcome(parse: Callable[[str], T], text: str) -> T | ValidationError:
    """What ``parse`` returns, or the ValidationError it raised (anything else propagates)."""
    try:
        return parse(text)
    except ValidationError as error:
        return error


def with_check_digit(body: str) -> str:
    return body + str(luhn_check_digit(body))


# --- Luhn ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "digit"),
    [("7992739871", 3), ("49015420323751", 8), ("894450010219830482", 6), ("0", 0), ("1", 8)],
)
def test_luhn_check_digit_of_known_numbers(payload: str, digit: int) -> None:
    assert luhn_check_digit(payload) == digit


@pytest.mark.parametrize("payload", ["", "12a4", "12 34", "١٢٣", "²"])
def test_luhn_check_digit_refuses_anything_but_ascii_digits(payload: str) -> None:
    with pytest.raises(ValueError, match="ASCII digits"):
        luhn_check_digit(payload)


@pytest.mark.parametrize("number", ["", "0", "7", "79927398710", "7992739871a", "١٨", "+18"])
def test_luhn_valid_says_no_without_raising(number: str) -> None:
    assert luhn_valid(number) is False


@given(digit_strings)
def test_appending_the_check_digit_makes_any_body_valid(body: str) -> None:
    assert luhn_valid(with_check_digit(body))


@given(digit_strings, st.data())
def test_changing_any_single_digit_breaks_validity(body: str, data: st.DataObject) -> None:
    number = with_check_digit(body)
    index = data.draw(st.integers(0, len(number) - 1), label="index")
    shift = data.draw(st.integers(1, 9), label="shift")
    changed = number[:index] + str((int(number[index]) + shift) % 10) + number[index + 1 :]
    assert not luhn_valid(changed)


@given(st.text())
def test_luhn_valid_never_raises(text: str) -> None:
    assert luhn_valid(text) in (True, False)


# --- ICCID --------------------------------------------------------------------------------


@pytest.mark.parametrize("literal", ["8944500102198304826", "89014103211118510720"])
def test_known_valid_iccids(literal: str) -> None:
    assert luhn_valid(literal)
    iccid = parse_iccid(literal)
    assert iccid == Iccid(literal)
    assert str(iccid) == literal


@pytest.mark.parametrize(
    "typed",
    [" 8944 5001 0219 8304 826 ", "8944-5001-0219-8304-826", "8944\u00a05001\u00a002198304826"],
)
def test_spaces_and_dashes_in_an_iccid_are_removed(typed: str) -> None:
    assert str(parse_iccid(typed)) == "8944500102198304826"


@pytest.mark.parametrize("body_length", [18, 19])
def test_constructed_iccids_of_both_lengths_are_accepted(body_length: int) -> None:
    number = with_check_digit(("8949" + "0123456789" * 2)[:body_length])
    assert len(parse_iccid(number).value) == body_length + 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("8944500102198304827", "ICCID check digit is wrong (expected 6)."),
        ("89014103211118510721", "ICCID check digit is wrong (expected 0)."),
        ("8844500102198304826", "ICCID must start with 89."),
        ("490154203237518", "ICCID must start with 89."),
        ("894450010219830482", "ICCID must have 19 or 20 digits (this one has 18)."),
        ("894450010219830482612", "ICCID must have 19 or 20 digits (this one has 21)."),
        ("8", "ICCID must have 19 or 20 digits (this one has 1)."),
        ("89445001O2198304826", 'ICCID can only contain digits, not "O".'),
        ("8944500102198304826\x00", "ICCID can only contain digits, not U+0000."),
        ("   ", "Enter the ICCID."),
    ],
)
def test_bad_iccids_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_iccid(text)
    assert (info.value.message, info.value.field) == (message, "iccid")


def test_an_iccid_cannot_be_constructed_invalid() -> None:
    with pytest.raises(ValidationError, match="check digit"):
        Iccid("8944500102198304820")


@given(st.text(DIGITS, min_size=16, max_size=17))
def test_iccid_round_trips_through_str(tail: str) -> None:
    iccid = parse_iccid(with_check_digit("89" + tail))
    assert parse_iccid(str(iccid)) == iccid


@given(st.one_of(st.text(), st.text("0123456789 -8O+\u00a0", max_size=24)))
def test_parse_iccid_raises_only_validation_errors(text: str) -> None:
    result = outcome(parse_iccid, text)
    if isinstance(result, ValidationError):
        assert result.field == "iccid" and result.message
    else:
        assert luhn_valid(result.value) and result.value.startswith("89")


# --- IMEI ---------------------------------------------------------------------------------


def test_a_real_format_imei_is_accepted_with_its_tac() -> None:
    imei = parse_imei("49-015420-323751-8")
    assert imei == Imei("490154203237518")
    assert imei.tac == "49015420"
    assert str(imei) == "490154203237518"


@pytest.mark.parametrize("imeisv", ["4901542032375101", "49 015420 323751 99"])
def test_an_imeisv_is_normalised_to_the_imei(imeisv: str) -> None:
    assert parse_imei(imeisv) == Imei("490154203237518")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("490154203237519", "IMEI check digit is wrong (expected 8)."),
        ("49015420323751", "IMEI must have 15 digits (this one has 14)."),
        ("49015420323751812", "IMEI must have 15 digits (this one has 17)."),
        ("4901542O3237518", 'IMEI can only contain digits, not "O".'),
        ("IMEI:490154203237518", 'IMEI can only contain digits, not "I".'),
        ("", "Enter the IMEI."),
    ],
)
def test_bad_imeis_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_imei(text)
    assert (info.value.message, info.value.field) == (message, "imei")


@given(st.text(DIGITS, min_size=14, max_size=14), st.text(DIGITS, min_size=2, max_size=2))
def test_imei_round_trips_and_imeisv_maps_to_it(body: str, software_version: str) -> None:
    imei = parse_imei(with_check_digit(body))
    assert parse_imei(str(imei)) == imei
    assert parse_imei(body + software_version) == imei
    assert imei.tac == body[:8]


@given(st.one_of(st.text(), st.text("0123456789 -O", max_size=20)))
def test_parse_imei_raises_only_validation_errors(text: str) -> None:
    result = outcome(parse_imei, text)
    if isinstance(result, ValidationError):
        assert result.field == "imei" and result.message
    else:
        assert len(result.value) == 15 and luhn_valid(result.value)
