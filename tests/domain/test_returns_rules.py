"""Return rules: exact refund shares, the window, what may come back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RuleViolation, ValidationError
from domain.returns import Condition, ReturnPolicy, unit_refund, why_not_returnable


@given(
    paid=st.integers(0, 10_000_000),
    parts=st.lists(st.integers(1, 5), min_size=1, max_size=8),
)
def test_shares_add_up_to_what_was_paid(paid: int, parts: list[int]) -> None:
    sold, done, total = sum(parts), 0, 0
    for quantity in parts:
        share = unit_refund(paid, sold, done, quantity)
        assert 0 <= share <= paid
        total += share
        done += quantity
    assert total == paid


def test_more_than_was_sold_is_refused() -> None:
    assert unit_refund(1000, 3, 0, 1) == 333
    assert unit_refund(1000, 3, 2, 1) == 334
    with pytest.raises(RuleViolation, match="Only 1 of this line"):
        unit_refund(1000, 3, 2, 2)
    with pytest.raises(RuleViolation, match="already been returned"):
        unit_refund(1000, 3, 3, 1)
    with pytest.raises(ValidationError, match="at least one"):
        unit_refund(1000, 3, 0, 0)


def test_the_window_counts_days_from_the_sale() -> None:
    policy = ReturnPolicy(window_days=14)
    sold = date(2026, 11, 1)
    policy.check_window(sold, date(2026, 11, 15))
    with pytest.raises(RuleViolation, match="ended on 2026-11-15"):
        policy.check_window(sold, date(2026, 11, 16))


def test_conditions_and_kinds() -> None:
    strict = ReturnPolicy(opened_devices=False, approval_above=Decimal(50))
    strict.check_condition("device", Condition.FAULTY, "Phone")
    strict.check_condition("accessory", Condition.OPENED, "Case")
    with pytest.raises(RuleViolation, match="opened devices only when they are faulty"):
        strict.check_condition("device", Condition.OPENED, "Phone")
    assert Condition.FAULTY.restock_as == "damaged"
    assert Condition.OPENED.restock_as == "returned"
    assert why_not_returnable("topup", financed=False, used_by_line=False).startswith("a top-up")
    assert "instalment plan" in why_not_returnable("device", financed=True, used_by_line=False)
    assert why_not_returnable("accessory", financed=False, used_by_line=False) == ""
