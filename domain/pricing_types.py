"""The pricing engine's value types: what goes in (:class:`BasketItem` with its
:class:`ManualDiscount`, :class:`CustomerFacts`) and what comes out (:class:`PricedBasket`
with its :class:`PricedLine`, :class:`VatLine`, :class:`AppliedDiscount` and
:class:`Problem` rows). The engine itself is :func:`domain.pricing.price_basket`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from domain.catalog import OfferingKind
from domain.errors import ValidationError
from domain.promotions import Charge

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ManualDiscount:
    reason: str
    percent: Decimal | None = None
    amount: Decimal | None = None
    charge: Charge = Charge.UPFRONT

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValidationError("Say why the discount is given.", field="reason")
        if (self.percent is None) == (self.amount is None):
            raise ValidationError("Give either a percentage or an amount.", field="discount")
        if self.percent is not None and not Decimal(0) < self.percent <= Decimal(100):
            raise ValidationError("A percentage must be above 0 and at most 100.", field="percent")
        if self.amount is not None and self.amount <= 0:
            raise ValidationError("A discount amount must be above zero.", field="amount")


@dataclass(frozen=True)
class BasketItem:
    """What the consultant put in the basket, before any price is known."""

    line_id: str
    code: str
    quantity: int = 1
    commitment: int = 0
    instalments: int = 0  # devices: 0 = paid in full now
    upfront: Decimal | None = None  # devices on instalments: the part paid now
    amount: Decimal | None = None  # top-ups with a free amount
    manual: ManualDiscount | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.quantity <= 999:
            raise ValidationError("Quantity must be between 1 and 999.", field="quantity")


@dataclass(frozen=True)
class CustomerFacts:
    age: int | None = None  # None: walk-in or unknown
    active_lines: int = 0
    plan_codes: frozenset[str] = frozenset()  # plans on the customer's active subscriptions
    has_esim_device: bool = False  # the consultant confirmed the customer's phone takes eSIM


@dataclass(frozen=True)
class AppliedDiscount:
    line_id: str
    code: str
    reason: str
    charge: Charge
    amount: Decimal


@dataclass(frozen=True)
class Problem:
    """Something that must be solved before the basket can be paid."""

    line_id: str | None
    message: str
    about_customer: bool = False  # age or line count: depends on who buys, not on the offer


@dataclass(frozen=True)
class PricedLine:
    line_id: str
    code: str
    name: str
    kind: OfferingKind
    quantity: int
    commitment: int
    vat_rate: Decimal  # of the one-time price
    monthly_vat_rate: Decimal
    unit_price: Decimal  # list, one-time
    list_upfront: Decimal  # unit price × quantity
    upfront_discount: Decimal
    price: Decimal  # list_upfront − upfront_discount (before the instalment split)
    upfront: Decimal  # due now
    unit_monthly: Decimal
    list_monthly: Decimal
    monthly_discount: Decimal
    monthly: Decimal  # the recurring fee after discounts (instalments not included)
    instalments: int = 0
    instalment: Decimal = ZERO
    last_instalment: Decimal = ZERO
    discounts: tuple[AppliedDiscount, ...] = ()

    @property
    def financed(self) -> Decimal:
        return self.price - self.upfront

    @property
    def monthly_now(self) -> Decimal:
        """What this line costs per month at first: fee plus instalment."""
        return self.monthly + self.instalment


@dataclass(frozen=True)
class VatLine:
    rate: Decimal
    gross: Decimal
    net: Decimal
    vat: Decimal


@dataclass(frozen=True)
class PricedBasket:
    lines: tuple[PricedLine, ...]
    due_now: Decimal
    monthly: Decimal  # fees + instalments in the first month
    vat_now: tuple[VatLine, ...]
    vat_monthly: tuple[VatLine, ...]
    problems: tuple[Problem, ...] = ()
    discounts: tuple[AppliedDiscount, ...] = field(default=())

    @property
    def sellable(self) -> bool:
        return not self.problems

    @property
    def total_discount(self) -> Decimal:
        return sum((d.amount for d in self.discounts if d.charge is Charge.UPFRONT), ZERO)

    def line(self, line_id: str) -> PricedLine:
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise KeyError(line_id)

    def cost_over(self, months: int) -> Decimal:
        """Everything the customer pays now and over ``months`` months."""
        total = self.due_now
        for line in self.lines:
            total += line.monthly * months
            if line.instalments:
                paid = min(months, line.instalments)
                total += line.instalment * paid
                if paid == line.instalments:
                    total += line.last_instalment - line.instalment
        return total
