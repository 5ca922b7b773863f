"""A completed sale with plans in it creates the customer's new lines (subscriptions).

Called by the sale service inside the completing transaction, so the order, the number
assignment, the SIM, the subscription, the timeline entry and the outbox rows commit
together or not at all.

Pairing: plans and SIM cards pair up in basket order (the first plan gets the first SIM);
add-ons belong to the plan above them. A plan line without a chosen number gets the
store's next free standard number; a plan line that ports a number in starts on that
number (activation ``awaiting_port_in``) or on a temporary one (:mod:`app.services.port_in`).
The subscription starts with activation ``requested``: the network confirms it later
(there is no provisioning link in the store app).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db import plain_rows, prepared
from app.db.counters import next_number
from app.db.plain_rows import add_row
from app.services.auth import UserInfo
from app.services.customer_brief import customer_brief
from app.services.port_in import line_number, record_port_in
from domain.calendar import add_months
from domain.catalog import Offering, OfferingKind
from domain.errors import RuleViolation


@dataclass(frozen=True, slots=True)
class NewLine:
    """A subscription a sale has just created (written with the sale at commit)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    msisdn: str
    iccid: str | None


def plan_lines(row: m.Order, offering_of: Callable[[str], Offering]) -> list[m.OrderLine]:
    return [line for line in _ordered(row) if offering_of(line.sku).kind is OfferingKind.PLAN]


def check_new_lines(row: m.Order, offering_of: Callable[[str], Offering]) -> None:
    """Refuse before payment what would stop the lines being created."""
    plans = plan_lines(row, offering_of)
    if not plans:
        return
    if row.customer_id is None:
        raise RuleViolation(
            "A new line needs a registered customer: open or onboard the customer first."
        )
    sims = [line for line in _ordered(row) if offering_of(line.sku).kind is OfferingKind.SIM]
    if len(sims) < len(plans):
        raise RuleViolation(f"Scan a SIM card for {plans[len(sims)].description}.")


def _ordered(row: m.Order) -> list[m.OrderLine]:
    return sorted(row.lines, key=lambda line: line.position)


_FIRST_ACCOUNT = (
    select(m.BillingAccount.id)
    .where(m.BillingAccount.customer_id == bindparam("customer_id"))
    .order_by(m.BillingAccount.created_at)
    .limit(1)
)


def billing_account_id(
    session: Session, customer_id: uuid.UUID, *, store_id: str, terminal_id: str
) -> uuid.UUID:
    """The customer's first billing account, opened now (unflushed) if there is none."""
    for pending in session.new:
        if isinstance(pending, m.BillingAccount) and pending.customer_id == customer_id:
            return pending.id
    for values in plain_rows.pending(session, m.BillingAccount):
        if values["customer_id"] == customer_id:
            account_id: uuid.UUID = values["id"]
            return account_id
    found: uuid.UUID | None = prepared.scalar(
        session.connection(), _FIRST_ACCOUNT, {"customer_id": customer_id}
    )
    if found is not None:
        return found
    customer = customer_brief(session, customer_id)
    return add_row(
        session,
        m.BillingAccount,
        customer_id=customer_id,
        account_no=next_number(
            session, kind="BA", store_id=store_id, terminal_id=terminal_id, flush=False
        ),
        name=customer.display_name if customer else "",
    )


def create_subscriptions(
    session: Session,
    row: m.Order,
    offering_of: Callable[[str], Offering],
    *,
    now: datetime,
    user: UserInfo,
    store_id: str,
    terminal_id: str,
) -> list[NewLine]:
    check_new_lines(row, offering_of)
    ordered = _ordered(row)
    plans = [line for line in ordered if offering_of(line.sku).kind is OfferingKind.PLAN]
    if not plans:
        return []
    assert row.customer_id is not None  # check_new_lines
    sims = [line for line in ordered if offering_of(line.sku).kind is OfferingKind.SIM]
    account_id = billing_account_id(
        session, row.customer_id, store_id=store_id, terminal_id=terminal_id
    )
    made: list[NewLine] = []
    for plan_line, sim_line in zip(plans, sims, strict=False):
        msisdn, activation = line_number(session, plan_line, row, now)
        plan_line.msisdn = msisdn
        start = ordered.index(plan_line)
        addons: list[str] = []
        for line in ordered[start + 1 :]:
            kind = offering_of(line.sku).kind
            if kind is OfferingKind.PLAN:
                break
            if kind is OfferingKind.ADDON:
                addons.append(line.description)
        plan = offering_of(plan_line.sku)
        sub_id = add_row(
            session,
            m.Subscription,
            customer_id=row.customer_id,
            msisdn=msisdn,
            plan_offering_id=plan_line.offering_id,
            plan_name=plan_line.description,
            iccid=sim_line.serial,
            status="active",
            activation_status=activation,
            billing_account_id=account_id,
            payment_type="postpaid" if plan.is_postpaid_plan else "prepaid",
            addons=addons,
            commitment_end=add_months(now.date(), plan_line.commitment)
            if plan_line.commitment
            else None,
        )
        sub = NewLine(sub_id, row.customer_id, msisdn, sim_line.serial)
        waiting = "awaits the port-in" if activation == "awaiting_port_in" else "requested"
        add_row(
            session,
            m.Interaction,
            customer_id=row.customer_id,
            kind="new_line",
            summary=f"New line {msisdn} on {plan_line.description}, SIM {sim_line.serial}"
            f"; activation {waiting}",
            occurred_at=now,
            user_id=user.id,
            ref_kind="subscription",
            ref_id=sub.id,
        )
        record_port_in(session, plan_line, row, sub, user_id=user.id, now=now)
        made.append(sub)
    return made


def record_topups(
    session: Session,
    row: m.Order,
    offering_of: Callable[[str], Offering],
    *,
    now: datetime,
    user: UserInfo,
) -> None:
    """A top-up sold for a prepaid number goes on that line owner's timeline.

    The amount reaches the network's balance through the central system; the store
    records what was sold, for which number.
    """
    topups = [
        line
        for line in _ordered(row)
        if offering_of(line.sku).kind is OfferingKind.TOPUP and line.msisdn
    ]
    if topups:
        session.flush()  # the lines this sale has just created are found too
    for line in topups:
        sub = session.scalars(
            select(m.Subscription).where(
                m.Subscription.msisdn == line.msisdn, m.Subscription.status == "active"
            )
        ).first()
        if sub is None:
            raise RuleViolation(f"{line.msisdn} is no longer an active line; remove the top-up.")
        amount = (line.unit_price_minor * line.quantity - line.discount_minor) / 100
        add_row(
            session,
            m.Interaction,
            customer_id=sub.customer_id,
            kind="topup",
            summary=f"Top-up {amount:.2f} {row.currency} on {line.msisdn} (order {row.number})",
            occurred_at=now,
            user_id=user.id,
            ref_kind="order",
            ref_id=row.id,
        )
