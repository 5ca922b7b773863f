"""Pricing a 20-line basket against 200 active promotions (target: p95 under 2 ms).

Baseline, measured in the same run: the plain loop a till without promotions would do —
list price × quantity per line and one VAT split per rate.

    .venv/bin/python benchmarks/pricing.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
from domain.money import round_money
from domain.pricing import price_basket
from domain.pricing_types import BasketItem, CustomerFacts
from domain.promotions import (
    Charge,
    Condition,
    Promotion,
    Selector,
    Stacking,
    Target,
)

DAY = date(2026, 11, 23)
VAT = Decimal(19)
KINDS = (OfferingKind.PLAN, OfferingKind.DEVICE, OfferingKind.SIM, OfferingKind.ACCESSORY)


def build_catalog(rng: random.Random) -> Catalog:
    offerings: list[Offering] = []
    for n in range(60):
        fee = Decimal(rng.randint(999, 5999)) / 100
        offerings.append(
            Offering(
                f"PLAN-{n}", f"Plan {n}", OfferingKind.PLAN, Lifecycle.LAUNCHED,
                (Price(PriceType.RECURRING, fee, VAT, commitment=0),
                 Price(PriceType.RECURRING, fee - 5, VAT, commitment=24)),
                family=f"fam{n % 5}",
                plan=PlanSpec(Payment.POSTPAID, 1024 * (n % 50), None, None, True, (0, 24)),
            )
        )  # fmt: skip
    for n in range(150):
        price = Decimal(rng.randint(9900, 129900)) / 100
        offerings.append(
            Offering(
                f"DEV-{n}", f"Phone {n}", OfferingKind.DEVICE, Lifecycle.LAUNCHED,
                (Price(PriceType.ONE_TIME, price, VAT),), serial="imei",
                device=DeviceSpec("Brand", f"M{n}", (f"{35000000 + n}",), esim_capable=True,
                                  instalments=(12, 24), min_upfront=Decimal("19.00")),
            )
        )  # fmt: skip
    for n in range(10):
        offerings.append(
            Offering(f"SIM-{n}", f"SIM {n}", OfferingKind.SIM, Lifecycle.LAUNCHED,
                     (Price(PriceType.ONE_TIME, Decimal("9.99"), VAT),), sim_form=SimForm.PHYSICAL)
        )  # fmt: skip
    for n in range(80):
        offerings.append(
            Offering(f"ACC-{n}", f"Accessory {n}", OfferingKind.ACCESSORY, Lifecycle.LAUNCHED,
                     (Price(PriceType.ONE_TIME, Decimal(rng.randint(499, 4999)) / 100, VAT),))
        )  # fmt: skip
    return Catalog(offerings)


def build_promotions(rng: random.Random, count: int) -> list[Promotion]:
    promotions = []
    for n in range(count):
        kind = rng.choice(KINDS)
        monthly = kind is OfferingKind.PLAN and rng.random() < 0.7
        basket = rng.random() < 0.2
        percent = rng.random() < 0.6
        conditions = ()
        if rng.random() < 0.5:
            conditions = (
                Condition(Selector(kinds=frozenset({rng.choice(KINDS)}),
                                   min_commitment=rng.choice((0, 24)))),
            )  # fmt: skip
        promotions.append(
            Promotion(
                code=f"P{n:03d}",
                name=f"Promotion {n}",
                target=Target.BASKET if basket else Target.LINE,
                charge=Charge.MONTHLY if monthly else Charge.UPFRONT,
                percent=Decimal(rng.choice((5, 10, 20, 50))) if percent else None,
                amount=None if percent else Decimal(rng.choice((1, 2, 5))),
                applies_to=Selector(kinds=frozenset({kind})),
                conditions=conditions,
                nth=2 if rng.random() < 0.1 else 1,
                priority=rng.randint(0, 20),
                stacking=Stacking.EXCLUSIVE if rng.random() < 0.2 else Stacking.STACKABLE,
            )
        )
    return promotions


def build_basket(rng: random.Random) -> list[BasketItem]:
    items = []
    for n in range(20):
        kind = n % 4
        if kind == 0:
            items.append(BasketItem(f"l{n}", f"PLAN-{rng.randrange(60)}", commitment=24))
        elif kind == 1:
            items.append(
                BasketItem(f"l{n}", f"DEV-{rng.randrange(150)}", commitment=24, instalments=24)
            )
        elif kind == 2:
            items.append(BasketItem(f"l{n}", f"SIM-{rng.randrange(10)}"))
        else:
            items.append(BasketItem(f"l{n}", f"ACC-{rng.randrange(80)}", quantity=2))
    return items


def baseline(items: list[BasketItem], catalog: Catalog) -> Decimal:
    """Plain sums: list price × quantity, then one VAT split per rate."""
    by_rate: dict[Decimal, Decimal] = {}
    for item in items:
        offering = catalog.offerings[item.code]
        for price in offering.prices:
            if price.commitment in (None, item.commitment):
                by_rate[price.vat_rate] = (
                    by_rate.get(price.vat_rate, Decimal(0)) + price.amount * item.quantity
                )
    total = Decimal(0)
    for rate, gross in by_rate.items():
        net = round_money(gross * 100 / (100 + rate))
        total += net + (gross - net)
    return total


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--promotions", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    catalog = build_catalog(rng)
    promotions = build_promotions(rng, args.promotions)
    items = build_basket(rng)
    customer = CustomerFacts(age=35)

    def engine() -> None:
        price_basket(items, catalog, promotions, customer, day=DAY, store="S001")

    def raw() -> None:
        baseline(items, catalog)

    results = {}
    for name, fn in (("engine", engine), ("baseline", raw)):
        for _ in range(100):
            fn()
        samples = []
        for _ in range(args.runs):
            start = time.perf_counter_ns()
            fn()
            samples.append((time.perf_counter_ns() - start) / 1e6)
        results[name] = samples
    priced = price_basket(items, catalog, promotions, customer, day=DAY, store="S001")
    print(
        f"basket: {len(items)} lines, {len(promotions)} active promotions, "
        f"{len(priced.discounts)} discounts applied; {args.runs} runs each"
    )
    for name, samples in results.items():
        print(
            f"{name:9} median {statistics.median(samples):.3f} ms   "
            f"p95 {percentile(samples, 0.95):.3f} ms   p99 {percentile(samples, 0.99):.3f} ms"
        )
    ratio = statistics.median(results["engine"]) / statistics.median(results["baseline"])
    p95 = percentile(results["engine"], 0.95)
    verdict = "met" if p95 < 2 else "NOT met"
    print(f"engine / baseline (median): {ratio:.1f}x   target p95 < 2 ms: {verdict}")


if __name__ == "__main__":
    main()
