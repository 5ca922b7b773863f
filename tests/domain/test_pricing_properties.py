"""Properties of the pricing engine over generated catalogs, baskets and promotions."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.catalog import (
    Catalog,
    DeviceSpec,
    Lifecycle,
    Offering,
    OfferingKind,
    Payment,
    PlanSpec,
    Price,
    PriceType,
    SimForm,
)
from domain.pricing import price_basket, share_amount
from domain.pricing_types import BasketItem, CustomerFacts, ManualDiscount
from domain.promotions import Charge, Condition, Promotion, Selector, Stacking, Target

DAY = date(2026, 11, 23)
KINDS = (OfferingKind.PLAN, OfferingKind.DEVICE, OfferingKind.SIM, OfferingKind.ACCESSORY)
cents = st.integers(min_value=0, max_value=200_000).map(lambda c: Decimal(c) / 100)
rates = st.sampled_from([Decimal(0), Decimal(7), Decimal(19), Decimal("20"), Decimal("5.5")])


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    offerings = []
    for n in range(draw(st.integers(1, 4))):
        offerings.append(
            Offering(
                f"PLAN-{n}", f"Plan {n}", OfferingKind.PLAN, Lifecycle.LAUNCHED,
                (Price(PriceType.RECURRING, draw(cents), draw(rates), commitment=0),
                 Price(PriceType.RECURRING, draw(cents), draw(rates), commitment=24),
                 Price(PriceType.ONE_TIME, draw(cents), draw(rates))),
                plan=PlanSpec(Payment.POSTPAID, 1024, None, None, False, (0, 24)),
            )
        )  # fmt: skip
    for n in range(draw(st.integers(1, 4))):
        offerings.append(
            Offering(
                f"DEV-{n}", f"Phone {n}", OfferingKind.DEVICE, Lifecycle.LAUNCHED,
                (Price(PriceType.ONE_TIME, draw(cents), draw(rates)),),
                device=DeviceSpec("B", f"M{n}", esim_capable=True, instalments=(12, 24),
                                  min_upfront=draw(cents)),
            )
        )  # fmt: skip
    offerings.append(
        Offering("SIM", "SIM", OfferingKind.SIM, Lifecycle.LAUNCHED,
                 (Price(PriceType.ONE_TIME, draw(cents), draw(rates)),), sim_form=SimForm.PHYSICAL)
    )  # fmt: skip
    offerings.append(
        Offering("ACC", "Case", OfferingKind.ACCESSORY, Lifecycle.LAUNCHED,
                 (Price(PriceType.ONE_TIME, draw(cents), draw(rates)),))
    )  # fmt: skip
    return Catalog(offerings)


selectors = st.builds(
    Selector,
    kinds=st.sets(st.sampled_from(KINDS), max_size=2).map(frozenset),
    min_commitment=st.sampled_from([0, 24]),
)


@st.composite
def promotions(draw: st.DrawFn) -> list[Promotion]:
    out = []
    for n in range(draw(st.integers(0, 12))):
        percent = draw(st.booleans())
        out.append(
            Promotion(
                code=f"P{n}",
                name=f"Promotion {n}",
                target=draw(st.sampled_from(list(Target))),
                charge=draw(st.sampled_from(list(Charge))),
                percent=Decimal(draw(st.integers(1, 100))) if percent else None,
                amount=None if percent else draw(cents.filter(lambda c: c > 0)),
                applies_to=draw(selectors),
                conditions=tuple(Condition(s) for s in draw(st.lists(selectors, max_size=2))),
                nth=draw(st.integers(1, 3)),
                priority=draw(st.integers(0, 5)),
                stacking=draw(st.sampled_from(list(Stacking))),
            )
        )
    return out


@st.composite
def baskets(draw: st.DrawFn, catalog: Catalog) -> list[BasketItem]:
    codes = sorted(catalog.offerings)
    items = []
    for n in range(draw(st.integers(0, 8))):
        code = draw(st.sampled_from(codes))
        device = catalog.offerings[code].device is not None
        manual = None
        if draw(st.integers(0, 4)) == 0:
            manual = ManualDiscount(
                "goodwill",
                percent=Decimal(draw(st.integers(1, 100))),
                charge=draw(st.sampled_from(list(Charge))),
            )
        items.append(
            BasketItem(
                f"l{n}",
                code,
                quantity=1 if device else draw(st.integers(1, 3)),
                commitment=draw(st.sampled_from([0, 24])),
                instalments=draw(st.sampled_from([0, 12, 24])) if device else 0,
                manual=manual,
            )
        )
    return items


@st.composite
def cases(draw: st.DrawFn) -> tuple[Catalog, list[Promotion], list[BasketItem]]:
    catalog = draw(catalogs())
    return catalog, draw(promotions()), draw(baskets(catalog))


def _price(case: tuple[Catalog, list[Promotion], list[BasketItem]]):  # type: ignore[no-untyped-def]
    catalog, promos, items = case
    return price_basket(items, catalog, promos, CustomerFacts(age=40), day=DAY, store="S1")


@settings(max_examples=150, deadline=None)
@given(cases())
def test_totals_are_the_sum_of_lines_and_never_negative(case) -> None:  # type: ignore[no-untyped-def]
    priced = _price(case)
    assert priced.due_now == sum((line.upfront for line in priced.lines), Decimal(0))
    assert priced.monthly == sum((line.monthly_now for line in priced.lines), Decimal(0))
    assert priced.due_now >= 0 and priced.monthly >= 0
    for line in priced.lines:
        assert min(line.upfront, line.monthly, line.instalment, line.last_instalment) >= 0
        upfront = sum((d.amount for d in line.discounts if d.charge is Charge.UPFRONT), Decimal(0))
        monthly = sum((d.amount for d in line.discounts if d.charge is Charge.MONTHLY), Decimal(0))
        assert all(d.amount > 0 for d in line.discounts)
        assert upfront == line.upfront_discount <= line.list_upfront
        assert monthly == line.monthly_discount <= line.list_monthly
        assert line.price == line.list_upfront - upfront
        if line.instalments:
            paid = line.upfront + line.instalment * (line.instalments - 1) + line.last_instalment
            assert paid == line.price


@settings(max_examples=150, deadline=None)
@given(cases())
def test_vat_split_adds_up_to_the_cent(case) -> None:  # type: ignore[no-untyped-def]
    priced = _price(case)
    assert sum((v.gross for v in priced.vat_now), Decimal(0)) == priced.due_now
    for vat in priced.vat_now + priced.vat_monthly:
        assert vat.net + vat.vat == vat.gross
        assert vat.net == vat.net.quantize(Decimal("0.01"))


@settings(max_examples=100, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_repricing_is_idempotent_and_ignores_promotion_order(case, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    catalog, promos, items = case
    first = _price(case)
    assert _price(case) == first
    shuffled = list(promos)
    rnd.shuffle(shuffled)
    assert _price((catalog, shuffled, items)) == first


@given(
    cents,
    st.lists(cents, min_size=1, max_size=10),
)
def test_shares_add_up_exactly(amount: Decimal, weights: list[Decimal]) -> None:
    shares = share_amount(amount, weights)
    assert sum(shares, Decimal(0)) == min(amount, sum(weights, Decimal(0)))
    assert all(0 <= s <= w for s, w in zip(shares, weights, strict=True))
