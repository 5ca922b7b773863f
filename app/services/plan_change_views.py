"""What :class:`app.services.plan_changes.PlanChangeService` gives: plain frozen values.

A line's options (:class:`LineOptions`: the plans it could change to, each with why it is
not allowed now, and the add-ons that fit), built from the catalog by
:func:`line_options`, and the results of a change or a hand-on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.catalog import Catalog, OfferingKind
from domain.errors import DomainError
from domain.plan_change import Effective, LineFacts, check_plan_change, fits, monthly_fee


@dataclass(frozen=True)
class PlanOption:
    code: str
    name: str
    monthly: Decimal
    commitments: tuple[int, ...]
    allowed: bool
    why_not: str  # empty when allowed (for changing now)


@dataclass(frozen=True)
class AddonOption:
    code: str
    name: str
    monthly: Decimal
    active: bool
    fits: bool


@dataclass(frozen=True)
class LineOptions:
    subscription_id: uuid.UUID
    msisdn: str
    plan_code: str
    plan_name: str
    monthly: Decimal
    commitment_end: date | None
    payment_type: str
    addons: tuple[str, ...]  # by name, as the 360 shows them
    scheduled: tuple[tuple[uuid.UUID, str], ...]  # (change id, description)
    plans: tuple[PlanOption, ...]
    addon_options: tuple[AddonOption, ...]


@dataclass(frozen=True)
class HandOnResult:
    handoff_id: uuid.UUID
    summary: str
    case_id: uuid.UUID | None  # the plan change review case (None: no such type installed)


@dataclass(frozen=True)
class ChangeResult:
    change_id: uuid.UUID
    description: str
    effective_on: date
    applied: bool
    dropped_addons: tuple[str, ...] = ()


def line_options(
    catalog: Catalog,
    facts: LineFacts,
    *,
    today: date,
    store: str,
    subscription_id: uuid.UUID,
    msisdn: str,
    addons: tuple[str, ...],
    scheduled: tuple[tuple[uuid.UUID, str], ...],
) -> LineOptions:
    """The line's plans (cheapest first, each checked as a change effective now) and the
    sellable add-ons, plus those it has."""
    current = catalog.get(facts.plan_code)
    plans = []
    for offering in catalog.offerings.values():
        if offering.kind is not OfferingKind.PLAN or offering.plan is None:
            continue
        if not offering.sellable_on(today) or offering.code == facts.plan_code:
            continue
        why = ""
        try:
            terms = offering.plan.commitments
            check_plan_change(
                facts, offering, catalog, today=today, effective=Effective.NOW,
                commitment=0 if 0 in terms else terms[0], store=store,
            )  # fmt: skip
        except DomainError as exc:
            why = exc.message
        plans.append(
            PlanOption(
                code=offering.code,
                name=offering.name,
                monthly=monthly_fee(offering, today),
                commitments=offering.plan.commitments,
                allowed=not why,
                why_not=why,
            )
        )
    addon_options = tuple(
        AddonOption(
            code=o.code,
            name=o.name,
            monthly=monthly_fee(o, today),
            active=o.code in facts.addons,
            fits=current is not None and fits(o, current),
        )
        for o in catalog.offerings.values()
        if o.kind is OfferingKind.ADDON and (o.sellable_on(today) or o.code in facts.addons)
    )
    return LineOptions(
        subscription_id=subscription_id,
        msisdn=msisdn,
        plan_code=facts.plan_code,
        plan_name=current.name if current is not None else facts.plan_code,
        monthly=monthly_fee(current, today) if current is not None else Decimal(0),
        commitment_end=facts.commitment_end,
        payment_type=facts.payment_type,
        addons=addons,
        scheduled=scheduled,
        plans=tuple(sorted(plans, key=lambda p: (p.monthly, p.name))),
        addon_options=addon_options,
    )
