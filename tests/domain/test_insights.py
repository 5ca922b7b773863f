"""Customer 360 insights: each rule, its window's edges, its source record, and the order."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.insights import (
    BIRTHDAY_DAYS,
    DOCUMENT_DAYS,
    PAYMENT_DAYS,
    RECENT_DAYS,
    UPGRADE_DAYS,
    CaseFact,
    DocumentFact,
    EventFact,
    Insight,
    Level,
    PaymentFact,
    SubscriptionFact,
    days_to_birthday,
    insights,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
SOURCE = uuid.UUID("00000000-0000-4000-8000-000000000001")
CUSTOMER = uuid.UUID("00000000-0000-4000-8000-0000000000c0")
µs = timedelta(microseconds=1)


def run(
    *,
    now: datetime = NOW,
    birth_date: date | None = None,
    events: list[EventFact] | None = None,
    subscriptions: list[SubscriptionFact] | None = None,
    payments: list[PaymentFact] | None = None,
    cases: list[CaseFact] | None = None,
    documents: list[DocumentFact] | None = None,
    customer_id: uuid.UUID | None = CUSTOMER,
) -> list[Insight]:
    return insights(
        now=now,
        birth_date=birth_date,
        events=events or [],
        subscriptions=subscriptions or [],
        payments=payments or [],
        cases=cases or [],
        documents=documents or [],
        customer_id=customer_id,
    )


def event(kind: str, ago: timedelta, summary: str = "as asked") -> EventFact:
    return EventFact(SOURCE, kind, summary, NOW - ago)


def payment(status: str, ago: timedelta) -> PaymentFact:
    return PaymentFact(SOURCE, status, "49.90 EUR", "card", NOW - ago)


def case(due_at: datetime | None) -> CaseFact:
    return CaseFact(SOURCE, "C-1042", "No signal at home", "in progress", due_at)


def subscription(ends_in: int | None, status: str = "active") -> SubscriptionFact:
    end = None if ends_in is None else TODAY + timedelta(days=ends_in)
    return SubscriptionFact(SOURCE, "+4915112345678", "Max 5G", status, end)


def document(expires_in: int, *, needs_review: bool = False) -> DocumentFact:
    return DocumentFact(SOURCE, "ID card", TODAY + timedelta(days=expires_in), needs_review)


def shown(found: list[Insight]) -> list[tuple[Level, str, str]]:
    return [(i.level, i.kind, i.text) for i in found]


def test_nothing_known_gives_nothing() -> None:
    assert run() == []


def test_the_windows() -> None:
    windows = (RECENT_DAYS, PAYMENT_DAYS, UPGRADE_DAYS, DOCUMENT_DAYS, BIRTHDAY_DAYS)
    assert windows == (14, 60, 60, 60, 7)


# --- recent changes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("plan_change", "Plan changed"),
        ("addon", "Add-on added"),
        ("addon_removed", "Add-on removed"),
        ("service_added", "Service added"),
    ],
)
def test_recent_changes_are_information(kind: str, label: str) -> None:
    found = run(events=[event(kind, timedelta(days=3), "to Max 5G")])
    assert found == [
        Insight(Level.INFO, kind, f"{label} 3 days ago — to Max 5G", "interaction", SOURCE)
    ]


def test_a_recent_sim_swap_is_an_alert() -> None:
    found = run(events=[event("sim_swap", timedelta(days=13), "lost phone")])
    assert found == [
        Insight(
            Level.ALERT, "sim_swap", "SIM swapped 13 days ago — lost phone", "interaction", SOURCE
        )
    ]


@pytest.mark.parametrize(
    ("ago", "when"),
    [
        (timedelta(0), "today"),
        (timedelta(hours=23, minutes=59), "today"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=2), "2 days ago"),
        (timedelta(days=RECENT_DAYS), "14 days ago"),
    ],
)
def test_how_long_ago(ago: timedelta, when: str) -> None:
    (found,) = run(events=[event("plan_change", ago)])
    assert found.text == f"Plan changed {when} — as asked"


@pytest.mark.parametrize("kind", ["plan_change", "sim_swap"])
def test_changes_older_than_14_days_are_left_out(kind: str) -> None:
    assert run(events=[event(kind, timedelta(days=RECENT_DAYS) + µs)]) == []
    assert len(run(events=[event(kind, timedelta(days=RECENT_DAYS))])) == 1


@pytest.mark.parametrize("kind", ["note", "call", "topup", "PLAN_CHANGE", ""])
def test_other_interactions_are_not_insights(kind: str) -> None:
    assert run(events=[event(kind, timedelta(days=1))]) == []


# --- payments -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["declined", "failed", "refunded"])
def test_bad_payments_within_60_days_are_warnings(status: str) -> None:
    found = run(payments=[payment(status, timedelta(days=PAYMENT_DAYS))])
    assert found == [
        Insight(
            Level.WARNING,
            f"payment_{status}",
            f"Card payment of 49.90 EUR {status} on 16.04.2026",
            "payment",
            SOURCE,
        )
    ]


@pytest.mark.parametrize("status", ["declined", "failed", "refunded"])
def test_bad_payments_older_than_60_days_are_left_out(status: str) -> None:
    assert run(payments=[payment(status, timedelta(days=PAYMENT_DAYS) + µs)]) == []


@pytest.mark.parametrize("status", ["approved", "captured", "pending", "voided", ""])
def test_other_payments_are_not_insights(status: str) -> None:
    assert run(payments=[payment(status, timedelta(days=1))]) == []


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


# --- the whole picture --------------------------------------------------------------------


def everything() -> tuple[list[Insight], dict[str, uuid.UUID]]:
    ids = {
        name: uuid.uuid4()
        for name in ("swap", "plan", "pay", "late", "soon", "calm", "sub", "doc", "review")
    }
    found = run(
        birth_date=date(1990, 6, 20),
        events=[
            EventFact(ids["plan"], "plan_change", "to Max 5G", NOW - timedelta(days=2)),
            EventFact(ids["swap"], "sim_swap", "lost phone", NOW - timedelta(hours=3)),
            EventFact(uuid.uuid4(), "plan_change", "old", NOW - timedelta(days=20)),
        ],
        subscriptions=[
            SubscriptionFact(ids["sub"], "+491", "M", "active", TODAY + timedelta(days=20)),
            SubscriptionFact(uuid.uuid4(), "+492", "S", "cancelled", TODAY + timedelta(days=5)),
        ],
        payments=[
            PaymentFact(ids["pay"], "declined", "10.00 EUR", "card", NOW - timedelta(days=5)),
            PaymentFact(uuid.uuid4(), "approved", "10.00 EUR", "card", NOW),
        ],
        cases=[
            CaseFact(ids["late"], "C-1", "Broken screen", "open", NOW - timedelta(hours=1)),
            CaseFact(ids["soon"], "C-2", "Porting", "open", NOW + timedelta(hours=2)),
            CaseFact(ids["calm"], "C-3", "Invoice", "open", NOW + timedelta(days=9)),
        ],
        documents=[
            DocumentFact(ids["doc"], "Passport", TODAY + timedelta(days=10)),
            DocumentFact(ids["review"], "ID card", TODAY + timedelta(days=900), True),
        ],
    )
    return found, ids


def test_every_insight_names_its_source_record() -> None:
    found, ids = everything()
    sources = {(i.kind, i.source_kind, i.source_id) for i in found}
    assert sources == {
        ("sim_swap", "interaction", ids["swap"]),
        ("plan_change", "interaction", ids["plan"]),
        ("payment_declined", "payment", ids["pay"]),
        ("open_case", "case", ids["late"]),
        ("open_case", "case", ids["soon"]),
        ("open_case", "case", ids["calm"]),
        ("commitment_ending", "subscription", ids["sub"]),
        ("document_expiry", "document", ids["doc"]),
        ("document_review", "document", ids["review"]),
        ("birthday", "customer", CUSTOMER),
    }
    assert len(found) == len(sources)


def test_the_most_urgent_come_first() -> None:
    found, ids = everything()
    assert [i.level for i in found] == [
        Level.ALERT,
        Level.ALERT,
        Level.WARNING,
        Level.WARNING,
        Level.WARNING,
        Level.OPPORTUNITY,
        Level.OPPORTUNITY,
        Level.INFO,
        Level.INFO,
        Level.INFO,
    ]
    assert {i.source_id for i in found[:2]} == {ids["swap"], ids["late"]}
    assert {i.source_id for i in found[2:5]} == {ids["pay"], ids["soon"], ids["review"]}
    assert {i.kind for i in found[5:7]} == {"commitment_ending", "birthday"}


event_kinds = st.sampled_from(
    ["plan_change", "addon", "addon_removed", "service_added", "sim_swap", "note"]
)
payment_states = st.sampled_from(["declined", "failed", "refunded", "approved"])
ago = st.timedeltas(timedelta(0), timedelta(days=120))
offset = st.integers(-120, 120)


@given(
    st.none() | st.dates(date(1930, 1, 1), date(2026, 6, 15)),
    st.lists(
        st.builds(EventFact, st.uuids(), event_kinds, st.just("x"), ago.map(lambda a: NOW - a))
    ),
    st.lists(
        st.builds(
            SubscriptionFact,
            st.uuids(),
            st.just("+491"),
            st.just("M"),
            st.sampled_from(["active", "cancelled"]),
            st.none() | offset.map(lambda d: TODAY + timedelta(days=d)),
        )
    ),
    st.lists(
        st.builds(
            PaymentFact,
            st.uuids(),
            payment_states,
            st.just("1 EUR"),
            st.just("card"),
            ago.map(lambda a: NOW - a),
        )
    ),
    st.lists(
        st.builds(
            CaseFact,
            st.uuids(),
            st.just("C"),
            st.just("t"),
            st.just("open"),
            st.none() | st.timedeltas(-timedelta(days=5), timedelta(days=5)).map(lambda d: NOW + d),
        )
    ),
    st.lists(
        st.builds(
            DocumentFact,
            st.uuids(),
            st.just("ID card"),
            offset.map(lambda d: TODAY + timedelta(days=d)),
            st.booleans(),
        )
    ),
)
def test_insights_are_sorted_and_traceable(
    birth_date: date | None,
    events: list[EventFact],
    subscriptions: list[SubscriptionFact],
    payments: list[PaymentFact],
    cases: list[CaseFact],
    documents: list[DocumentFact],
) -> None:
    found = run(
        birth_date=birth_date,
        events=events,
        subscriptions=subscriptions,
        payments=payments,
        cases=cases,
        documents=documents,
    )
    assert [i.level for i in found] == sorted((i.level for i in found), reverse=True)
    records = {
        "interaction": {e.id for e in events},
        "subscription": {s.id for s in subscriptions},
        "payment": {p.id for p in payments},
        "case": {c.id for c in cases},
        "document": {d.id for d in documents},
        "customer": {CUSTOMER},
    }
    assert all(i.source_id in records[i.source_kind] for i in found)
    assert sum(i.kind == "open_case" for i in found) == len(cases)
    assert sum(i.kind == "document_review" for i in found) == sum(d.needs_review for d in documents)
    assert all(i.level is Level.ALERT for i in found if i.kind == "sim_swap")
