"""Whole-catalog checks and eligibility rules, by example."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.catalog import (
    Catalog,
    DeviceSpec,
    Lifecycle,
    Offering,
    OfferingKind,
    Payment,
    PlanSpec,
    Policies,
    Price,
    PriceType,
    SimForm,
    Validity,
)
from domain.catalog_rules import catalog_problems
from domain.pricing import price_basket
from domain.pricing_types import BasketItem, CustomerFacts
from domain.promotions import Charge, Promotion, Selector, Target

DAY = date(2026, 11, 23)
VAT = Decimal(19)


def plan(code: str = "PLAN", **kw: object) -> Offering:
    args: dict[str, object] = {
        "prices": (Price(PriceType.RECURRING, Decimal("20.00"), VAT),),
        "plan": PlanSpec(Payment.POSTPAID, 1024, None, None),
        "family": "smart",
    }
    args.update(kw)
    return Offering(code, f"Plan {code}", OfferingKind.PLAN, Lifecycle.LAUNCHED, **args)  # type: ignore[arg-type]


def addon(code: str, requires: tuple[str, ...]) -> Offering:
    return Offering(
        code, f"Add-on {code}", OfferingKind.ADDON, Lifecycle.LAUNCHED,
        (Price(PriceType.RECURRING, Decimal("5.00"), VAT),), requires=requires,
    )  # fmt: skip


def messages(offerings: list[Offering], promotions: list[Promotion] | None = None) -> list[str]:
    return [f"{w}: {m}" for w, m in catalog_problems(offerings, promotions or [], Policies())]


def test_a_clean_catalog_has_no_problems() -> None:
    assert messages([plan(), addon("ROAM", ("family:smart",))]) == []


def test_overlapping_prices_are_named() -> None:
    prices = (
        Price(PriceType.RECURRING, Decimal("20.00"), VAT, Validity(date(2026, 1, 1), None)),
        Price(PriceType.RECURRING, Decimal("18.00"), VAT, Validity(date(2026, 6, 1), None)),
    )
    [problem] = messages([plan(prices=prices)])
    assert problem.startswith("offering PLAN, price 2: its validity overlaps price 1")


def test_circular_requires_is_reported_once_with_its_path() -> None:
    found = messages([plan(), addon("A", ("B",)), addon("B", ("A",))])
    assert found == ["offering A: circular requires: A → B → A"]


def test_unknown_requirements_and_negative_promotions() -> None:
    promo = Promotion(
        "BIG", "30 off", Target.LINE, Charge.MONTHLY, amount=Decimal(30),
        applies_to=Selector(kinds=frozenset({OfferingKind.PLAN})),
    )  # fmt: skip
    found = messages([plan(), addon("X", ("NOPE",))], [promo])
    assert "offering X: requires NOPE, which is not in the catalog" in found
    assert "promotion BIG: 30 off would make PLAN (20.00) negative" in found


def test_a_barcode_or_tac_leads_to_one_offering() -> None:
    def phone(code: str, tac: str, barcode: str = "") -> Offering:
        return Offering(
            code, code, OfferingKind.DEVICE, Lifecycle.LAUNCHED,
            (Price(PriceType.ONE_TIME, Decimal("99.00"), VAT),), barcode=barcode,
            device=DeviceSpec("B", code, tacs=(tac,)),
        )  # fmt: skip

    found = messages([phone("A", "35000001", "PLAN"), phone("B", "35000001"), plan()])
    assert "offering B: TAC 35000001 is also A's" in found
    assert "offering A: barcode PLAN is another offering's code" in found


def test_eligibility_reasons() -> None:
    esim = Offering(
        "ESIM", "eSIM", OfferingKind.SIM, Lifecycle.LAUNCHED,
        (Price(PriceType.ONE_TIME, Decimal("9.99"), VAT),), sim_form=SimForm.ESIM,
    )  # fmt: skip
    phone = Offering(
        "PHONE", "Phone", OfferingKind.DEVICE, Lifecycle.LAUNCHED,
        (Price(PriceType.ONE_TIME, Decimal("299.00"), VAT),),
        device=DeviceSpec("B", "M", esim_capable=True),
    )  # fmt: skip
    old = replace(plan("OLD"), lifecycle=Lifecycle.RETIRED)
    catalog = Catalog([plan(), esim, phone, old, addon("ROAM", ("family:smart",))])

    def problems(items: list[BasketItem], customer: CustomerFacts) -> list[str]:
        priced = price_basket(items, catalog, (), customer, day=DAY, store="S1")
        return [p.message for p in priced.problems]

    adult = CustomerFacts(age=30)
    assert problems([BasketItem("1", "PLAN")], CustomerFacts(age=17)) == [
        "Plan PLAN needs the customer to be 18 or older."
    ]
    assert problems([BasketItem("1", "PLAN")], CustomerFacts(age=30, active_lines=5)) == [
        "A customer may have at most 5 active lines (has 5, this basket adds 1)."
    ]
    assert "eSIM-capable" in problems([BasketItem("1", "ESIM")], adult)[0]
    assert problems([BasketItem("1", "ESIM"), BasketItem("2", "PHONE")], adult) == []
    assert problems([BasketItem("1", "ROAM")], adult) == ["Add-on ROAM needs a smart plan."]
    assert (
        problems([BasketItem("1", "ROAM")], CustomerFacts(age=30, plan_codes=frozenset({"PLAN"})))
        == []
    )
    assert problems([BasketItem("1", "OLD")], adult) == ["Plan OLD is retired and cannot be sold."]
    assert problems([BasketItem("1", "PLAN", commitment=24)], adult) == [
        "Plan PLAN comes with a commitment of 0 months only."
    ]
