"""Tenders: how a customer pays. Cash with change and the cash rounding rule."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import ValidationError
from domain.money import CENT, Money, round_money


class TenderKind(enum.StrEnum):
    CASH = "cash"
    CARD = "card"
    VOUCHER = "voucher"
    ACCOUNT = "account"


@dataclass(frozen=True)
class CashPayment:
    """Result of settling a due amount in cash: what is kept, what is given back."""

    due: Money  # the amount due after cash rounding
    given: Money
    change: Money

    @property
    def applied(self) -> Money:
        return self.due


def settle_cash(due: Money, given: Money, *, rounding: Decimal = CENT) -> CashPayment:
    """Apply the cash rounding rule to ``due`` and compute the change.

    Raises :class:`ValidationError` (field ``cash_given``) when the money given is not enough.
    """
    if given.currency != due.currency:
        raise ValidationError(f"Cash must be in {due.currency}.", field="cash_given")
    if given.amount < 0:
        raise ValidationError("Cash given cannot be negative.", field="cash_given")
    rounded_due = Money(round_money(due.amount, rounding), due.currency)
    if given.amount < rounded_due.amount:
        short = rounded_due - given
        raise ValidationError(f"{short.format()} more is needed.", field="cash_given")
    return CashPayment(due=rounded_due, given=given, change=given - rounded_due)
