"""The rules for changing a line's plan and add-ons, by example and by property."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.catalog import (
    Catalog,
    Lifecycle,
    Offering,
    OfferingKind,
    Payment,
    PlanSpec,
    Price,
    PriceType,
)
from domain.errors import RuleViolation
from domain.plan_change import (
    Effective,
    LineFacts,
    check_addon_add,
    check_plan_change,
    effective_on,
)

DAY = date(2026, 11, 23)
VAT = Decimal(19)


def plan(code: str, fee: str, *, family: str = "smart", **kw: object) -> Offering:
    args: dict[str, object] = {
        "prices": (Price(PriceType.RECURRING, Decimal(fee), VAT),),
        "plan": PlanSpec(Payment.POSTPAID, 1024, None, None, commitments=(0, 24)),
        "family": family,
    }
    args.update(kw)
    return Offering(code, f"Plan {code}", OfferingKind.PLAN, Lifecycle.LAUNCHED, **args)  # type: ignore[arg-type]


def addon(code: str, requires: tuple[str, ...]) -> Offering:
    return Offering(
        code, f"Add-on {code}", OfferingKind.ADDON, Lifecycle.LAUNCHED,
        (Price(PriceType.RECURRING, Decimal("5.00"), VAT),), requires=requires,
    )  # fmt: skip


CATALOG = Catalog(
    [
        plan("SMALL", "10.00"),
        plan("BIG", "30.00"),
        plan("BASIC", "15.00", family="basic"),
        plan("TEEN", "12.00", min_age=21),
        addon("ROAM", ("family:smart",)),
        addon("ANY", ()),
    ]
)


def facts(**kw: object) -> LineFacts:
    args: dict[str, object] = {
        "plan_code": "SMALL",
        "payment_type": "postpaid",
        "addons": (),
        "commitment_end": None,
        "customer_age": 40,
    }
    args.update(kw)
    return LineFacts(**args)  # type: ignore[arg-type]


def change(new: str, **kw: object):  # type: ignore[no-untyped-def]
    offering = CATALOG.get(new)
    assert offering is not None
    return check_plan_change(
        facts(**kw), offering, CATALOG, today=DAY, effective=Effective.NOW, commitment=0,
        store="S001",
    )  # fmt: skip


def test_next_month_is_the_first_of_the_next_month() -> None:
    assert effective_on(Effective.NEXT_MONTH, date(2026, 12, 31)) == date(2027, 1, 1)
    assert effective_on(Effective.NEXT_MONTH, date(2026, 1, 31)) == date(2026, 2, 1)
    assert effective_on(Effective.NOW, DAY) == DAY


def test_add_ons_that_do_not_fit_the_new_plan_end_with_it() -> None:
    result = change("BASIC", addons=("ROAM", "ANY"))
    assert result.dropped_addons == ("ROAM",)
    assert change("BIG", addons=("ROAM", "ANY")).dropped_addons == ()


def test_age_rules_apply_to_the_new_plan() -> None:
    with pytest.raises(RuleViolation, match="aged 21 or over"):
        change("TEEN", customer_age=19)
    with pytest.raises(RuleViolation, match="needs the customer's birth date"):
        change("TEEN", customer_age=None)
    with pytest.raises(RuleViolation, match="aged 18 or over"):
        change("BIG", customer_age=17)  # a postpaid plan: the catalog's minimum


def test_an_add_on_needs_a_plan_it_fits() -> None:
    roam = CATALOG.get("ROAM")
    assert roam is not None
    with pytest.raises(RuleViolation, match="cannot be added to Plan BASIC"):
        check_addon_add(facts(plan_code="BASIC"), CATALOG.get("BASIC"), roam, today=DAY)
    check_addon_add(facts(), CATALOG.get("SMALL"), roam, today=DAY)


@given(
    current=st.sampled_from(["SMALL", "BIG", "BASIC"]),
    new=st.sampled_from(["SMALL", "BIG", "BASIC"]),
    days_left=st.integers(-400, 400),
)
def test_during_a_commitment_the_monthly_fee_never_goes_down(
    current: str, new: str, days_left: int
) -> None:
    end = date.fromordinal(DAY.toordinal() + days_left)
    fee = {"SMALL": 10, "BIG": 30, "BASIC": 15}
    try:
        result = change(new, plan_code=current, commitment_end=end)
    except RuleViolation:
        assert new == current or (end > DAY and fee[new] < fee[current])
    else:
        assert new != current
        assert end <= DAY or fee[new] >= fee[current]
        assert result.monthly == Decimal(fee[new])
