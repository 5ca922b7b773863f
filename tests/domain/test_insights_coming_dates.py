"""Customer 360 insights that look ahead: case SLAs, commitments, documents, and birthdays."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from insight_cases import CUSTOMER, NOW, SOURCE, TODAY, run, µs

from domain.insights import (
    DOCUMENT_DAYS,
    UPGRADE_DAYS,
    CaseFact,
    DocumentFact,
    Insight,
    Level,
    SubscriptionFact,
    days_to_birthday,
)


def case(due_at: datetime | None) -> CaseFact:
    return CaseFact(SOURCE, "C-1042", "No signal at home", "in progress", due_at)


def subscription(ends_in: int | None, status: str = "active") -> SubscriptionFact:
    end = None if ends_in is None else TODAY + timedelta(days=ends_in)
    return SubscriptionFact(SOURCE, "+4915112345678", "Max 5G", status, end)


def document(expires_in: int, *, needs_review: bool = False) -> DocumentFact:
    return DocumentFact(SOURCE, "ID card", TODAY + timedelta(days=expires_in), needs_review)


# --- cases --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_at", "level", "state"),
    [
        (NOW - timedelta(days=3), Level.ALERT, "SLA breached 12.06. 12:00"),
        (NOW - µs, Level.ALERT, "SLA breached 15.06. 11:59"),
        (NOW, Level.WARNING, "due 15.06. 12:00"),
        (NOW + timedelta(hours=5), Level.WARNING, "due 15.06. 17:00"),
        (NOW + timedelta(days=1), Level.WARNING, "due 16.06. 12:00"),
        (NOW + timedelta(days=1) + µs, Level.INFO, "due 16.06.2026"),
        (NOW + timedelta(days=10), Level.INFO, "due 25.06.2026"),
        (None, Level.INFO, "no SLA"),
    ],
)
def test_open_cases_with_their_sla(due_at: datetime | None, level: Level, state: str) -> None:
    assert run(cases=[case(due_at)]) == [
        Insight(
            level,
            "open_case",
            f"Open case C-1042 (in progress): No signal at home — {state}",
            "case",
            SOURCE,
        )
    ]


def test_every_case_given_is_listed() -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    found = run(cases=[CaseFact(i, f"C-{n}", "t", "open", None) for n, i in enumerate(ids)])
    assert [i.source_id for i in found] == ids


# --- commitments --------------------------------------------------------------------------


@pytest.mark.parametrize("ends_in", [0, 2, 30, UPGRADE_DAYS])
def test_a_commitment_ending_within_60_days_is_an_upgrade_chance(ends_in: int) -> None:
    end = TODAY + timedelta(days=ends_in)
    assert run(subscriptions=[subscription(ends_in)]) == [
        Insight(
            Level.OPPORTUNITY,
            "commitment_ending",
            f"Commitment on +4915112345678 (Max 5G) ends {end:%d.%m.%Y}, "
            f"in {ends_in} days: upgrade chance",
            "subscription",
            SOURCE,
        )
    ]


@pytest.mark.parametrize("ends_in", [None, -1, -400, UPGRADE_DAYS + 1, 700])
def test_other_commitments_are_not_insights(ends_in: int | None) -> None:
    assert run(subscriptions=[subscription(ends_in)]) == []


@pytest.mark.parametrize("status", ["suspended", "cancelled", "pending", "ACTIVE"])
def test_only_active_subscriptions_count(status: str) -> None:
    assert run(subscriptions=[subscription(10, status)]) == []


# --- documents ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_in", "level", "text"),
    [
        (-400, Level.WARNING, "ID card expired on 11.05.2025"),
        (-1, Level.WARNING, "ID card expired on 14.06.2026"),
        (0, Level.INFO, "ID card expires on 15.06.2026"),
        (30, Level.INFO, "ID card expires on 15.07.2026"),
        (DOCUMENT_DAYS, Level.INFO, "ID card expires on 14.08.2026"),
    ],
)
def test_document_expiry(expires_in: int, level: Level, text: str) -> None:
    assert run(documents=[document(expires_in)]) == [
        Insight(level, "document_expiry", text, "document", SOURCE)
    ]


def test_a_document_valid_for_more_than_60_days_is_not_an_insight() -> None:
    assert run(documents=[document(DOCUMENT_DAYS + 1)]) == []


def test_a_document_needing_review_is_a_warning() -> None:
    assert run(documents=[document(365, needs_review=True)]) == [
        Insight(
            Level.WARNING, "document_review", "ID card needs a manual review", "document", SOURCE
        )
    ]


def test_an_expired_document_needing_review_gives_both() -> None:
    found = run(documents=[document(-1, needs_review=True)])
    assert {(i.level, i.kind) for i in found} == {
        (Level.WARNING, "document_expiry"),
        (Level.WARNING, "document_review"),
    }
    assert {(i.source_kind, i.source_id) for i in found} == {("document", SOURCE)}


# --- birthdays ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "text"),
    [
        (date(1990, 6, 15), "Birthday today"),
        (date(1990, 6, 17), "Birthday in 2 days"),
        (date(1990, 6, 22), "Birthday in 7 days"),
        (date(2026, 6, 15), "Birthday today"),  # born today
    ],
)
def test_birthdays_within_a_week(born: date, text: str) -> None:
    assert run(birth_date=born) == [
        Insight(Level.OPPORTUNITY, "birthday", text, "customer", CUSTOMER)
    ]


@pytest.mark.parametrize("born", [date(1990, 6, 23), date(1990, 6, 14), date(1990, 12, 24)])
def test_birthdays_further_away_are_not_insights(born: date) -> None:
    assert run(birth_date=born) == []


def test_no_birth_date_no_birthday() -> None:
    assert run(birth_date=None) == []


def test_a_birthday_without_a_customer_id_has_no_source_id() -> None:
    (found,) = run(birth_date=date(1990, 6, 15), customer_id=None)
    assert (found.source_kind, found.source_id) == ("customer", None)


def test_one_day_is_singular() -> None:
    (birthday,) = run(birth_date=date(1990, 6, 16))
    (commitment,) = run(subscriptions=[subscription(1)])
    assert birthday.text == "Birthday in 1 day"
    assert "in 1 day:" in commitment.text


@pytest.mark.parametrize(
    ("today", "days"),
    [
        (date(2026, 2, 28), 0),  # a common year: 29 February is celebrated on 28 February
        (date(2026, 2, 21), 7),
        (date(2026, 2, 20), 8),
        (date(2026, 3, 1), 364),  # next is 28.02.2027
        (date(2028, 2, 28), 1),  # a leap year: on the day itself
        (date(2028, 2, 29), 0),
        (date(2028, 3, 1), 364),  # next is 28.02.2029
        (date(2027, 12, 31), 60),  # next is 29.02.2028
    ],
)
def test_days_to_a_29_february_birthday(today: date, days: int) -> None:
    assert days_to_birthday(date(2004, 2, 29), today) == days


def test_a_29_february_birthday_in_a_common_year_is_shown_on_28_february() -> None:
    on = datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    (found,) = run(now=on, birth_date=date(2004, 2, 29))
    assert found.text == "Birthday today"
    week_before = datetime(2026, 2, 21, 9, 0, tzinfo=UTC)
    assert run(now=week_before, birth_date=date(2004, 2, 29))[0].text == "Birthday in 7 days"
    assert run(now=week_before - timedelta(days=1), birth_date=date(2004, 2, 29)) == []


@pytest.mark.parametrize(
    ("born", "today", "days"),
    [
        (date(1990, 6, 15), TODAY, 0),
        (date(1990, 6, 16), TODAY, 1),
        (date(1990, 6, 14), TODAY, 364),
        (date(1990, 1, 3), date(2026, 12, 28), 6),  # across the new year
        (date(1990, 12, 31), date(2027, 12, 31), 0),
        (date(1990, 3, 1), date(2028, 2, 28), 2),  # 29.02.2028 lies between
    ],
)
def test_days_to_birthday(born: date, today: date, days: int) -> None:
    assert days_to_birthday(born, today) == days


@given(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.dates(date(1900, 1, 1), date(2099, 12, 31))
)
def test_the_next_birthday_is_within_a_year_and_on_the_birthday(born: date, today: date) -> None:
    days = days_to_birthday(born, today)
    assert 0 <= days <= 365
    day = today + timedelta(days=days)
    if (born.month, born.day) == (2, 29):
        leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
        assert (day.month, day.day) == ((2, 29) if leap else (2, 28))
    else:
        assert (day.month, day.day) == (born.month, born.day)
