"""Eligibility: everything that keeps a basket from being sold to this customer on this
day in this store (lifecycle, availability, commitment terms, age, required plans, eSIM,
the line limit), each as a :class:`~domain.pricing_types.Problem` with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.catalog import (
    COMMITMENT_TERMS,
    Catalog,
    Offering,
    OfferingKind,
    Policies,
    SimForm,
)
from domain.pricing_types import BasketItem, CustomerFacts, Problem


def check_eligibility(
    lines: Sequence[tuple[BasketItem, Offering]],
    catalog: Catalog,
    customer: CustomerFacts,
    day: date,
    store: str,
    channel: str,
) -> list[Problem]:
    """Everything that keeps this basket from being sold to this customer, with the reason."""
    policies: Policies = catalog.policies
    problems: list[Problem] = []
    offerings = [o for _, o in lines]
    plans = [(i, o) for i, o in lines if o.kind is OfferingKind.PLAN]
    for item, offering in lines:
        lid = item.line_id
        if not offering.sellable_on(day):
            state = offering.lifecycle.value
            if offering.valid.contains(day) or state != "launched":
                problems.append(Problem(lid, f"{offering.name} is {state} and cannot be sold."))
            else:
                problems.append(
                    Problem(lid, f"{offering.name} is only sold {offering.valid.describe()}.")
                )
        if not offering.available_in(store, channel):
            problems.append(Problem(lid, f"{offering.name} is not offered in this store."))
        if item.commitment not in COMMITMENT_TERMS:
            problems.append(
                Problem(lid, f"A commitment of {item.commitment} months is not offered.")
            )
        elif offering.plan is not None and item.commitment not in offering.plan.commitments:
            terms = ", ".join(str(t) for t in offering.plan.commitments)
            problems.append(
                Problem(lid, f"{offering.name} comes with a commitment of {terms} months only.")
            )
        if offering.is_postpaid_plan or offering.min_age is not None:
            minimum = policies.postpaid_min_age if offering.min_age is None else offering.min_age
            if customer.age is None:
                problems.append(
                    Problem(lid, f"{offering.name} needs a customer whose age is checked.", True)
                )
            elif customer.age < minimum:
                problems.append(
                    Problem(
                        lid, f"{offering.name} needs the customer to be {minimum} or older.", True
                    )
                )
        if offering.requires and not _requirement_met(offering, offerings, customer, catalog):
            wanted = " or ".join(_describe_requirement(r, catalog) for r in offering.requires)
            problems.append(Problem(lid, f"{offering.name} needs {wanted}."))
        if offering.sim_form is SimForm.ESIM and not (
            customer.has_esim_device
            or any(o.device is not None and o.device.esim_capable for o in offerings)
        ):
            problems.append(
                Problem(
                    lid,
                    "An eSIM needs an eSIM-capable phone: add one, or confirm the customer's"
                    " phone supports eSIM.",
                )
            )
    new_lines = sum(item.quantity for item, _ in plans)
    if new_lines and customer.active_lines + new_lines > policies.max_active_lines:
        problems.append(
            Problem(
                None,
                f"A customer may have at most {policies.max_active_lines} active lines"
                f" (has {customer.active_lines}, this basket adds {new_lines}).",
                True,
            )
        )
    return problems


def _requirement_met(
    offering: Offering, basket: Sequence[Offering], customer: CustomerFacts, catalog: Catalog
) -> bool:
    held = list(basket) + [o for c in customer.plan_codes if (o := catalog.get(c)) is not None]
    return any(
        other is not offering and other.matches_requirement(requirement)
        for requirement in offering.requires
        for other in held
    )


def _describe_requirement(requirement: str, catalog: Catalog) -> str:
    if requirement.startswith("family:"):
        return f"a {requirement.removeprefix('family:')} plan"
    target = catalog.get(requirement)
    return target.name if target else requirement
