"""Customer rules: names and skeletons, field validators, KYC findings, 360 insights."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import add_months
from domain.customers import (
    Address,
    Consent,
    ConsentPurpose,
    DocumentType,
    GivenBy,
    IdDocument,
    age_on,
    mask_identifier,
    parse_day,
    validate_address,
    validate_consents,
    validate_document,
    validate_email,
    validate_person_name,
)
from domain.errors import ValidationError
from domain.identifiers.mrz import parse_mrz
from domain.insights import (
    CaseFact,
    DocumentFact,
    EventFact,
    Level,
    PaymentFact,
    SubscriptionFact,
    days_to_birthday,
    insights,
)
from domain.kyc import Severity, document_from_mrz, kyc_findings
from domain.names import latin, skeleton, within_edits

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variants",
    [
        ("Aleksandr", "Alexander", "Александр"),
        ("Shevchenko", "Schewtschenko", "Ševčenko", "Шевченко"),
        ("Yulia", "Julija", "Iuliia", "Юлия"),
        ("Müller", "Mueller", "Muller"),
        ("Solovyova", "Соловьёва", "Solovieva"),
        ("Yekaterina", "Ekaterina", "Екатерина"),
        ("Khrushchev", "Хрущёв"),
    ],
)
def test_spellings_of_one_name_share_a_skeleton(variants: tuple[str, ...]) -> None:
    assert len({skeleton(v) for v in variants}) == 1


def test_different_names_keep_different_skeletons() -> None:
    assert skeleton("Ivanova") != skeleton("Petrova")
    assert skeleton("Schmidt") != skeleton("Smirnov")


def test_latin_transliterates_and_drops_accents() -> None:
    assert latin("Щукин Ёлкин") == "shchukin elkin"
    assert latin("Łukasz Øster Straße") == "lukasz oster strasse"


def _levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


@given(st.text("abcd", max_size=8), st.text("abcd", max_size=8), st.integers(0, 3))
def test_within_edits_agrees_with_levenshtein(a: str, b: str, limit: int) -> None:
    assert within_edits(a, b, limit) == (_levenshtein(a, b) <= limit)


@given(st.text(max_size=40))
def test_skeleton_and_latin_never_fail(text: str) -> None:
    assert isinstance(skeleton(text), str)
    assert isinstance(latin(text), str)


# --- validators -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Zoë", "O'Brien", "Jean-Luc", "Ёлкин", "Łukasz", "Anna Maria"])
def test_real_names_pass(name: str) -> None:
    assert validate_person_name(f"  {name} ", field="first_name", label="first name") == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter the first name"),
        ("R2-D2", "letters"),
        ("Robert'); DROP TABLE customers;--", "letters"),
        ("😀", "letters"),
        ("a" * 101, "longer than 100"),
    ],
)
def test_bad_names_get_a_message_at_the_field(name: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        validate_person_name(name, field="first_name", label="first name")
    assert caught.value.field == "first_name"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("a.b+c@Example.ORG", "a.b+c@example.org"), ("user@münchen.de", "user@münchen.de"),
     ("", "")],
)  # fmt: skip
def test_good_emails(typed: str, stored: str) -> None:
    assert validate_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["no-at-sign", "a..b@example.org", "a.@example.org", "a b@example.org", "a@b",
     "a@example.123", "a@-example.org", "x" * 250 + "@example.org"],
)  # fmt: skip
def test_bad_emails(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_email(typed)
    assert caught.value.field == "email"


@given(st.text(max_size=80))
def test_validators_raise_only_validation_errors(text: str) -> None:
    for check in (
        lambda: validate_email(text),
        lambda: validate_person_name(text, field="f", label="name"),
        lambda: validate_address(Address(text, text, text, text)),
        lambda: parse_day(text, field="d", label="date"),
    ):
        with contextlib.suppress(ValidationError):
            check()


def test_ages_and_leap_day_birthdays() -> None:
    assert age_on(date(2008, 6, 16), TODAY) == 17
    assert age_on(date(2008, 6, 15), TODAY) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    assert days_to_birthday(date(2008, 2, 29), date(2026, 2, 20)) == 8
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_dates_typed_three_ways() -> None:
    for typed in ("17.05.1990", "17/5/1990", "1990-05-17"):
        assert parse_day(typed, field="d", label="date") == date(1990, 5, 17)
    with pytest.raises(ValidationError, match="not a real date"):
        parse_day("31.02.1990", field="d", label="date")
    with pytest.raises(ValidationError, match=r"DD\.MM\.YYYY"):
        parse_day("yesterday", field="d", label="date")


def test_document_address_and_consents() -> None:
    doc = validate_document(
        IdDocument(DocumentType.ID_CARD, " l01x-00t47 ", "deu", date(2030, 1, 1))
    )
    assert (doc.number, doc.issuing_country) == ("L01X00T47", "DEU")
    with pytest.raises(ValidationError) as caught:
        validate_document(IdDocument(DocumentType.PASSPORT, "X1", "DEU", date(2030, 1, 1)))
    assert caught.value.field == "doc_number"
    with pytest.raises(ValidationError) as caught:
        validate_address(Address("Main St 1", "Bonn", "!!", "DE"))
    assert caught.value.field == "address_postcode"
    answers = tuple(Consent(p, False) for p in ConsentPurpose)
    assert validate_consents(answers, minor=False) == answers
    with pytest.raises(ValidationError, match="partner companies"):
        validate_consents(answers[:2], minor=False)
    with pytest.raises(ValidationError, match="under 18"):
        validate_consents(answers, minor=True)
    with pytest.raises(ValidationError, match="name of the person"):
        validate_consents(tuple(Consent(p, True, GivenBy.PARENT) for p in ConsentPurpose),
                          minor=True)  # fmt: skip
    assert mask_identifier("L01X00T47") == "••••••T47"


# --- KYC --------------------------------------------------------------------------------


def test_mrz_specimen_becomes_a_verified_id_card() -> None:
    doc = document_from_mrz(parse_mrz(TD1, today=TODAY))
    assert doc is not None and doc.doc_type is DocumentType.ID_CARD
    assert (doc.number, doc.issuing_country, doc.birth_date) == (
        "D23145890", "UTO", date(1974, 8, 12),
    )  # fmt: skip
    assert not doc.needs_review


def test_a_wrong_check_digit_names_the_field_and_asks_for_review() -> None:
    broken = TD1.replace("7408122F", "7408123F")  # birth date check digit
    doc = document_from_mrz(parse_mrz(broken, today=TODAY))
    assert doc is not None and "date of birth" in doc.review_reason
    found = kyc_findings(document=doc, birth_date=doc.birth_date, today=date(2011, 1, 1),
                         postpaid_min_age=18)  # fmt: skip
    assert Severity.REVIEW in [f.severity for f in found]


def test_findings_block_review_and_note_most_severe_first() -> None:
    expired = IdDocument(
        DocumentType.ID_CARD, "X1234567", "DEU", TODAY - timedelta(days=1),
        birth_date=date(1990, 1, 1), review_reason="Check digit failed",
    )  # fmt: skip
    found = kyc_findings(document=expired, birth_date=date(1991, 1, 1), today=TODAY,
                         postpaid_min_age=18)  # fmt: skip
    assert [f.code for f in found][:2] in (
        ["expired", "birth_date_mismatch"], ["birth_date_mismatch", "expired"],
    )  # fmt: skip
    assert [f.severity for f in found] == sorted((f.severity for f in found), reverse=True)
    young = kyc_findings(document=None, birth_date=date(2010, 1, 1), today=TODAY,
                         postpaid_min_age=18)  # fmt: skip
    assert {f.code for f in young} == {"no_document", "under_postpaid_age", "minor"}
    soon = IdDocument(DocumentType.PASSPORT, "X1234567", "DEU", TODAY + timedelta(days=30))
    assert [f.code for f in kyc_findings(document=soon, birth_date=None, today=TODAY,
                                         postpaid_min_age=18)] == ["expires_soon"]  # fmt: skip


# --- insights ---------------------------------------------------------------------------


def _id() -> uuid.UUID:
    return uuid.uuid4()


def test_insights_with_their_sources_and_windows() -> None:
    swap, old, pay, case, sub, ended, doc = (_id() for _ in range(7))
    found = insights(
        now=NOW,
        birth_date=date(1990, 6, 20),
        events=[
            EventFact(swap, "sim_swap", "lost phone", NOW - timedelta(days=13)),
            EventFact(old, "plan_change", "old change", NOW - timedelta(days=15)),
        ],
        subscriptions=[
            SubscriptionFact(sub, "+491", "M", "active", TODAY + timedelta(days=60)),
            SubscriptionFact(ended, "+492", "S", "cancelled", TODAY + timedelta(days=5)),
        ],
        payments=[
            PaymentFact(pay, "declined", "10.00 EUR", "card", NOW - timedelta(days=59)),
            PaymentFact(_id(), "approved", "10.00 EUR", "card", NOW),
            PaymentFact(_id(), "refunded", "10.00 EUR", "card", NOW - timedelta(days=61)),
        ],
        cases=[CaseFact(case, "K-1", "Broken screen", "open", NOW - timedelta(hours=1))],
        documents=[DocumentFact(doc, "ID card", TODAY - timedelta(days=1))],
    )
    by_kind = {i.kind: i for i in found}
    assert set(by_kind) == {"sim_swap", "payment_declined", "open_case", "commitment_ending",
                            "document_expiry", "birthday"}  # fmt: skip
    assert by_kind["sim_swap"].source_id == swap and by_kind["sim_swap"].level is Level.ALERT
    assert by_kind["open_case"].level is Level.ALERT  # SLA breached an hour ago
    assert by_kind["commitment_ending"].source_id == sub
    assert by_kind["payment_declined"].source_id == pay
    assert by_kind["document_expiry"].source_kind == "document"
    assert by_kind["birthday"].text == "Birthday in 5 days"
    assert [i.level for i in found] == sorted((i.level for i in found), reverse=True)


def test_birthday_window_is_seven_days() -> None:
    def birthday(born: date) -> list[str]:
        return [i.text for i in insights(now=NOW, birth_date=born, events=[], subscriptions=[],
                                         payments=[], cases=[], documents=[])]  # fmt: skip

    assert birthday(date(2000, 6, 15)) == ["Birthday today"]
    assert birthday(date(2000, 6, 22)) == ["Birthday in 7 days"]
    assert birthday(date(2000, 6, 23)) == []


def test_an_underscore_is_not_allowed_in_a_domain() -> None:
    with pytest.raises(ValidationError, match="domain"):
        validate_email("a@ex_ample.org")
    assert validate_email("a@ex-ample.org") == "a@ex-ample.org"
