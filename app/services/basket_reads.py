"""What the basket screens read: a basket as shown (:func:`basket_view`) and the baskets on
hold (:func:`held_baskets`), built from the stored rows and the pricing engine's result."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.services.basket_rows import problem_line, serial_kind
from app.services.basket_views import BasketLineView, BasketView, DiscountView, HeldBasket
from app.services.catalog import CatalogService
from app.services.customers import display_name
from app.services.exchange_credit import exchange_credit
from app.services.port_in import describe_port_in
from domain.money import Money
from domain.order import OrderStatus
from domain.pricing_types import PricedBasket
from domain.promotions import Charge


def basket_view(
    session: Session, row: m.Order, priced: PricedBasket, catalog: CatalogService
) -> BasketView:
    """The basket as the Sell screen shows it: lines with the engine's prices, discounts and
    what each still needs, the totals, problems, the customer and any exchange credit."""
    currency = row.currency
    by_id = {p.line_id: p for p in priced.lines}

    def money(amount: Decimal) -> Money:
        return Money(amount, currency)

    lines = []
    for line in row.lines:
        p = by_id.get(str(line.id))
        lines.append(
            BasketLineView(
                id=line.id,
                sku=line.sku,
                description=line.description,
                kind=p.kind.value if p else "",
                quantity=line.quantity,
                unit_price=line.unit_price(currency),
                total=line.total(currency),
                serial=line.serial or "",
                msisdn=line.msisdn or "",
                port_in=describe_port_in(line.port_in),
                monthly_fee=money(p.monthly) if p and p.list_monthly else None,
                commitment=line.commitment,
                instalments=p.instalments if p else 0,
                instalment=money(p.instalment) if p and p.instalments else None,
                discounts=tuple(
                    DiscountView(d.code, d.reason, money(d.amount), d.charge is Charge.MONTHLY)
                    for d in (p.discounts if p else ())
                ),
                needs_serial=serial_kind(line, catalog) if not line.serial else "",
            )
        )
    problems = [(problem_line(pr), pr.message) for pr in priced.problems]
    customer = session.get(m.Customer, row.customer_id) if row.customer_id else None
    credit = exchange_credit(session, row.id)
    return BasketView(
        order_id=row.id,
        number=row.number,
        customer_id=row.customer_id,
        customer_name=display_name(customer) if customer else "Walk-in customer",
        status=row.status,
        lines=tuple(lines),
        total=Money.from_minor(row.total_minor, currency),
        monthly_total=money(priced.monthly),
        problems=tuple(problems),
        discount_total=money(priced.total_discount),
        esim_device_confirmed=row.esim_device_confirmed,
        credit=Money.from_minor(credit, currency) if credit else None,
    )


def held_baskets(session: Session, terminal_id: str) -> list[HeldBasket]:
    """Baskets on hold at this terminal, oldest first."""
    rows = session.scalars(
        select(m.Order)
        .where(
            m.Order.status == OrderStatus.DRAFT.value,
            m.Order.held_at.is_not(None),
            m.Order.terminal_id == terminal_id,
        )
        .order_by(m.Order.held_at)
    ).all()
    out = []
    for row in rows:
        customer = session.get(m.Customer, row.customer_id) if row.customer_id else None
        assert row.held_at is not None
        out.append(
            HeldBasket(
                order_id=row.id,
                number=row.number,
                customer_name=display_name(customer) if customer else "Walk-in customer",
                lines=len(row.lines),
                total=Money.from_minor(row.total_minor, row.currency),
                held_at=row.held_at,
            )
        )
    return out
