"""Reading the store's catalog: what can be sold, and what a scanned code refers to."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select

from app.db.models import Offering
from app.db.uow import UnitOfWork
from domain.money import Money


@dataclass(frozen=True)
class OfferingView:
    id: uuid.UUID
    sku: str
    name: str
    kind: str
    price: Money
    monthly_fee: Money | None
    vat_rate: Decimal
    serial_kind: str | None

    @staticmethod
    def of(row: Offering) -> OfferingView:
        monthly = row.monthly_fee_minor
        return OfferingView(
            id=row.id,
            sku=row.sku,
            name=row.name,
            kind=row.kind,
            price=Money.from_minor(row.price_minor, row.currency),
            monthly_fee=None if monthly is None else Money.from_minor(monthly, row.currency),
            vat_rate=Decimal(row.vat_rate_bp) / 100,
            serial_kind=row.serial_kind,
        )


class CatalogService:
    def __init__(self, uow: Callable[..., UnitOfWork]) -> None:
        self._uow = uow

    def sellable(self, *, kind: str | None = None) -> list[OfferingView]:
        with self._uow() as uow:
            query = select(Offering).where(Offering.lifecycle == "launched")
            if kind:
                query = query.where(Offering.kind == kind)
            rows = uow.session.scalars(query.order_by(Offering.kind, Offering.name))
            return [OfferingView.of(r) for r in rows]

    def find_by_code(self, code: str) -> OfferingView | None:
        """An offering by SKU or barcode (EAN), exactly as typed or scanned."""
        code = code.strip()
        if not code:
            return None
        with self._uow() as uow:
            row = uow.session.scalars(
                select(Offering)
                .where(Offering.lifecycle == "launched")
                .where(or_(Offering.sku == code, Offering.barcode == code))
                .limit(1)
            ).first()
            return None if row is None else OfferingView.of(row)
