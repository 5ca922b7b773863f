"""Unit status rules and delivery files, without a database."""

from __future__ import annotations

import pytest

from domain.catalog import Catalog
from domain.errors import RuleViolation, ValidationError
from domain.stock import ADJUSTMENTS, AdjustmentReason, UnitStatus, adjust_unit, parse_delivery


@pytest.mark.parametrize("reason", [r for r in AdjustmentReason if r is not AdjustmentReason.COUNT])
@pytest.mark.parametrize("status", list(UnitStatus))
def test_every_adjustment_follows_its_table(reason: AdjustmentReason, status: UnitStatus) -> None:
    target, allowed = ADJUSTMENTS[reason]
    if status in allowed:
        assert adjust_unit(status, reason, "X") is target
    else:
        with pytest.raises(RuleViolation, match=f"'{reason.label}' cannot be recorded"):
            adjust_unit(status, reason, "X")


def test_sold_units_are_never_adjusted() -> None:
    for reason, (_, allowed) in ADJUSTMENTS.items():
        assert UnitStatus.SOLD not in allowed, reason
        assert UnitStatus.RESERVED not in allowed, reason


def test_a_count_is_not_a_unit_adjustment() -> None:
    with pytest.raises(RuleViolation, match="quantity goods"):
        adjust_unit(UnitStatus.IN_STOCK, AdjustmentReason.COUNT, "X")


def test_a_bom_and_semicolons_are_read() -> None:
    with pytest.raises(ValidationError, match="nothing in the catalog has the SKU A"):
        parse_delivery("\ufeffsku;serial;imsi;quantity\nA;;;1\n", Catalog([]))
    with pytest.raises(ValidationError, match="line 2: 5 values for 4 columns"):
        parse_delivery("sku,serial,imsi,quantity\nA,1,2,3,4\n", Catalog([]))
