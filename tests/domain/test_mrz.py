"""ICAO 9303 machine-readable zones: specimens, corrupted check digits, generated documents."""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import TypeVar

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.errors import ValidationError
from domain.identifiers import MrzResult, check_digit, describe_failures, parse_mrz

T = TypeVar("T")
TODAY = date(2026, 6, 15)

TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]
TD2 = [
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "D231458907UTO7408122F1204159<<<<<<<6",
]
# ICAO 9303-5 specimen of a document number longer than 9 characters (D23145890734).
TD1_LONG = [
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
]
ERIKSSON = {
    "issuing_country": "UTO",
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "nationality": "UTO",
    "birth_date": date(1974, 8, 12),
    "sex": "F",
    "expiry_date": date(2012, 4, 15),
    "failed_checks": (),
}
ORDER = ("document_number", "birth_date", "expiry_date", "optional_data", "composite")


def outcome(parse: Callable[[str], T], text: str) -> T | ValidationError:
    """What ``parse`` returns, or the ValidationError it raised (anything else propagates)."""
    try:
        return parse(text)
    except ValidationError as error:
        return error


def parse(lines: list[str]) -> MrzResult:
    return parse_mrz("\n".join(lines), today=TODAY)


def corrupt(lines: list[str], row: int, column: int, shift: int = 1) -> list[str]:
    """The lines with one check digit changed ("<" counts as 0)."""
    old = lines[row][column]
    new = str(((0 if old == "<" else int(old)) + shift) % 10)
    return [
        line[:column] + new + line[column + 1 :] if index == row else line
        for index, line in enumerate(lines)
    ]


# --- check digit --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "digit"),
    [("L898902C3", 6), ("740812", 2), ("120415", 9), ("ZE184226B<<<<<", 1), ("D23145890734", 9)],
)
def test_check_digit_of_specimen_fields(value: str, digit: int) -> None:
    assert check_digit(value) == digit


def test_check_digit_refuses_characters_outside_the_mrz_alphabet() -> None:
    with pytest.raises(ValueError, match="cannot appear"):
        check_digit("ab")


# --- specimens ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (TD3, {"format": "TD3", "document_type": "P", "document_number": "L898902C3",
               "optional_data": "ZE184226B"}),
        (TD1, {"format": "TD1", "document_type": "I", "document_number": "D23145890",
               "optional_data": ""}),
        (TD2, {"format": "TD2", "document_type": "I", "document_number": "D23145890",
               "optional_data": ""}),
    ],
)  # fmt: skip
def test_icao_specimens_are_valid(lines: list[str], expected: dict[str, object]) -> None:
    result = parse(lines)
    assert result.valid
    assert {name: getattr(result, name) for name in {**ERIKSSON, **expected}} == {
        **ERIKSSON,
        **expected,
    }
    assert describe_failures(result) == "All check digits are correct."


def test_a_long_td1_document_number_continues_in_the_optional_data() -> None:
    result = parse(TD1_LONG)
    assert result.valid
    assert result.document_number == "D23145890734"
    assert (result.surname, result.given_names, result.sex) == ("STEVENSON", "PETER JOHN", "M")
    assert (result.birth_date, result.expiry_date) == (date(1934, 7, 12), date(2095, 7, 12))
    assert result.optional_data == ""


def test_a_wrong_check_digit_of_a_long_document_number_is_reported() -> None:
    result = parse(corrupt(TD1_LONG, 0, 18))
    assert result.failed_checks == ("document_number", "composite")


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(TD3).lower(),
        "\r\n\r\n  " + TD3[0] + "  \r\n\n\t" + TD3[1] + " \n\n",
        "".join(TD3),  # a reader that dropped the line break
    ],
)
def test_input_is_normalised(text: str) -> None:
    assert parse_mrz(text, today=TODAY) == parse(TD3)


# --- corrupted specimens ------------------------------------------------------------------

CHECK_DIGITS = {
    "TD3": (TD3, {"document_number": (1, 9), "birth_date": (1, 19), "expiry_date": (1, 27),
                  "optional_data": (1, 42), "composite": (1, 43)}),
    "TD2": (TD2, {"document_number": (1, 9), "birth_date": (1, 19), "expiry_date": (1, 27),
                  "composite": (1, 35)}),
    "TD1": (TD1, {"document_number": (0, 14), "birth_date": (1, 6), "expiry_date": (1, 14),
                  "composite": (1, 29)}),
}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, field) for kind, (_, positions) in CHECK_DIGITS.items() for field in positions],
)
def test_each_corrupted_check_digit_is_reported_by_name(kind: str, field: str) -> None:
    lines, positions = CHECK_DIGITS[kind]
    result = parse(corrupt(lines, *positions[field]))
    expected = (field,) if field == "composite" else (field, "composite")
    assert result.failed_checks == expected
    assert not result.valid
    assert result.format == kind and result.surname == "ERIKSSON"  # still read for review


def test_describe_failures_names_the_fields_in_plain_words() -> None:
    lines = corrupt(corrupt(TD3, 1, 9), 1, 27)
    assert describe_failures(parse(lines)) == (
        "Check digit failed for: document number, expiry date, whole zone (final check digit)"
    )


def test_an_impossible_date_is_none_and_reported() -> None:
    line = TD3[1][:13] + "741312" + str(check_digit("741312")) + TD3[1][20:]
    line = line[:43] + str(check_digit(line[0:10] + line[13:20] + line[21:43]))
    result = parse([TD3[0], line])
    assert result.birth_date is None
    assert result.failed_checks == ("birth_date",)
    assert not result.valid
    assert describe_failures(result) == "Check digit failed for: date of birth"


@pytest.mark.parametrize(
    ("yymmdd", "today", "year"),
    [("740812", TODAY, 1974), ("200101", TODAY, 2020), ("260615", TODAY, 2026),
     ("260616", TODAY, 1926), ("300101", TODAY, 1930), ("050505", date(2004, 1, 1), 1905)],
)  # fmt: skip
def test_birth_century_keeps_the_date_out_of_the_future(
    yymmdd: str, today: date, year: int
) -> None:
    line = TD2[1][:13] + yymmdd + TD2[1][19:]
    assert parse_mrz("\n".join([TD2[0], line]), today=today).birth_date == date(
        year, int(yymmdd[2:4]), int(yymmdd[4:])
    )


def test_sex_filler_reads_as_x_and_an_unused_personal_number_may_have_check_digit_0() -> None:
    line = "L898902C36UTO7408122<1204159<<<<<<<<<<<<<<0"
    line = line[:43] + str(check_digit(line[0:10] + line[13:20] + line[21:43]))
    result = parse([TD3[0], line])
    assert (result.sex, result.optional_data, result.failed_checks) == ("X", "", ())


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("", "found no text"),
        (TD3[0], "found 1 line of 44 characters"),
        (TD3[0] + "\n" + TD3[1][:-1], "found 2 lines of 44 and 43 characters"),
        ("\n".join(TD1[:2]), "found 2 lines of 30 and 30 characters"),
        ("\n".join([*TD3, TD3[1]]), "found 3 lines of 44, 44 and 44 characters"),
        ("\n".join(TD1) + "<", "found 3 lines of 30, 30 and 31 characters"),
    ],
)
def test_text_of_the_wrong_shape_is_refused(text: str, found: str) -> None:
    with pytest.raises(ValidationError, match=found) as info:
        parse_mrz(text)
    assert info.value.field == "mrz"
    assert "expected 3 lines of 30 characters (ID card)" in info.value.message


def test_characters_outside_the_mrz_alphabet_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        parse_mrz(TD3[0].replace("ANNA", "ÄNNA") + "\n" + TD3[1].replace("<<<<<10", "<<<<-10"))
    assert info.value.message == 'The MRZ can only contain A-Z, 0-9 and <, not "-", "Ä".'


# --- generated documents ------------------------------------------------------------------

ALNUM = string.ascii_uppercase + string.digits
WIDTH = {"TD1": 30, "TD2": 36, "TD3": 44}
NAME_WIDTH = {"TD1": 30, "TD2": 31, "TD3": 39}


@dataclass(frozen=True)
class Doc:
    kind: str
    document_type: str
    issuing_country: str
    surname: tuple[str, ...]
    given_names: tuple[str, ...]
    document_number: str
    nationality: str
    birth_date: date
    sex: str
    expiry_date: date
    optional: tuple[str, ...]  # TD3 personal number words; TD1/TD2 first optional field words
    optional2: tuple[str, ...]  # TD1 second optional field words

    def expected(self) -> MrzResult:
        return MrzResult(
            format=self.kind,
            document_type=self.document_type,
            issuing_country=self.issuing_country,
            surname=" ".join(self.surname),
            given_names=" ".join(self.given_names),
            document_number=self.document_number,
            nationality=self.nationality,
            birth_date=self.birth_date,
            sex="X" if self.sex == "<" else self.sex,
            expiry_date=self.expiry_date,
            optional_data=" ".join(self.optional + self.optional2),
            failed_checks=(),
        )


def yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def with_digit(value: str) -> str:
    return value + str(check_digit(value))


def build(doc: Doc) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """The MRZ lines of ``doc`` and where each check digit sits (row, column)."""
    names = "<".join(doc.surname) + ("<<" + "<".join(doc.given_names) if doc.given_names else "")
    header = doc.document_type.ljust(2, "<") + doc.issuing_country.ljust(3, "<")
    number, optional = doc.document_number, "<".join(doc.optional)
    if len(number) > 9:  # the long-number rule: "<" for the digit, the rest in optional data
        field, overflow = number[:9] + "<", with_digit(number)[9:]
        optional = overflow + ("<" + optional if optional else "")
    else:
        field = with_digit(number.ljust(9, "<"))
    dates = with_digit(yymmdd(doc.birth_date)) + doc.sex + with_digit(yymmdd(doc.expiry_date))
    nationality = doc.nationality.ljust(3, "<")
    if doc.kind == "TD1":
        top = header + field + optional.ljust(15, "<")
        middle = dates + nationality + "<".join(doc.optional2).ljust(11, "<")
        middle += str(check_digit(top[5:30] + middle[0:7] + middle[8:15] + middle[18:29]))
        lines = [top, middle, names.ljust(30, "<")]
        number_at = (0, 14 if len(number) <= 9 else 15 + len(number) - 9)
        positions = {"birth_date": (1, 6), "expiry_date": (1, 14), "composite": (1, 29)}
    else:
        width = WIDTH[doc.kind]
        if doc.kind == "TD3":
            personal = optional.ljust(14, "<")
            optional = personal + (str(check_digit(personal)) if doc.optional else "<")
        bottom = field + nationality + dates + optional.ljust(width - 29, "<")
        bottom += str(check_digit(bottom[0:10] + bottom[13:20] + bottom[21 : width - 1]))
        lines = [(header + names).ljust(width, "<"), bottom]
        number_at = (1, 9 if len(number) <= 9 else 28 + len(number) - 9)
        positions = {"birth_date": (1, 19), "expiry_date": (1, 27), "composite": (1, width - 1)}
        if doc.kind == "TD3":
            positions["optional_data"] = (1, 42)
    assert [len(line) for line in lines] == [WIDTH[doc.kind]] * len(lines), lines
    return lines, {"document_number": number_at, **positions}


def words(alphabet: str, most: int) -> st.SearchStrategy[tuple[str, ...]]:
    word = st.text(alphabet, min_size=1, max_size=8)
    return st.lists(word, min_size=0, max_size=most).map(tuple)


@st.composite
def docs(draw: st.DrawFn, kind: str) -> Doc:
    longest_number = {"TD1": 20, "TD2": 14, "TD3": 9}[kind]
    doc = Doc(
        kind=kind,
        document_type=draw(st.text(string.ascii_uppercase, min_size=1, max_size=2)),
        issuing_country=draw(st.text(string.ascii_uppercase, min_size=1, max_size=3)),
        surname=draw(words(string.ascii_uppercase, 3).filter(bool)),
        given_names=draw(words(string.ascii_uppercase, 3)),
        document_number=draw(st.text(ALNUM, min_size=1, max_size=longest_number)),
        nationality=draw(st.text(string.ascii_uppercase, min_size=1, max_size=3)),
        birth_date=draw(st.dates(date(1926, 6, 16), TODAY)),
        sex=draw(st.sampled_from("MF<")),
        expiry_date=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
        optional=draw(words(ALNUM, 3)),
        optional2=draw(words(ALNUM, 2)) if kind == "TD1" else (),
    )
    names = "<".join(doc.surname) + "<<" + "<".join(doc.given_names)
    assume(len(names) <= NAME_WIDTH[kind])
    optional = "<".join(doc.optional)
    overflow = len(doc.document_number) - 9 + 1 if len(doc.document_number) > 9 else 0
    room = {"TD1": 15, "TD2": 7, "TD3": 14}[kind] - overflow - (1 if overflow and optional else 0)
    assume(len(optional) <= room and len("<".join(doc.optional2)) <= 11)
    return doc


any_doc = st.sampled_from(sorted(WIDTH)).flatmap(docs)


@given(any_doc)
def test_generated_documents_parse_back_to_their_fields(doc: Doc) -> None:
    lines, _ = build(doc)
    result = parse(lines)
    assert result == doc.expected()
    assert result.valid


@given(any_doc, st.data())
def test_one_wrong_check_digit_names_exactly_that_field(doc: Doc, data: st.DataObject) -> None:
    lines, positions = build(doc)
    field = data.draw(st.sampled_from(sorted(positions)), label="field")
    shift = data.draw(st.integers(1, 9), label="shift")
    result = parse(corrupt(lines, *positions[field], shift))
    assert result.failed_checks == tuple(name for name in ORDER if name in {field, "composite"})
    assert replace(result, failed_checks=()) == doc.expected()


mrz_alphabet = st.text(ALNUM + "<", min_size=30, max_size=30)


@given(
    st.one_of(
        st.text(),
        st.lists(st.text(ALNUM + "< ", min_size=28, max_size=46), min_size=1, max_size=4).map(
            "\n".join
        ),
        st.lists(mrz_alphabet, min_size=3, max_size=3).map("\n".join),
    )
)
def test_parse_mrz_raises_only_validation_errors(text: str) -> None:
    result = outcome(partial(parse_mrz, today=TODAY), text)
    if isinstance(result, ValidationError):
        assert result.field == "mrz" and result.message
    else:
        assert set(result.failed_checks) <= set(ORDER)
        assert result.valid == (result.failed_checks == ())
