"""Why the customer is probably here: insights computed from their records.

:func:`insights` reads plain facts (the app layer loads them) and returns what the
consultant should see first, most urgent first. Every insight names its source record
(``source_kind`` and ``source_id``) so the screen can jump to it.

Rules:

- A plan change, an add-on added or removed, or a SIM swap in the last ``RECENT_DAYS``
  days. A SIM swap is an alert: it is the usual first step of account takeover fraud.
- A payment that was declined, failed or refunded in the last ``PAYMENT_DAYS`` days.
- Each open case with its SLA state (breached, due within a day, or on time).
- A commitment ending within ``UPGRADE_DAYS`` days: an upgrade chance.
- An identity document expired or expiring within ``DOCUMENT_DAYS`` days.
- A birthday today or within the next ``BIRTHDAY_DAYS`` days.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

RECENT_DAYS = 14
PAYMENT_DAYS = 60
UPGRADE_DAYS = 60
DOCUMENT_DAYS = 60
BIRTHDAY_DAYS = 7

CHANGE_KINDS = {
    "plan_change": "Plan changed",
    "addon": "Add-on added",
    "addon_removed": "Add-on removed",
    "service_added": "Service added",
    "sim_swap": "SIM swapped",
}
BAD_PAYMENTS = {"declined": "declined", "failed": "failed", "refunded": "refunded"}


class Level(enum.IntEnum):
    INFO = 1
    OPPORTUNITY = 2
    WARNING = 3
    ALERT = 4


@dataclass(frozen=True)
class Insight:
    level: Level
    kind: str
    text: str
    source_kind: str  # "interaction", "payment", "case", "subscription", "document", "customer"
    source_id: uuid.UUID | None


@dataclass(frozen=True)
class EventFact:
    id: uuid.UUID
    kind: str
    summary: str
    occurred_at: datetime


@dataclass(frozen=True)
class SubscriptionFact:
    id: uuid.UUID
    msisdn: str
    plan_name: str
    status: str
    commitment_end: date | None


@dataclass(frozen=True)
class PaymentFact:
    id: uuid.UUID
    status: str
    amount: str  # already formatted, e.g. "49.90 EUR"
    tender: str
    occurred_at: datetime


@dataclass(frozen=True)
class CaseFact:
    id: uuid.UUID
    number: str
    title: str
    status: str
    due_at: datetime | None


@dataclass(frozen=True)
class DocumentFact:
    id: uuid.UUID
    label: str
    expiry: date
    needs_review: bool = False


def insights(
    *,
    now: datetime,
    birth_date: date | None,
    events: list[EventFact],
    subscriptions: list[SubscriptionFact],
    payments: list[PaymentFact],
    cases: list[CaseFact],
    documents: list[DocumentFact],
    customer_id: uuid.UUID | None = None,
) -> list[Insight]:
    today = now.date()
    out: list[Insight] = []
    recent = now - timedelta(days=RECENT_DAYS)
    for event in events:
        label = CHANGE_KINDS.get(event.kind)
        if label is None or event.occurred_at < recent:
            continue
        days = (now - event.occurred_at).days
        when = "today" if days == 0 else f"{_days(days)} ago"
        level = Level.ALERT if event.kind == "sim_swap" else Level.INFO
        out.append(
            Insight(level, event.kind, f"{label} {when} — {event.summary}", "interaction", event.id)
        )
    since = now - timedelta(days=PAYMENT_DAYS)
    for payment in payments:
        word = BAD_PAYMENTS.get(payment.status)
        if word is None or payment.occurred_at < since:
            continue
        out.append(
            Insight(
                Level.WARNING,
                f"payment_{payment.status}",
                f"{payment.tender.capitalize()} payment of {payment.amount} {word} "
                f"on {payment.occurred_at:%d.%m.%Y}",
                "payment",
                payment.id,
            )
        )
    for case in cases:
        if case.due_at is None:
            state, level = "no SLA", Level.INFO
        elif case.due_at < now:
            state, level = f"SLA breached {case.due_at:%d.%m. %H:%M}", Level.ALERT
        elif case.due_at - now <= timedelta(days=1):
            state, level = f"due {case.due_at:%d.%m. %H:%M}", Level.WARNING
        else:
            state, level = f"due {case.due_at:%d.%m.%Y}", Level.INFO
        out.append(
            Insight(
                level,
                "open_case",
                f"Open case {case.number} ({case.status}): {case.title} — {state}",
                "case",
                case.id,
            )
        )
    for sub in subscriptions:
        end = sub.commitment_end
        if end is None or sub.status != "active":
            continue
        left = (end - today).days
        if 0 <= left <= UPGRADE_DAYS:
            out.append(
                Insight(
                    Level.OPPORTUNITY,
                    "commitment_ending",
                    f"Commitment on {sub.msisdn} ({sub.plan_name}) ends {end:%d.%m.%Y}, "
                    f"in {_days(left)}: upgrade chance",
                    "subscription",
                    sub.id,
                )
            )
    for doc in documents:
        left = (doc.expiry - today).days
        if left < 0:
            text, level = f"{doc.label} expired on {doc.expiry:%d.%m.%Y}", Level.WARNING
        elif left <= DOCUMENT_DAYS:
            text, level = f"{doc.label} expires on {doc.expiry:%d.%m.%Y}", Level.INFO
        else:
            text, level = "", Level.INFO
        if text:
            out.append(Insight(level, "document_expiry", text, "document", doc.id))
        if doc.needs_review:
            out.append(
                Insight(
                    Level.WARNING,
                    "document_review",
                    f"{doc.label} needs a manual review",
                    "document",
                    doc.id,
                )
            )
    if birth_date is not None:
        days = days_to_birthday(birth_date, today)
        if days <= BIRTHDAY_DAYS:
            text = "Birthday today" if days == 0 else f"Birthday in {_days(days)}"
            out.append(Insight(Level.OPPORTUNITY, "birthday", text, "customer", customer_id))
    out.sort(key=lambda i: -i.level)
    return out


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def days_to_birthday(born: date, today: date) -> int:
    """Days until the next birthday (0 today); 29 February is celebrated on 28 February."""

    def on(year: int) -> date:
        try:
            return born.replace(year=year)
        except ValueError:
            return date(year, 2, 28)

    upcoming = on(today.year)
    if upcoming < today:
        upcoming = on(today.year + 1)
    return (upcoming - today).days
