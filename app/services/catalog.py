"""The store's catalog: loading it, importing and exporting it, and what the screens ask.

The catalog lives in the database (one row per offering and promotion, each holding its
entry in the catalog file format) and is read into the domain model once; the snapshot is
reused until an import replaces it. Importing is all or nothing: the file is validated as a
whole first, then written in one transaction; offerings missing from the new file are
retired (orders and subscriptions still refer to them), never deleted.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.catalog_dump import offering_to_dict, policies_to_dict, promotion_to_dict
from app.catalog_format import (
    CatalogDocument,
    offering_from_dict,
    policies_from_dict,
    promotion_from_dict,
)
from app.db import models as m
from app.db.uow import UnitOfWork
from domain.catalog import Catalog, Lifecycle, Offering, OfferingKind, Policies
from domain.catalog_search import CatalogIndex, CatalogQuery, CatalogRow
from domain.plan_compare import PlanColumn, compare_plans
from domain.pricing import price_basket
from domain.pricing_types import BasketItem, CustomerFacts, PricedBasket
from domain.promotions import Promotion

PRICED_BASKETS = 128  # results a snapshot remembers: every basket open at a till, and more


@dataclass(frozen=True)
class CatalogSnapshot:
    """Everything pricing needs, read in one go; immutable, so safe to share."""

    currency: str
    catalog: Catalog
    promotions: tuple[Promotion, ...]
    ids: dict[str, uuid.UUID]  # offering code → row id
    _indexes: dict[tuple[date, str], CatalogIndex] = field(default_factory=dict)
    _prices: dict[tuple[Any, ...], PricedBasket] = field(
        default_factory=dict, repr=False, compare=False
    )
    _prices_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def index(self, day: date, store: str) -> CatalogIndex:
        key = (day, store)
        if key not in self._indexes:
            self._indexes[key] = CatalogIndex(self.catalog, day=day, store=store)
        return self._indexes[key]

    def price(
        self, items: Sequence[BasketItem], customer: CustomerFacts, *, day: date, store: str
    ) -> PricedBasket:
        """:func:`~domain.pricing.price_basket` on this snapshot, remembered.

        The engine is a pure function of the items (line ids, codes, quantities, terms,
        manual discounts), the customer's facts, the day, the store and the snapshot, so
        a basket is priced once for as long as none of them changes: the views shown
        after an edit and the final check when the basket is paid reuse the result of
        the edit. A new catalog is a new snapshot, which starts empty. The least recently
        used of more than :data:`PRICED_BASKETS` results is forgotten.
        """
        key = (tuple(items), customer, day, store)
        with self._prices_lock:
            found = self._prices.pop(key, None)
            if found is not None:
                self._prices[key] = found  # now the most recently used
                return found
        priced = price_basket(items, self.catalog, self.promotions, customer, day=day, store=store)
        with self._prices_lock:
            self._prices[key] = priced
            while len(self._prices) > PRICED_BASKETS:
                del self._prices[next(iter(self._prices))]
        return priced


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    retired: int
    promotions: int


class CatalogService:
    def __init__(self, uow: Callable[..., UnitOfWork], *, store_id: str = "") -> None:
        self._uow = uow
        self._store_id = store_id
        self._lock = threading.Lock()
        self._snapshot: CatalogSnapshot | None = None

    # -- reading -------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Forget the loaded catalog (sync pulled a new one); the next read loads it again."""
        with self._lock:
            self._snapshot = None

    def snapshot(self) -> CatalogSnapshot:
        with self._lock:
            if self._snapshot is None:
                self._snapshot = self._load()
            return self._snapshot

    def _load(self) -> CatalogSnapshot:
        with self._uow() as uow:
            session = uow.session
            policies_row = session.scalars(select(m.CatalogPolicies).limit(1)).first()
            currency = policies_row.currency if policies_row else "EUR"
            policies = policies_from_dict(policies_row.spec) if policies_row else Policies()
            rows = session.scalars(select(m.Offering).order_by(m.Offering.position)).all()
            offerings = [offering_from_dict(r.spec, currency=r.currency) for r in rows]
            promos = session.scalars(select(m.Promotion).order_by(m.Promotion.position)).all()
            promotions = tuple(promotion_from_dict(p.spec, currency=currency) for p in promos)
            return CatalogSnapshot(
                currency=currency,
                catalog=Catalog(offerings, policies),
                promotions=promotions,
                ids={r.sku: r.id for r in rows},
            )

    def sellable(self, *, day: date, kind: OfferingKind | None = None) -> list[Offering]:
        index = self.snapshot().index(day, self._store_id)
        query = CatalogQuery(kinds=frozenset({kind}) if kind else frozenset())
        return [row.offering for row in index.filter(query)]

    def filter(self, query: CatalogQuery, *, day: date) -> list[CatalogRow]:
        return self.snapshot().index(day, self._store_id).filter(query)

    def find_by_code(self, code: str) -> Offering | None:
        """An offering by code or barcode (EAN), exactly as typed or scanned."""
        code = code.strip()
        if not code:
            return None
        catalog = self.snapshot().catalog
        return catalog.get(code) or catalog.by_barcode(code)

    def compare(
        self,
        plan_codes: Sequence[str],
        *,
        commitment: int,
        day: date,
        device: str | None = None,
        instalments: int = 0,
        customer: CustomerFacts | None = None,
    ) -> list[PlanColumn]:
        snap = self.snapshot()
        return compare_plans(
            snap.catalog,
            snap.promotions,
            plan_codes,
            commitment=commitment,
            day=day,
            store=self._store_id,
            device=device,
            instalments=instalments,
            customer=customer,
        )

    def stock_counts(self) -> dict[str, int]:
        """What this store has in stock per offering code: devices by IMEI and SIMs by ICCID
        (units in stock), accessories by quantity (on hand)."""
        counts: dict[str, int] = {}
        with self._uow(read_only=True) as uow:
            session = uow.session
            for table in (m.DeviceUnit, m.SimCard):
                rows = session.execute(
                    select(m.Offering.sku, func.count())
                    .join(table, table.offering_id == m.Offering.id)
                    .where(table.status == "in_stock", table.store_id == self._store_id)
                    .group_by(m.Offering.sku)
                )
                for sku, count in rows:
                    counts[sku] = counts.get(sku, 0) + int(count)
            levels = session.execute(
                select(m.Offering.sku, m.StockLevel.on_hand)
                .join(m.StockLevel, m.StockLevel.offering_id == m.Offering.id)
                .where(m.StockLevel.store_id == self._store_id)
            )
            for sku, on_hand in levels:
                counts[sku] = counts.get(sku, 0) + int(on_hand)
        return counts

    # -- import and export ---------------------------------------------------------------
    def import_document(self, doc: CatalogDocument) -> ImportSummary:
        """Replace the catalog with ``doc`` (already validated) in one transaction."""
        with self._uow() as uow:
            session = uow.session
            existing = {r.sku: r for r in session.scalars(select(m.Offering))}
            added = updated = 0
            for position, offering in enumerate(doc.offerings):
                spec = offering_to_dict(offering)
                row = existing.pop(offering.code, None)
                if row is None:
                    row = m.Offering(sku=offering.code)
                    session.add(row)
                    added += 1
                elif row.spec != spec or row.position != position:
                    updated += 1
                _fill(row, offering, spec, doc.currency, position)
            retired = 0
            last = len(doc.offerings)
            for row in sorted(existing.values(), key=lambda r: r.position):
                if row.lifecycle != Lifecycle.RETIRED.value:
                    retired += 1
                offering = offering_from_dict(row.spec, currency=row.currency)
                spec = offering_to_dict(_retire(offering))
                _fill(row, _retire(offering), spec, row.currency, last)
                last += 1
            old_promos = {p.code: p for p in session.scalars(select(m.Promotion))}
            for position, promotion in enumerate(doc.promotions):
                prow = old_promos.pop(promotion.code, None)
                if prow is None:
                    prow = m.Promotion(code=promotion.code)
                    session.add(prow)
                prow.name = promotion.name
                prow.lifecycle = promotion.lifecycle.value
                prow.position = position
                prow.spec = promotion_to_dict(promotion)
            for prow in old_promos.values():
                session.delete(prow)
            policies = session.scalars(select(m.CatalogPolicies).limit(1)).first()
            if policies is None:
                policies = m.CatalogPolicies()
                session.add(policies)
            policies.currency = doc.currency
            policies.spec = policies_to_dict(doc.policies)
            uow.commit()
        with self._lock:
            self._snapshot = None
        return ImportSummary(
            added=added, updated=updated, retired=retired, promotions=len(doc.promotions)
        )

    def export_document(self) -> CatalogDocument:
        snap = self._load()
        return CatalogDocument(
            currency=snap.currency,
            policies=snap.catalog.policies,
            offerings=tuple(snap.catalog.offerings.values()),
            promotions=snap.promotions,
        )


def _retire(offering: Offering) -> Offering:
    return replace(offering, lifecycle=Lifecycle.RETIRED)


def _fill(
    row: m.Offering, offering: Offering, spec: dict[str, Any], currency: str, position: int
) -> None:
    row.name = offering.name
    row.kind = offering.kind.value
    row.family = offering.family
    row.barcode = offering.barcode or None
    row.currency = currency
    row.lifecycle = offering.lifecycle.value
    row.serial_kind = offering.serial or None
    row.position = position
    if row.spec != spec:
        row.spec = spec
