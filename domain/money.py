"""Money: a Decimal amount in one currency, with the one rounding rule StoreDesk uses.

Amounts are tax-inclusive unless a name says otherwise (store prices are shown to
consumers with VAT). The database keeps integer minor units (:meth:`Money.minor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import ValidationError

CENT = Decimal("0.01")


def round_money(amount: Decimal, step: Decimal = CENT) -> Decimal:
    """Round half away from zero to a multiple of ``step`` (0.01 normally, 0.05 for cash).

    This is the only rounding helper: every amount that is shown, stored or charged passes
    through it, so totals computed in different places agree to the cent.
    """
    if step <= 0:
        raise ValueError("rounding step must be positive")
    units = (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (units * step).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str, *, field: str = "amount") -> Decimal:
    """Read an amount typed by a person ("12,50", "12.5", " 3 ") into a Decimal."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not cleaned:
        raise ValidationError("Enter an amount.", field=field)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"'{text.strip()}' is not an amount.", field=field) from None
    if not value.is_finite():
        raise ValidationError(f"'{text.strip()}' is not an amount.", field=field)
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError("Use at most two decimal places.", field=field)
    return value


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount of one currency. Arithmetic across currencies is an error."""

    amount: Decimal
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", Decimal(str(self.amount)))
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValueError(f"currency must be an ISO 4217 code, got {self.currency!r}")

    @classmethod
    def zero(cls, currency: str = "EUR") -> Money:
        return cls(Decimal("0.00"), currency)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = "EUR") -> Money:
        return cls(round_money(Decimal(str(amount))), currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str = "EUR") -> Money:
        return cls((Decimal(minor) / 100).quantize(CENT), currency)

    @property
    def minor(self) -> int:
        """Integer cents, as stored in the database."""
        return int(round_money(self.amount) * 100)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        return Money(round_money(self.amount * Decimal(factor)), self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def rounded(self, step: Decimal = CENT) -> Money:
        return Money(round_money(self.amount, step), self.currency)

    def split_tax(self, rate_percent: Decimal) -> tuple[Money, Money]:
        """Split this tax-inclusive amount into (net, tax) that add up exactly to it."""
        if rate_percent < 0:
            raise ValueError("tax rate cannot be negative")
        gross = round_money(self.amount)
        net = round_money(gross * 100 / (100 + rate_percent))
        return Money(net, self.currency), Money(gross - net, self.currency)

    def format(self) -> str:
        """Plain text for receipts and logs: ``12.50 EUR``. The UI formats per locale."""
        return f"{round_money(self.amount):.2f} {self.currency}"

    def __str__(self) -> str:
        return self.format()


def sum_money(items: list[Money], currency: str = "EUR") -> Money:
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total
