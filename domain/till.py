"""The till: a session per drawer from opening float to closing count.

A till session opens with a float counted by denomination and closes with another count.
In between, cash sales and cash refunds (payments of the session), cash in and cash out
with a reason, and every opening of the drawer are recorded. The cash that *should* be in
the drawer is the float plus cash taken, minus cash refunded and paid out, plus paid in;
the close compares it with what was counted. A variance needs a reason, and one above the
store's threshold needs the manager (and goes to the second line as a case).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import RuleViolation, ValidationError
from domain.money import Money, parse_amount

# Notes and coins a count is made of, largest first (amounts in the currency's units).
DENOMINATIONS: dict[str, tuple[Decimal, ...]] = {
    "EUR": tuple(
        Decimal(v)
        for v in (
            "500",
            "200",
            "100",
            "50",
            "20",
            "10",
            "5",
            "2",
            "1",
            "0.50",
            "0.20",
            "0.10",
            "0.05",
            "0.02",
            "0.01",
        )
    ),
}


class MovementKind(enum.StrEnum):
    CASH_IN = "cash_in"
    CASH_OUT = "cash_out"
    DRAWER = "drawer"  # the drawer was opened (sale, refund, cash in/out, or "no sale")


def denominations(currency: str) -> tuple[Decimal, ...]:
    try:
        return DENOMINATIONS[currency]
    except KeyError:
        raise ValidationError(f"No notes and coins are known for {currency}.") from None


def parse_count(counts: Mapping[str, str], currency: str) -> dict[str, int]:
    """A count typed per denomination ("50" → "3") into ``{"50.00": 3}``; blanks are zero.

    Every value must be a whole, non-negative number of pieces of a known denomination.
    """
    known = {f"{d:.2f}": d for d in denominations(currency)}
    out: dict[str, int] = {}
    for key, text in counts.items():
        try:
            name = f"{Decimal(str(key).replace(',', '.')):.2f}"
        except ArithmeticError:
            name = ""
        if name not in known:
            raise ValidationError(f"{key} is not a note or coin of {currency}.", field="count")
        cleaned = str(text).strip()
        if not cleaned:
            continue
        if not cleaned.isdigit():
            raise ValidationError(
                f"Count of {name}: '{cleaned}' is not a whole number of pieces.", field="count"
            )
        pieces = int(cleaned)
        if pieces > 100_000:
            raise ValidationError(
                f"Count of {name}: {pieces} pieces is not plausible.", field="count"
            )
        if pieces:
            out[name] = out.get(name, 0) + pieces
    return out


def count_total(count: Mapping[str, int], currency: str) -> Money:
    return Money(sum((Decimal(k) * n for k, n in count.items()), Decimal("0.00")), currency)


def parse_cash_amount(text: str, currency: str, *, field: str = "amount") -> Money:
    value = parse_amount(text, field=field)
    if value <= 0:
        raise ValidationError("Enter an amount above zero.", field=field)
    if value > 1_000_000:
        raise ValidationError("That amount is not plausible for a till.", field=field)
    return Money(value, currency)


@dataclass(frozen=True)
class Expected:
    """What should be in the drawer, and where it comes from."""

    opening_float: Money
    cash_sales: Money
    cash_refunds: Money  # positive: paid back to customers
    cash_in: Money
    cash_out: Money

    @property
    def cash(self) -> Money:
        return (
            self.opening_float + self.cash_sales - self.cash_refunds + self.cash_in
            - self.cash_out
        )  # fmt: skip


@dataclass(frozen=True)
class Closing:
    expected: Money
    counted: Money
    variance: Money  # counted − expected: negative means cash is missing
    needs_reason: bool
    needs_manager: bool


def assess_close(expected: Money, counted: Money, *, threshold: Money) -> Closing:
    variance = counted - expected
    return Closing(
        expected=expected,
        counted=counted,
        variance=variance,
        needs_reason=variance.amount != 0,
        needs_manager=abs(variance.amount) > threshold.amount,
    )


def check_close(closing: Closing, *, reason: str, manager_approved: bool) -> None:
    if closing.needs_reason and not reason.strip():
        raise ValidationError(
            f"The count differs by {closing.variance.format()}: give the reason.", field="reason"
        )
    if closing.needs_manager and not manager_approved:
        raise RuleViolation(
            f"A difference of {closing.variance.format()} needs the manager's approval."
        )
