"""Customer 360 insights as a whole: nothing known, the windows, source records, and order."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from insight_cases import CUSTOMER, NOW, TODAY, run

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
)


def test_nothing_known_gives_nothing() -> None:
    assert run() == []


def test_the_windows() -> None:
    windows = (RECENT_DAYS, PAYMENT_DAYS, UPGRADE_DAYS, DOCUMENT_DAYS, BIRTHDAY_DAYS)
    assert windows == (14, 60, 60, 60, 7)


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
