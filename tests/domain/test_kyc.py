"""Know-your-customer: documents from machine-readable zones and the findings before storing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customers import DocumentType, IdDocument
from domain.identifiers.mrz import LABELS, MrzResult, check_digit, parse_mrz
from domain.kyc import (
    ADULT_AGE,
    EXPIRY_WARNING,
    Finding,
    Severity,
    document_from_mrz,
    is_minor,
    kyc_findings,
)

# ICAO 9303 specimens (the same zones as tests/domain/test_mrz.py): Anna Maria Eriksson of
# Utopia, born 12.08.1974, document valid to 15.04.2012.
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
TD1_LONG = [
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
]
SPECIMENS = {"TD1": TD1, "TD2": TD2, "TD3": TD3}
# (row, column) of each check digit.
CHECK_DIGITS = {
    "TD3": {"document_number": (1, 9), "birth_date": (1, 19), "expiry_date": (1, 27),
            "optional_data": (1, 42), "composite": (1, 43)},
    "TD2": {"document_number": (1, 9), "birth_date": (1, 19), "expiry_date": (1, 27),
            "composite": (1, 35)},
    "TD1": {"document_number": (0, 14), "birth_date": (1, 6), "expiry_date": (1, 14),
            "composite": (1, 29)},
}  # fmt: skip
BORN = date(1974, 8, 12)
EXPIRES = date(2012, 4, 15)
# A day on which the specimens were valid and not about to expire.
SPECIMEN_DAY = date(2011, 6, 1)
TODAY = date(2026, 6, 15)


def parse(lines: list[str], today: date = SPECIMEN_DAY) -> MrzResult:
    return parse_mrz("\n".join(lines), today=today)


def corrupt(lines: list[str], row: int, column: int) -> list[str]:
    """The lines with the check digit at (row, column) changed ("<" counts as 0)."""
    old = lines[row][column]
    new = str(((0 if old == "<" else int(old)) + 1) % 10)
    return [
        line[:column] + new + line[column + 1 :] if index == row else line
        for index, line in enumerate(lines)
    ]


def findings(
    document: IdDocument | None,
    birth_date: date | None = None,
    *,
    today: date = TODAY,
    postpaid_min_age: int = 18,
    require_document: bool = True,
) -> list[Finding]:
    return kyc_findings(
        document=document,
        birth_date=birth_date,
        today=today,
        postpaid_min_age=postpaid_min_age,
        require_document=require_document,
    )


def codes(found: list[Finding]) -> list[str]:
    return [f.code for f in found]


def id_card(expiry: date, **changes: object) -> IdDocument:
    return replace(IdDocument(DocumentType.ID_CARD, "L01X00T47", "DEU", expiry), **changes)


# --- documents from the zone --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "doc_type", "number"),
    [
        ("TD1", DocumentType.ID_CARD, "D23145890"),
        ("TD2", DocumentType.ID_CARD, "D23145890"),
        ("TD3", DocumentType.PASSPORT, "L898902C3"),
    ],
)
def test_specimens_become_verified_documents(
    kind: str, doc_type: DocumentType, number: str
) -> None:
    assert document_from_mrz(parse(SPECIMENS[kind])) == IdDocument(
        doc_type=doc_type,
        number=number,
        issuing_country="UTO",
        expiry=EXPIRES,
        birth_date=BORN,
        nationality="UTO",
        from_mrz=True,
        review_reason="",
    )


def test_a_long_document_number_is_kept_whole() -> None:
    doc = document_from_mrz(parse(TD1_LONG))
    assert doc is not None
    assert (doc.number, doc.expiry, doc.birth_date) == (
        "D23145890734",
        date(2095, 7, 12),
        date(1934, 7, 12),
    )
    assert not doc.needs_review


@pytest.mark.parametrize(
    ("code", "doc_type"),
    [
        ("P", DocumentType.PASSPORT),
        ("PD", DocumentType.PASSPORT),
        ("PO", DocumentType.PASSPORT),
        ("I", DocumentType.ID_CARD),
        ("ID", DocumentType.ID_CARD),
        ("A", DocumentType.ID_CARD),
        ("AC", DocumentType.ID_CARD),
        ("C", DocumentType.ID_CARD),
        ("IR", DocumentType.RESIDENCE_PERMIT),
        ("AR", DocumentType.RESIDENCE_PERMIT),
    ],
)
def test_document_type_codes(code: str, doc_type: DocumentType) -> None:
    lines = [code.ljust(2, "<") + TD1[0][2:], *TD1[1:]]  # the type is under no check digit
    doc = document_from_mrz(parse(lines))
    assert doc is not None and doc.doc_type is doc_type and not doc.needs_review


@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, field) for kind, positions in CHECK_DIGITS.items() for field in positions],
)
def test_one_wrong_check_digit_sends_the_document_to_review_naming_the_field(
    kind: str, field: str
) -> None:
    lines = corrupt(SPECIMENS[kind], *CHECK_DIGITS[kind][field])
    doc = document_from_mrz(parse(lines))
    assert doc is not None and doc.needs_review and doc.from_mrz
    failed = [LABELS[field]] if field == "composite" else [LABELS[field], LABELS["composite"]]
    assert doc.review_reason == "Check digit failed or field unreadable: " + ", ".join(failed)
    assert LABELS[field] in doc.review_reason
    # The fields are still read so that the second line can compare them with the card.
    assert (doc.issuing_country, doc.expiry, doc.birth_date) == ("UTO", EXPIRES, BORN)

    found = findings(doc, BORN, today=SPECIMEN_DAY)
    assert [(f.severity, f.code) for f in found] == [(Severity.REVIEW, "needs_review")]
    assert found[0].message == (
        f"{doc.review_reason}. The document will be stored as 'needs manual review'."
    )


def test_a_wrong_document_number_digit_says_document_number() -> None:
    doc = document_from_mrz(parse(corrupt(TD3, 1, 9)))
    assert doc is not None
    assert doc.review_reason == (
        "Check digit failed or field unreadable: document number, whole zone (final check digit)"
    )


def with_dates(lines: list[str], birth: str, expiry: str) -> list[str]:
    """The TD3 lines with new dates and every check digit recomputed."""
    bottom = lines[1]
    bottom = bottom[:13] + birth + str(check_digit(birth)) + bottom[20]
    bottom += expiry + str(check_digit(expiry)) + lines[1][28:43]
    bottom += str(check_digit(bottom[0:10] + bottom[13:20] + bottom[21:43]))
    return [lines[0], bottom]


def test_recomputed_dates_keep_the_zone_valid() -> None:
    assert parse(with_dates(TD3, "740812", "120415")) == parse(TD3)


def test_an_unreadable_expiry_date_gives_no_document_and_a_block() -> None:
    result = parse(with_dates(TD3, "740812", "121315"))
    assert result.expiry_date is None and "expiry_date" in result.failed_checks
    assert document_from_mrz(result) is None
    assert [(f.severity, f.code) for f in findings(None, BORN)] == [(Severity.BLOCK, "no_document")]


def test_an_unreadable_birth_date_is_sent_to_review() -> None:
    doc = document_from_mrz(parse(with_dates(TD3, "741312", "120415")))
    assert doc is not None and doc.birth_date is None
    assert doc.review_reason == "Check digit failed or field unreadable: date of birth"
    assert codes(findings(doc, BORN, today=SPECIMEN_DAY)) == ["needs_review"]


def test_an_expired_specimen_is_blocked() -> None:
    doc = document_from_mrz(parse(TD3, today=TODAY))
    found = findings(doc, BORN)
    assert [(f.severity, f.code) for f in found] == [(Severity.BLOCK, "expired")]
    assert found[0].message == "The document expired on 15.04.2012; ask for a valid one."


def test_a_specimen_with_another_birth_date_entered_is_blocked() -> None:
    doc = document_from_mrz(parse(TD1))
    found = findings(doc, date(1974, 12, 8), today=SPECIMEN_DAY)
    assert [(f.severity, f.code) for f in found] == [(Severity.BLOCK, "birth_date_mismatch")]
    assert found[0].message == ("The document says born 12.08.1974, but 08.12.1974 was entered.")


# --- findings -----------------------------------------------------------------------------


def test_a_valid_document_of_an_adult_has_no_findings() -> None:
    assert findings(id_card(TODAY + timedelta(days=365)), date(1990, 5, 17)) == []


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (-365, [(Severity.BLOCK, "expired")]),
        (-1, [(Severity.BLOCK, "expired")]),
        (0, [(Severity.NOTE, "expires_soon")]),  # valid through its last day
        (1, [(Severity.NOTE, "expires_soon")]),
        (EXPIRY_WARNING.days, [(Severity.NOTE, "expires_soon")]),
        (EXPIRY_WARNING.days + 1, []),
    ],
)
def test_expiry(days_left: int, expected: list[tuple[Severity, str]]) -> None:
    expiry = TODAY + timedelta(days=days_left)
    found = findings(id_card(expiry), date(1990, 5, 17))
    assert [(f.severity, f.code) for f in found] == expected
    if expected and expected[0][1] == "expires_soon":
        assert found[0].message == f"The document expires on {expiry:%d.%m.%Y}."


def test_the_expiry_warning_is_60_days() -> None:
    assert timedelta(days=60) == EXPIRY_WARNING


@pytest.mark.parametrize(
    ("on_document", "entered", "mismatch"),
    [
        (date(1990, 5, 17), date(1990, 5, 17), False),
        (date(1990, 5, 17), date(1990, 5, 18), True),
        (date(1990, 5, 17), date(1991, 5, 17), True),
        (None, date(1990, 5, 17), False),
        (date(1990, 5, 17), None, False),
    ],
)
def test_birth_date_mismatch_blocks(
    on_document: date | None, entered: date | None, mismatch: bool
) -> None:
    doc = id_card(TODAY + timedelta(days=365), birth_date=on_document)
    found = findings(doc, entered)
    assert ("birth_date_mismatch" in codes(found)) is mismatch
    assert all(f.severity is Severity.BLOCK for f in found if f.code == "birth_date_mismatch")


@pytest.mark.parametrize(
    ("born", "postpaid_min_age", "expected"),
    [
        (date(2008, 6, 15), 18, ["birthday"]),  # 18 today
        (date(2008, 6, 16), 18, ["under_postpaid_age", "minor"]),  # 18 tomorrow
        (date(2008, 6, 16), 16, ["minor"]),
        (date(2006, 6, 16), 21, ["under_postpaid_age"]),  # 19: adult, but not for postpaid
        (date(2005, 6, 15), 21, ["birthday"]),  # 21 today
        (date(2016, 1, 1), 18, ["under_postpaid_age", "minor"]),
    ],
)
def test_age_notes(born: date, postpaid_min_age: int, expected: list[str]) -> None:
    found = findings(None, born, postpaid_min_age=postpaid_min_age, require_document=False)
    assert codes(found) == expected
    assert all(f.severity is Severity.NOTE for f in found)


def test_age_note_messages() -> None:
    found = findings(None, date(2009, 1, 1), postpaid_min_age=18, require_document=False)
    assert [f.message for f in found] == [
        "Age 17: postpaid plans need 18+; prepaid offers only.",
        "Under 18: a parent or guardian gives the consents.",
    ]


def test_the_age_comes_from_the_document_when_none_was_entered() -> None:
    doc = id_card(TODAY + timedelta(days=365), birth_date=date(2012, 3, 3))
    assert codes(findings(doc, None)) == ["under_postpaid_age", "minor"]


def test_a_birthday_is_noted() -> None:
    found = findings(id_card(TODAY + timedelta(days=365)), date(1990, 6, 15))
    assert [(f.severity, f.code) for f in found] == [(Severity.NOTE, "birthday")]


def test_no_document_blocks_only_when_one_is_required() -> None:
    found = findings(None, date(1990, 5, 17))
    assert [(f.severity, f.code, f.message) for f in found] == [
        (Severity.BLOCK, "no_document", "Scan or enter an identity document.")
    ]
    assert findings(None, date(1990, 5, 17), require_document=False) == []
    assert findings(None, None, require_document=False) == []


def test_findings_come_most_severe_first() -> None:
    doc = id_card(
        TODAY - timedelta(days=1),
        birth_date=date(2010, 1, 1),
        review_reason="Check digit failed or field unreadable: expiry date",
    )
    found = findings(doc, date(2010, 1, 2))
    assert [f.severity for f in found] == [
        Severity.BLOCK,
        Severity.BLOCK,
        Severity.REVIEW,
        Severity.NOTE,
        Severity.NOTE,
    ]
    assert set(codes(found[:2])) == {"expired", "birth_date_mismatch"}
    assert set(codes(found[3:])) == {"under_postpaid_age", "minor"}


SEVERITY_OF = {
    "no_document": Severity.BLOCK,
    "expired": Severity.BLOCK,
    "birth_date_mismatch": Severity.BLOCK,
    "needs_review": Severity.REVIEW,
    "expires_soon": Severity.NOTE,
    "under_postpaid_age": Severity.NOTE,
    "minor": Severity.NOTE,
    "birthday": Severity.NOTE,
}
some_day = st.dates(date(1900, 1, 1), date(2100, 12, 31))


@st.composite
def documents(draw: st.DrawFn) -> IdDocument | None:
    if draw(st.booleans()):
        return None
    return id_card(
        draw(some_day),
        birth_date=draw(st.none() | some_day),
        review_reason=draw(st.sampled_from(["", "Check digit failed or field unreadable: x"])),
    )


@given(
    documents(),
    st.none() | some_day,
    some_day,
    st.integers(14, 21),
    st.booleans(),
)
def test_findings_are_sorted_and_each_kind_has_its_severity(
    doc: IdDocument | None,
    birth_date: date | None,
    today: date,
    postpaid_min_age: int,
    require_document: bool,
) -> None:
    found = findings(
        doc,
        birth_date,
        today=today,
        postpaid_min_age=postpaid_min_age,
        require_document=require_document,
    )
    assert [f.severity for f in found] == sorted((f.severity for f in found), reverse=True)
    assert all(SEVERITY_OF[f.code] is f.severity and f.message for f in found)
    assert len(set(codes(found))) == len(found)
    blocked = any(f.severity is Severity.BLOCK for f in found)
    expected_block = (
        (doc is None and require_document)
        or (doc is not None and doc.expiry < today)
        or (
            doc is not None
            and None not in (doc.birth_date, birth_date)
            and doc.birth_date != birth_date
        )
    )
    assert blocked == expected_block
    assert ("needs_review" in codes(found)) == (doc is not None and doc.needs_review)


# --- minors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "today", "minor"),
    [
        (None, TODAY, False),
        (date(2008, 6, 16), TODAY, True),
        (date(2008, 6, 15), TODAY, False),
        (date(2008, 2, 29), date(2026, 2, 28), True),  # 18 on 1 March in a common year
        (date(2008, 2, 29), date(2026, 3, 1), False),
        (TODAY, TODAY, True),
    ],
)
def test_is_minor(born: date | None, today: date, minor: bool) -> None:
    assert is_minor(born, today) is minor


def test_adult_age_is_18() -> None:
    assert ADULT_AGE == 18
