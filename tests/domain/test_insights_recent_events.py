"""Customer 360 insights that look back: recent changes and bad payments, and their windows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from insight_cases import NOW, SOURCE, run, µs

from domain.insights import PAYMENT_DAYS, RECENT_DAYS, EventFact, Insight, Level, PaymentFact


def event(kind: str, ago: timedelta, summary: str = "as asked") -> EventFact:
    return EventFact(SOURCE, kind, summary, NOW - ago)


def payment(status: str, ago: timedelta) -> PaymentFact:
    return PaymentFact(SOURCE, status, "49.90 EUR", "card", NOW - ago)


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
