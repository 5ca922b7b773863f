"""A basket's rows and the domain: reading lines back, writing the engine's prices onto them.

Helpers of :mod:`app.services.sales`; each works inside the caller's unit of work.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from app.db import models as m
from app.errors import NotFound
from app.services.catalog import CatalogService
from domain.money import Money
from domain.order import Order, OrderLine, OrderStatus
from domain.pricing_types import ManualDiscount, PricedBasket, Problem
from domain.promotions import Charge


def problem_line(problem: Problem) -> uuid.UUID | None:
    return uuid.UUID(problem.line_id) if problem.line_id else None


def find_line(row: m.Order, line_id: uuid.UUID) -> m.OrderLine:
    for line in row.lines:
        if line.id == line_id:
            return line
    raise NotFound("This line is no longer in the basket.")


def serial_kind(line: m.OrderLine, catalog: CatalogService) -> str:
    offering = catalog.snapshot().catalog.get(line.sku)
    return offering.serial if offering is not None else ""


def needs_serial(line: m.OrderLine, catalog: CatalogService) -> bool:
    return not line.serial and bool(serial_kind(line, catalog))


def write_prices(row: m.Order, priced: PricedBasket) -> None:
    """Copy the engine's result onto the stored lines and the order's totals.

    Only values that differ are assigned: a basket priced as it was stored (the final
    check when it is paid) leaves its lines clean, so the flush and the outbox skip them.
    """
    by_id = {p.line_id: p for p in priced.lines}
    for line in row.lines:
        p = by_id.get(str(line.id))
        if p is None:
            continue
        _assign(
            line,
            unit_price_minor=to_minor(p.unit_price),
            vat_rate_bp=int(p.vat_rate * 100),
            monthly_fee_minor=to_minor(p.monthly) if p.list_monthly else None,
            discount_minor=to_minor(p.upfront_discount),
            financed_minor=to_minor(p.financed),
            instalment_minor=to_minor(p.instalment),
            monthly_discount_minor=to_minor(p.monthly_discount),
            discounts=[
                {"code": d.code, "reason": d.reason, "charge": d.charge.value,
                 "amount": str(d.amount)}
                for d in p.discounts
            ],
        )  # fmt: skip
    _assign(row, total_minor=to_minor(priced.due_now), monthly_minor=to_minor(priced.monthly))


def _assign(row: m.Order | m.OrderLine, **values: object) -> None:
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def to_minor(amount: Decimal) -> int:
    return int(amount * 100)


def manual_to_json(discount: ManualDiscount, approved_by: uuid.UUID | None) -> dict[str, str]:
    return {
        "approved_by": "" if approved_by is None else str(approved_by),
        "reason": discount.reason,
        "percent": "" if discount.percent is None else str(discount.percent),
        "amount": "" if discount.amount is None else str(discount.amount),
        "charge": discount.charge.value,
    }


def manual_from_json(data: dict[str, str] | None) -> ManualDiscount | None:
    if not data:
        return None
    return ManualDiscount(
        reason=data["reason"],
        percent=Decimal(data["percent"]) if data["percent"] else None,
        amount=Decimal(data["amount"]) if data["amount"] else None,
        charge=Charge(data["charge"]),
    )


def to_domain(row: m.Order) -> Order:
    """Rebuild the domain order from its rows (history starts empty: only new transitions)."""
    order = Order(
        number=row.number,
        currency=row.currency,
        customer_id=row.customer_id,
        id=row.id,
        status=OrderStatus(row.status),
    )
    for line in row.lines:
        order.lines.append(
            OrderLine(
                offering_id=line.offering_id,
                sku=line.sku,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price(row.currency),
                vat_rate=Decimal(line.vat_rate_bp) / 100,
                monthly_fee=line.monthly_fee(row.currency),
                serial=line.serial or "",
                id=line.id,
                discount=Money.from_minor(line.discount_minor or 0, row.currency),
                financed=Money.from_minor(line.financed_minor or 0, row.currency),
            )
        )
    return order
