"""Returns: what may come back, within which window, and how much money goes back.

- Goods only: devices, accessories, and SIM cards no line uses. Plans, top-ups and fees
  are services; a line is cancelled through the second line.
- Within the store's window (settings ``returns.window_days``) counted in days from the
  day of the sale; a device whose box was opened only when the store takes those back
  (``returns.opened_devices``); a faulty item always, within the window.
- Each returned unit gives back its share of what was paid for the line (after its
  discounts, without any part financed by instalments). Shares are exact in minor units:
  the unit that completes a line's return carries the remainder, so returning every unit
  gives back exactly what was paid.
- A device bought on instalments goes to the second line (its instalment plan must be
  closed); so does a refund above ``returns.approval_above`` unless a manager approves it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.errors import RuleViolation, ValidationError

RETURNABLE_KINDS = ("device", "accessory", "sim")


class Condition(enum.StrEnum):
    UNOPENED = "unopened"
    OPENED = "opened"
    FAULTY = "faulty"

    @property
    def label(self) -> str:
        return {"unopened": "Unopened", "opened": "Opened", "faulty": "Faulty"}[self.value]

    @property
    def restock_as(self) -> str:
        """Where the unit goes: ``damaged`` for a faulty one, else ``returned`` (inspected
        before it is sold again)."""
        return "damaged" if self is Condition.FAULTY else "returned"


@dataclass(frozen=True)
class ReturnPolicy:
    window_days: int = 14
    opened_devices: bool = True
    approval_above: Decimal = Decimal("200.00")

    def last_day(self, sold_on: date) -> date:
        return sold_on + timedelta(days=self.window_days)

    def check_window(self, sold_on: date, today: date) -> None:
        last = self.last_day(sold_on)
        if today > last:
            raise RuleViolation(
                f"The return window of {self.window_days} days ended on {last.isoformat()}."
            )

    def check_condition(self, kind: str, condition: Condition, name: str) -> None:
        if kind == "device" and condition is Condition.OPENED and not self.opened_devices:
            raise RuleViolation(
                f"{name}: this store takes back opened devices only when they are faulty."
            )


def why_not_returnable(kind: str, *, financed: bool, used_by_line: bool) -> str:
    """Empty when the line's goods may come back at the counter; else the reason."""
    if kind not in RETURNABLE_KINDS:
        return {
            "plan": "a line is cancelled through the second line",
            "addon": "an add-on is removed on the line (Plan / add-ons)",
            "topup": "a top-up cannot be returned",
        }.get(kind, "services cannot be returned")
    if used_by_line:
        return "the SIM is in use on a line; swap the SIM or cancel the line instead"
    if financed:
        return "bought on instalments: the second line closes the instalment plan"
    return ""


def unit_refund(paid_minor: int, sold: int, returned_before: int, quantity: int) -> int:
    """What ``quantity`` more units of a line give back, in minor units, exactly."""
    if sold < 1:
        raise ValueError("a line sells at least one unit")
    if quantity < 1:
        raise ValidationError("Return at least one unit.", field="quantity")
    if returned_before + quantity > sold:
        left = sold - returned_before
        raise RuleViolation(
            "Every unit of this line has already been returned."
            if left <= 0
            else f"Only {left} of this line can still be returned."
        )
    before = paid_minor * returned_before // sold
    after = paid_minor * (returned_before + quantity) // sold
    return after - before
