"""What the sale service hands to the screens: plain, frozen views of a basket and a sale."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.changes import Changes
from domain.errors import RuleViolation
from domain.money import Money


class ApprovalRequired(RuleViolation):
    """The change is allowed only with a manager's approval (the UI asks for it)."""


@dataclass(frozen=True)
class DiscountView:
    code: str
    reason: str
    amount: Money
    monthly: bool


@dataclass(frozen=True)
class BasketLineView:
    id: uuid.UUID
    sku: str
    description: str
    kind: str
    quantity: int
    unit_price: Money
    total: Money  # due now for this line
    serial: str
    monthly_fee: Money | None  # after discounts
    commitment: int = 0
    instalments: int = 0
    instalment: Money | None = None
    discounts: tuple[DiscountView, ...] = ()
    needs_serial: str = ""  # "imei"/"iccid" still to be scanned
    msisdn: str = ""  # a plan line's chosen number, or the number a fee line is for
    port_in: str = ""  # "+49… from Vodafone on 2026-12-01" when the line ports a number in


@dataclass(frozen=True)
class BasketView:
    order_id: uuid.UUID
    number: str
    customer_id: uuid.UUID | None
    customer_name: str
    status: str
    lines: tuple[BasketLineView, ...]
    total: Money
    monthly_total: Money
    # What must be solved before payment: (line or None for the basket, message).
    problems: tuple[tuple[uuid.UUID | None, str], ...] = ()
    discount_total: Money | None = None
    esim_device_confirmed: bool = False
    # Credit from an exchange's return (counted as paid); None when there is none.
    credit: Money | None = None

    @property
    def messages(self) -> list[str]:
        return [message for _, message in self.problems]

    @property
    def due_now(self) -> Money:
        """What the customer pays now: the total less any credit (never below zero)."""
        if self.credit is None:
            return self.total
        left = self.total - self.credit
        return left if left.amount > 0 else Money.zero(self.total.currency)


@dataclass(frozen=True)
class HeldBasket:
    order_id: uuid.UUID
    number: str
    customer_name: str
    lines: int
    total: Money
    held_at: datetime


@dataclass(frozen=True)
class SaleResult:
    order_id: uuid.UUID
    number: str
    receipt_number: str
    total: Money
    paid: Money
    given: Money
    change: Money
    changes: Changes
