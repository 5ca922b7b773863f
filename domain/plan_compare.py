"""Plans side by side: what each costs now, per month, and over the whole term.

Every figure comes from the pricing engine, so a comparison shows exactly what the basket
would show, promotions included. A plan without commitment is compared over
``DEFAULT_TERM`` months so that plans with and without a term can be set side by side.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.catalog import Catalog, Offering, OfferingKind
from domain.pricing import price_basket
from domain.pricing_types import BasketItem, CustomerFacts, Problem
from domain.promotions import Promotion

DEFAULT_TERM = 24


@dataclass(frozen=True)
class PlanColumn:
    plan: Offering
    commitment: int
    term: int  # months the total is counted over
    monthly: Decimal  # plan fee per month, after promotions
    upfront: Decimal  # due now without a device
    device_upfront: Decimal | None  # due now with the device (None: no device chosen)
    device_monthly: Decimal | None  # plan fee plus instalment with the device
    total: Decimal  # everything paid over the term without a device
    device_total: Decimal | None
    problems: tuple[Problem, ...]


def compare_plans(
    catalog: Catalog,
    promotions: Iterable[Promotion],
    plan_codes: Sequence[str],
    *,
    commitment: int,
    day: date,
    store: str,
    device: str | None = None,
    instalments: int = 0,
    customer: CustomerFacts | None = None,
) -> list[PlanColumn]:
    """One column per plan (2–4 are meaningful on a screen, any number works).

    Without ``customer`` the problems that depend on who buys (age, line count) are left
    out: the comparison is about the offers; the basket checks the customer.
    """
    promos = tuple(promotions)
    columns = []
    for code in plan_codes:
        plan = catalog.require(code)
        if plan.kind is not OfferingKind.PLAN:
            raise ValueError(f"{code} is not a plan")
        term = commitment or DEFAULT_TERM
        alone = price_basket(
            [BasketItem("plan", code, commitment=commitment)],
            catalog,
            promos,
            customer,
            day=day,
            store=store,
        )
        with_device = None
        if device is not None:
            with_device = price_basket(
                [
                    BasketItem("plan", code, commitment=commitment),
                    BasketItem("device", device, commitment=commitment, instalments=instalments),
                ],
                catalog,
                promos,
                customer,
                day=day,
                store=store,
            )
        columns.append(
            PlanColumn(
                plan=plan,
                commitment=commitment,
                term=term,
                monthly=alone.monthly,
                upfront=alone.due_now,
                device_upfront=with_device.due_now if with_device else None,
                device_monthly=with_device.monthly if with_device else None,
                total=alone.cost_over(term),
                device_total=with_device.cost_over(term) if with_device else None,
                problems=tuple(
                    p
                    for p in (with_device or alone).problems
                    if customer is not None or not p.about_customer
                ),
            )
        )
    return columns
