"""Filtering a 10,000-offering catalog as the consultant types (target: < 30 ms a key).

Each keystroke of a few typical queries is one ``CatalogIndex.filter`` call, measured
without painting. Baseline in the same run: the same word match as a plain list
comprehension over pre-lower-cased strings (no kinds, prices or accents).

    .venv/bin/python benchmarks/catalog_filter.py [--offerings 10000]
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
    DeviceSpec,
    Lifecycle,
    Offering,
    OfferingKind,
    Payment,
    PlanSpec,
    Price,
    PriceType,
)
from domain.catalog_search import CatalogIndex, CatalogQuery

DAY = date(2026, 11, 23)
VAT = Decimal(19)
BRANDS = {
    "Galaxy": "Samsung", "iPhone": "Apple", "Pixel": "Google", "Redmi": "Xiaomi",
    "Moto": "Motorola", "Nokia": "HMD", "Xperia": "Sony", "Nord": "OnePlus",
}  # fmt: skip
COLOURS = ("black", "white", "blue", "green", "pink", "graphite")
QUERIES = ("galaxy a15 128", "iphone 15 pro", "smart m", "case clear", "pixel 8 blue")


def build(n: int, rng: random.Random) -> list[Offering]:
    out: list[Offering] = []
    for i in range(n):
        r = i % 10
        if r < 6:
            line = rng.choice(list(BRANDS))
            model = f"{line} {rng.choice(['A', 'S', '', 'Pro ', 'Lite '])}{rng.randint(5, 16)}"
            cap, colour = rng.choice((64, 128, 256, 512)), rng.choice(COLOURS)
            out.append(Offering(
                f"DEV-{i}", f"{model} {cap} GB {colour}", OfferingKind.DEVICE, Lifecycle.LAUNCHED,
                (Price(PriceType.ONE_TIME, Decimal(rng.randint(9900, 149900)) / 100, VAT),),
                serial="imei",
                device=DeviceSpec(BRANDS[line], model, colour=colour, capacity_gb=cap),
            ))  # fmt: skip
        elif r < 8:
            size = rng.choice(("S", "M", "L", "XL"))
            out.append(Offering(
                f"PLAN-{i}", f"Smart {size} {rng.randint(5, 100)} GB", OfferingKind.PLAN,
                Lifecycle.LAUNCHED,
                (Price(PriceType.RECURRING, Decimal(rng.randint(999, 5999)) / 100, VAT),),
                plan=PlanSpec(Payment.POSTPAID, 1024 * rng.randint(5, 100), None, None),
            ))  # fmt: skip
        else:
            thing = rng.choice(("Phone case, clear", "Charger 25 W", "Screen protector",
                                "Headphones", "Car holder", "Cable USB-C"))  # fmt: skip
            out.append(Offering(
                f"ACC-{i}", f"{thing} {rng.choice(list(BRANDS))}", OfferingKind.ACCESSORY,
                Lifecycle.LAUNCHED,
                (Price(PriceType.ONE_TIME, Decimal(rng.randint(499, 4999)) / 100, VAT),),
            ))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offerings", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    offerings = build(args.offerings, random.Random(3))
    started = time.perf_counter()
    index = CatalogIndex(offerings, day=DAY, store="S001")
    built_ms = (time.perf_counter() - started) * 1000
    plain = [(o, f"{o.code} {o.name}".lower()) for o in offerings]

    filters = (
        CatalogQuery(),
        CatalogQuery(kinds=frozenset({OfferingKind.DEVICE}), max_price=Decimal(600)),
        CatalogQuery(kinds=frozenset({OfferingKind.PLAN}), min_data_mb=30 * 1024),
    )
    engine: list[float] = []
    raw: list[float] = []
    for _ in range(args.rounds):
        for query in QUERIES:
            for k in range(1, len(query) + 1):
                typed = query[:k]
                for extra in filters:
                    q = CatalogQuery(typed, extra.kinds, extra.min_price, extra.max_price,
                                     extra.min_data_mb)  # fmt: skip
                    t = time.perf_counter_ns()
                    index.filter(q)
                    engine.append((time.perf_counter_ns() - t) / 1e6)
                words = typed.lower().split()
                t = time.perf_counter_ns()
                _ = [o for o, key in plain if all(w in key for w in words)]
                raw.append((time.perf_counter_ns() - t) / 1e6)
    p95 = sorted(engine)[int(0.95 * len(engine))]
    print(f"{len(index):,} sellable offerings indexed in {built_ms:.0f} ms; "
          f"{len(engine):,} keystrokes filtered")  # fmt: skip
    print(f"filter    median {statistics.median(engine):.2f} ms   p95 {p95:.2f} ms   "
          f"max {max(engine):.2f} ms")  # fmt: skip
    print(f"baseline  median {statistics.median(raw):.2f} ms   (plain list comprehension)")
    ratio = statistics.median(engine) / statistics.median(raw)
    print(f"filter / baseline (median): {ratio:.1f}x   target < 30 ms a key: "
          f"{'met' if max(engine) < 30 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
