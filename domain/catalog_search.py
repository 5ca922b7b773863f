"""Filtering the catalog as the consultant types: text, kind, price range, data allowance.

:class:`CatalogIndex` is built once per catalog and day; each row carries its search text
and headline figures precomputed, so a keystroke is one pass over plain tuples.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.catalog import Catalog, Offering, OfferingKind, PriceType
from domain.text import search_key

UNLIMITED_MB = 10**9  # how "unlimited" data compares against a minimum


@dataclass(frozen=True)
class CatalogQuery:
    text: str = ""
    kinds: frozenset[OfferingKind] = frozenset()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    min_data_mb: int | None = None


@dataclass(frozen=True)
class CatalogRow:
    offering: Offering
    key: str  # search text: code, name, brand, model, family, barcode
    headline: Decimal  # the monthly fee for plans and add-ons, else the one-time price
    data_mb: int | None  # plans only; UNLIMITED_MB for unlimited


def headline_price(offering: Offering, day: date) -> Decimal:
    """The figure a list shows: monthly fee for plans/add-ons (no commitment), else price."""
    monthly = offering.kind in (OfferingKind.PLAN, OfferingKind.ADDON)
    kind = PriceType.RECURRING if monthly else PriceType.ONE_TIME
    price = offering.price(kind, day, 0)
    if price is None and offering.plan is not None:
        terms = sorted(offering.plan.commitments)
        price = next((p for t in terms if (p := offering.price(kind, day, t)) is not None), None)
    if price is None:
        other = PriceType.ONE_TIME if monthly else PriceType.RECURRING
        price = offering.price(other, day, 0)
    return price.amount if price is not None else Decimal("0.00")


def _row(offering: Offering, day: date) -> CatalogRow:
    device = offering.device
    key = search_key(
        offering.code,
        offering.name,
        offering.family,
        offering.barcode,
        device.brand if device else "",
        device.model if device else "",
        offering.kind.value.replace("_", " "),
    )
    data: int | None = None
    if offering.plan is not None:
        data = UNLIMITED_MB if offering.plan.data_mb is None else offering.plan.data_mb
    return CatalogRow(offering, key, headline_price(offering, day), data)


class CatalogIndex:
    """The sellable part of a catalog (for one store and day), ready to filter."""

    def __init__(
        self,
        catalog: Catalog | Iterable[Offering],
        *,
        day: date,
        store: str,
        channel: str = "store",
    ) -> None:
        offerings = catalog.offerings.values() if isinstance(catalog, Catalog) else catalog
        self.day = day
        self.rows: list[CatalogRow] = sorted(
            (
                _row(o, day)
                for o in offerings
                if o.sellable_on(day) and o.available_in(store, channel)
            ),
            key=lambda r: (r.offering.kind.value, r.offering.name, r.offering.code),
        )

    def __len__(self) -> int:
        return len(self.rows)

    def filter(self, query: CatalogQuery) -> list[CatalogRow]:
        words = search_key(query.text).split()
        kinds = query.kinds
        low, high, data = query.min_price, query.max_price, query.min_data_mb
        out = []
        for row in self.rows:
            if kinds and row.offering.kind not in kinds:
                continue
            if low is not None and row.headline < low:
                continue
            if high is not None and row.headline > high:
                continue
            if data is not None and (row.data_mb is None or row.data_mb < data):
                continue
            key = row.key
            if all(w in key for w in words):
                out.append(row)
        return out
