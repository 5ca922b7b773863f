"""Changing an existing line: another plan, an add-on added or removed, now or next month.

The rules, each refused with a sentence the consultant can read out:

- the new plan is a plan on sale today, offered in this store, not the current one, and of
  the same payment type (a prepaid line moves to postpaid through the second line);
- the customer is old enough for it (the plan's own minimum age, else the catalog's
  postpaid minimum age);
- while a commitment runs (its end after the day the change takes effect) the plan may
  only go up: the new monthly fee is at least the current one. A new commitment term
  starts on the day the change takes effect;
- an add-on must be on sale and fit the plan (its ``requires``); add-ons that do not fit a
  new plan end with the change, and the result says which;
- "next month" means the first day of the next month; one scheduled change per line.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.calendar import add_months
from domain.catalog import Catalog, Offering, OfferingKind, PriceType
from domain.errors import RuleViolation, ValidationError


class Effective(enum.StrEnum):
    NOW = "now"
    NEXT_MONTH = "next_month"


def effective_on(effective: Effective, today: date) -> date:
    if effective is Effective.NOW:
        return today
    return add_months(today.replace(day=1), 1)


@dataclass(frozen=True)
class LineFacts:
    """What the rules need to know about the line being changed and its owner."""

    plan_code: str
    payment_type: str  # "prepaid" or "postpaid"
    addons: tuple[str, ...]
    commitment_end: date | None
    customer_age: int | None
    scheduled: str = ""  # a change already waiting ("PLAN-L on 2026-12-01"), if any


@dataclass(frozen=True)
class PlanChange:
    plan: Offering
    on: date
    commitment: int
    commitment_end: date | None
    dropped_addons: tuple[str, ...]
    monthly: Decimal


def monthly_fee(offering: Offering, day: date, commitment: int = 0) -> Decimal:
    price = offering.price(PriceType.RECURRING, day, commitment)
    return price.amount if price is not None else Decimal(0)


def check_plan_change(
    facts: LineFacts,
    new: Offering,
    catalog: Catalog,
    *,
    today: date,
    effective: Effective,
    commitment: int,
    store: str,
) -> PlanChange:
    """The change as it will be made, or RuleViolation/ValidationError saying why not."""
    if new.kind is not OfferingKind.PLAN or new.plan is None:
        raise ValidationError(f"{new.name} is not a plan.", field="plan")
    if new.code == facts.plan_code:
        raise RuleViolation(f"The line is already on {new.name}.")
    if not new.sellable_on(today) or not new.available_in(store, "store"):
        raise RuleViolation(f"{new.name} is not on sale in this store.")
    if new.plan.payment.value != facts.payment_type:
        raise RuleViolation(
            f"{new.name} is a {new.plan.payment.value} plan and the line is "
            f"{facts.payment_type}; hand a change of payment type on to the second line."
        )
    _check_age(new, facts.customer_age, catalog)
    if commitment not in new.plan.commitments:
        terms = ", ".join(f"{t} months" if t else "none" for t in new.plan.commitments)
        raise ValidationError(
            f"{new.name} is offered with these commitments: {terms}.", field="commitment"
        )
    if facts.scheduled:
        raise RuleViolation(f"A change is already scheduled ({facts.scheduled}); cancel it first.")
    on = effective_on(effective, today)
    current = catalog.get(facts.plan_code)
    new_fee = monthly_fee(new, on, commitment)
    if facts.commitment_end is not None and facts.commitment_end > on and current is not None:
        old_fee = monthly_fee(current, on, 0)
        if new_fee < old_fee:
            raise RuleViolation(
                f"The commitment runs until {facts.commitment_end.isoformat()}; until then "
                f"the plan can only change to one costing at least {old_fee:.2f} a month."
            )
    dropped = tuple(
        code
        for code in facts.addons
        if (addon := catalog.get(code)) is not None and not fits(addon, new)
    )
    end = add_months(on, commitment) if commitment else facts.commitment_end
    return PlanChange(new, on, commitment, end, dropped, new_fee)


def check_addon_add(
    facts: LineFacts, plan: Offering | None, addon: Offering, *, today: date
) -> None:
    if addon.kind is not OfferingKind.ADDON:
        raise ValidationError(f"{addon.name} is not an add-on.", field="addon")
    if addon.code in facts.addons:
        raise RuleViolation(f"The line already has {addon.name}.")
    if not addon.sellable_on(today):
        raise RuleViolation(f"{addon.name} is not on sale.")
    if plan is None or not fits(addon, plan):
        plan_name = plan.name if plan is not None else "this plan"
        raise RuleViolation(f"{addon.name} cannot be added to {plan_name}.")


def check_addon_remove(facts: LineFacts, code: str, name: str) -> None:
    if code not in facts.addons:
        raise RuleViolation(f"The line has no {name}.")


def fits(addon: Offering, plan: Offering) -> bool:
    """An add-on fits a plan when every requirement it names is met by the plan."""
    return all(plan.matches_requirement(req) for req in addon.requires)


def _check_age(plan: Offering, age: int | None, catalog: Catalog) -> None:
    minimum = plan.min_age
    if minimum is None and plan.is_postpaid_plan:
        minimum = catalog.policies.postpaid_min_age
    if minimum is None:
        return
    if age is None:
        raise RuleViolation(f"{plan.name} needs the customer's birth date (minimum age {minimum}).")
    if age < minimum:
        raise RuleViolation(f"{plan.name} is for customers aged {minimum} or over.")
