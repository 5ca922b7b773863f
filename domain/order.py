"""Orders: basket lines, totals, and the order lifecycle as an explicit state machine.

States: draft → submitted → (awaiting payment →) paid → completed, plus cancelled and
failed. An order waits for payment while approved tenders cover only part of its total
(a card approved for part, the rest still to come); what is approved stays with it. Every transition
has a ``can_*`` guard and records who made it and when; a transition that is not allowed
raises :class:`~domain.errors.RuleViolation` with a sentence a consultant can read.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from domain.errors import RuleViolation, ValidationError
from domain.ids import new_id
from domain.money import Money, sum_money


class OrderStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


# The whole lifecycle in one table, so it can be read (and tested) at a glance.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.DRAFT: frozenset({OrderStatus.SUBMITTED, OrderStatus.CANCELLED}),
    OrderStatus.SUBMITTED: frozenset(
        {
            OrderStatus.AWAITING_PAYMENT,
            OrderStatus.PAID,
            OrderStatus.CANCELLED,
            OrderStatus.FAILED,
            OrderStatus.DRAFT,
        }
    ),
    # Cancelling once something is approved means refunding it first (payments).
    OrderStatus.AWAITING_PAYMENT: frozenset(
        {OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.FAILED}
    ),
    OrderStatus.PAID: frozenset({OrderStatus.COMPLETED, OrderStatus.FAILED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.FAILED: frozenset(),
}


@dataclass(frozen=True)
class OrderLine:
    """One basket line; ``unit_price`` is tax-inclusive, ``vat_rate`` in percent."""

    offering_id: uuid.UUID
    sku: str
    description: str
    quantity: int
    unit_price: Money
    vat_rate: Decimal
    monthly_fee: Money | None = None
    serial: str = ""  # ICCID or IMEI captured for this line, if any
    id: uuid.UUID = field(default_factory=new_id)
    discount: Money | None = None  # everything taken off the price, promotions and manual
    financed: Money | None = None  # the part of a device's price paid in instalments

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValidationError("Quantity must be at least 1.", field="quantity")
        if self.quantity > 999:
            raise ValidationError("Quantity cannot exceed 999.", field="quantity")
        if self.unit_price.amount < 0:
            raise ValidationError("A price cannot be negative.", field="price")
        if not Decimal(0) <= self.vat_rate <= Decimal(100):
            raise ValidationError("VAT rate must be between 0 and 100 %.", field="vat_rate")
        taken = [m for m in (self.discount, self.financed) if m is not None]
        if any(m.amount < 0 for m in taken):
            raise ValidationError("A discount cannot be negative.", field="discount")
        if sum_money(taken, self.unit_price.currency) > self.unit_price * self.quantity:
            raise ValidationError("A discount cannot exceed the price.", field="discount")

    @property
    def list_total(self) -> Money:
        return self.unit_price * self.quantity

    @property
    def total(self) -> Money:
        """Due now: the list amount less discounts and the part paid in instalments."""
        taken = [m for m in (self.discount, self.financed) if m is not None]
        return self.list_total - sum_money(taken, self.unit_price.currency)


@dataclass(frozen=True)
class Transition:
    status: OrderStatus
    user_id: uuid.UUID
    at: datetime


@dataclass
class Order:
    """A basket that becomes an order. Mutations keep the lines and status consistent."""

    number: str
    currency: str
    customer_id: uuid.UUID | None = None
    id: uuid.UUID = field(default_factory=new_id)
    status: OrderStatus = OrderStatus.DRAFT
    lines: list[OrderLine] = field(default_factory=list)
    history: list[Transition] = field(default_factory=list)

    # -- lines ---------------------------------------------------------------------------
    def can_edit(self) -> bool:
        return self.status is OrderStatus.DRAFT

    def add_line(self, line: OrderLine) -> None:
        if not self.can_edit():
            raise RuleViolation(f"Order {self.number} is {self.status.value}; it can't be changed.")
        if line.unit_price.currency != self.currency:
            raise ValidationError(f"Price is not in {self.currency}.", field="price")
        if line.serial and any(existing.serial == line.serial for existing in self.lines):
            raise ValidationError(f"{line.serial} is already in this basket.", field="serial")
        self.lines.append(line)

    def remove_line(self, line_id: uuid.UUID) -> None:
        if not self.can_edit():
            raise RuleViolation(f"Order {self.number} is {self.status.value}; it can't be changed.")
        self.lines = [line for line in self.lines if line.id != line_id]

    @property
    def total(self) -> Money:
        return sum_money([line.total for line in self.lines], self.currency)

    def vat_breakdown(self) -> dict[Decimal, tuple[Money, Money]]:
        """VAT rate → (net, tax) over the lines at that rate; gross per rate splits exactly."""
        by_rate: dict[Decimal, Money] = {}
        for line in self.lines:
            by_rate[line.vat_rate] = (
                by_rate.get(line.vat_rate, Money.zero(self.currency)) + line.total
            )
        return {rate: gross.split_tax(rate) for rate, gross in sorted(by_rate.items())}

    # -- lifecycle -----------------------------------------------------------------------
    def _go(self, target: OrderStatus, user_id: uuid.UUID, at: datetime) -> None:
        if target not in TRANSITIONS[self.status]:
            raise RuleViolation(
                f"Order {self.number} is {self.status.value}; it can't become {target.value}."
            )
        self.status = target
        self.history.append(Transition(target, user_id, at))

    def can_submit(self) -> bool:
        return self.status is OrderStatus.DRAFT and bool(self.lines)

    def submit(self, *, user_id: uuid.UUID, at: datetime) -> None:
        if self.status is OrderStatus.DRAFT and not self.lines:
            raise RuleViolation("The basket is empty.")
        self._go(OrderStatus.SUBMITTED, user_id, at)

    def can_reopen(self) -> bool:
        return self.status is OrderStatus.SUBMITTED

    def reopen(self, *, user_id: uuid.UUID, at: datetime) -> None:
        self._go(OrderStatus.DRAFT, user_id, at)

    def can_await_payment(self, paid: Money) -> bool:
        return self.status is OrderStatus.SUBMITTED and 0 < paid.amount < self.total.amount

    def await_payment(self, paid: Money, *, user_id: uuid.UUID, at: datetime) -> None:
        """Part of the total is approved; the order waits for the rest."""
        if self.status is OrderStatus.SUBMITTED and not 0 < paid.amount < self.total.amount:
            raise RuleViolation(
                "An order waits for payment only while part of its total is approved."
            )
        self._go(OrderStatus.AWAITING_PAYMENT, user_id, at)

    def can_mark_paid(self, paid: Money) -> bool:
        return (
            self.status in (OrderStatus.SUBMITTED, OrderStatus.AWAITING_PAYMENT)
            and paid.amount >= self.total.amount
        )

    def mark_paid(self, paid: Money, *, user_id: uuid.UUID, at: datetime) -> None:
        waiting = (OrderStatus.SUBMITTED, OrderStatus.AWAITING_PAYMENT)
        if self.status in waiting and paid.amount < self.total.amount:
            raise RuleViolation(f"{(self.total - paid).format()} is still due.")
        self._go(OrderStatus.PAID, user_id, at)

    def can_complete(self) -> bool:
        return self.status is OrderStatus.PAID

    def complete(self, *, user_id: uuid.UUID, at: datetime) -> None:
        self._go(OrderStatus.COMPLETED, user_id, at)

    def can_cancel(self) -> bool:
        return OrderStatus.CANCELLED in TRANSITIONS[self.status]

    def cancel(self, *, user_id: uuid.UUID, at: datetime) -> None:
        self._go(OrderStatus.CANCELLED, user_id, at)

    def fail(self, *, user_id: uuid.UUID, at: datetime) -> None:
        self._go(OrderStatus.FAILED, user_id, at)
