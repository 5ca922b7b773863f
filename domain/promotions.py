"""Promotions: who gets what off, on which condition, in which order.

A promotion takes a percentage or an amount off either matching lines (``target=line``)
or the basket as a whole (``target=basket``, shared over the matching lines), on the
amount paid now (``charge=upfront``) or the monthly fee (``charge=monthly``). It applies
only while every condition on the basket's content holds, inside its validity, in the
stores it lists. ``nth=2`` makes "the second line −50 %": the first matching line (the
dearest) pays full price and every further one gets the discount.

Order and stacking: promotions apply by priority (highest first), then by code, so the
result never depends on the order they were stored in. An *exclusive* promotion applies
only to a line's charge that no promotion has touched yet and stops any later one on it;
a *stackable* one adds to earlier stackable discounts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.catalog import ALWAYS, Lifecycle, Offering, OfferingKind, Payment, Validity


class Target(enum.StrEnum):
    LINE = "line"
    BASKET = "basket"


class Charge(enum.StrEnum):
    UPFRONT = "upfront"
    MONTHLY = "monthly"


class Stacking(enum.StrEnum):
    STACKABLE = "stackable"
    EXCLUSIVE = "exclusive"


@dataclass(frozen=True)
class Selector:
    """Which basket lines a rule is about; an empty field matches anything."""

    kinds: frozenset[OfferingKind] = frozenset()
    codes: frozenset[str] = frozenset()
    families: frozenset[str] = frozenset()
    payment: Payment | None = None
    min_commitment: int = 0

    def matches(self, offering: Offering, commitment: int) -> bool:
        if self.kinds and offering.kind not in self.kinds:
            return False
        if self.codes and offering.code not in self.codes:
            return False
        if self.families and offering.family not in self.families:
            return False
        if self.payment is not None and (
            offering.plan is None or offering.plan.payment is not self.payment
        ):
            return False
        return commitment >= self.min_commitment

    def describe(self) -> str:
        parts: list[str] = []
        if self.payment is not None:
            parts.append(self.payment.value)
        if self.kinds:
            parts.append(" or ".join(sorted(k.value.replace("_", " ") for k in self.kinds)))
        if self.codes:
            parts.append(", ".join(sorted(self.codes)))
        if self.families:
            parts.append("family " + ", ".join(sorted(self.families)))
        if self.min_commitment:
            parts.append(f"with {self.min_commitment}-month commitment")
        return " ".join(parts) or "any line"


@dataclass(frozen=True)
class Condition:
    selector: Selector
    min_count: int = 1


@dataclass(frozen=True)
class Promotion:
    code: str
    name: str  # the reason a customer reads on the screen and the receipt
    target: Target
    charge: Charge
    percent: Decimal | None = None
    amount: Decimal | None = None
    applies_to: Selector = Selector()
    conditions: tuple[Condition, ...] = ()
    nth: int = 1
    priority: int = 0
    stacking: Stacking = Stacking.STACKABLE
    valid: Validity = ALWAYS
    stores: frozenset[str] = frozenset()
    lifecycle: Lifecycle = Lifecycle.LAUNCHED

    def active(self, day: date, store: str) -> bool:
        return (
            self.lifecycle is Lifecycle.LAUNCHED
            and self.valid.contains(day)
            and (not self.stores or store in self.stores)
        )

    @property
    def order_key(self) -> tuple[int, str]:
        return (-self.priority, self.code)

    def describe_benefit(self) -> str:
        what = f"{self.percent.normalize():f} %" if self.percent is not None else f"{self.amount}"
        on = "monthly fee" if self.charge is Charge.MONTHLY else "price"
        return f"{what} off the {on}"
