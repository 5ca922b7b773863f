"""The sale: a basket kept as a draft order, filled by scanning, paid, completed.

Each public method is one transaction. The basket is stored from its first line, so a
crash loses nothing and a held basket can be recalled. Paying completes the order, writes
the payment, marks SIMs sold and adds the sale to the customer's timeline in ONE durable
transaction: there is never a paid order without its payment, nor a payment without its
order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import models as m
from app.db.counters import next_number
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.errors import NotFound
from app.services.auth import UserInfo
from app.services.catalog import OfferingView
from app.services.customers import display_name
from domain.errors import RuleViolation, ValidationError
from domain.identifiers import parse_iccid
from domain.money import Money, parse_amount
from domain.order import Order, OrderLine, OrderStatus
from domain.tender import TenderKind, settle_cash


@dataclass(frozen=True)
class BasketLineView:
    id: uuid.UUID
    sku: str
    description: str
    quantity: int
    unit_price: Money
    total: Money
    serial: str
    monthly_fee: Money | None


@dataclass(frozen=True)
class BasketView:
    order_id: uuid.UUID
    number: str
    customer_id: uuid.UUID | None
    customer_name: str
    status: str
    lines: tuple[BasketLineView, ...]
    total: Money
    monthly_total: Money


@dataclass(frozen=True)
class SaleResult:
    order_id: uuid.UUID
    number: str
    receipt_number: str
    total: Money
    paid: Money
    given: Money
    change: Money
    changes: Changes


class SaleService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        store_id: str,
        terminal_id: str,
        currency: str,
        cash_rounding: Decimal,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._store_id = store_id
        self._terminal_id = terminal_id
        self._currency = currency
        self._cash_rounding = cash_rounding
        self._clock = clock

    # -- basket --------------------------------------------------------------------------
    def start(self, *, customer_id: uuid.UUID | None, user: UserInfo) -> BasketView:
        with self._uow() as uow:
            if customer_id is not None and uow.session.get(m.Customer, customer_id) is None:
                raise NotFound("This customer no longer exists.")
            number = next_number(
                uow.session, kind="ORD", store_id=self._store_id, terminal_id=self._terminal_id
            )
            row = m.Order(
                number=number,
                customer_id=customer_id,
                status=OrderStatus.DRAFT.value,
                currency=self._currency,
                total_minor=0,
                created_by=user.id,
            )
            uow.session.add(row)
            uow.session.flush()
            view = self._view(uow.session, row)
            uow.commit()
            return view

    def basket(self, order_id: uuid.UUID) -> BasketView:
        with self._uow() as uow:
            return self._view(uow.session, self._order_row(uow.session, order_id))

    def add_code(self, order_id: uuid.UUID, code: str, *, user: UserInfo) -> BasketView:
        """Add what a scanned or typed code names: an ICCID from stock, or a SKU/EAN."""
        code = code.strip().replace(" ", "")
        if not code:
            raise ValidationError("Scan or type a code.", field="code")
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            order = _to_domain(row)
            if code.isdigit() and code.startswith("89") and len(code) >= 18:
                line = self._sim_line(session, code)
            else:
                offering = _offering_by_code(session, code)
                if offering.serial_kind == "iccid":
                    raise ValidationError(
                        f"Scan the SIM card's ICCID to sell {offering.name}.", field="code"
                    )
                line = _line_for(offering)
            order.add_line(line)
            session.add(_line_row(row, line, position=len(row.lines)))
            row.total_minor = order.total.minor
            session.flush()
            view = self._view(session, row)
            uow.commit()
            return view

    def remove_line(self, order_id: uuid.UUID, line_id: uuid.UUID, *, user: UserInfo) -> BasketView:
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            order = _to_domain(row)
            order.remove_line(line_id)  # checks the order can still change
            for line in list(row.lines):
                if line.id == line_id:
                    if line.serial:
                        self._release_sim(session, line.serial)
                    row.lines.remove(line)
            row.total_minor = order.total.minor
            session.flush()
            view = self._view(session, row)
            uow.commit()
            return view

    def cancel(self, order_id: uuid.UUID, *, user: UserInfo) -> Changes:
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            order = _to_domain(row)
            now = self._clock()
            order.cancel(user_id=user.id, at=now)
            for line in row.lines:
                if line.serial:
                    self._release_sim(session, line.serial)
            self._record(session, row, order, user, now)
            uow.commit()
            return Changes(basket=True, stock=True)

    # -- payment -------------------------------------------------------------------------
    def pay_cash(self, order_id: uuid.UUID, given_text: str, *, user: UserInfo) -> SaleResult:
        given = Money(parse_amount(given_text, field="cash_given"), self._currency)
        with self._uow(durable=True) as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            order = _to_domain(row)
            if not order.can_submit():
                if not order.lines:
                    raise RuleViolation("The basket is empty.")
                raise RuleViolation(f"Order {order.number} is {order.status.value}.")
            cash = settle_cash(order.total, given, rounding=self._cash_rounding)
            now = self._clock()
            order.submit(user_id=user.id, at=now)
            # Cash rounding may make the amount taken differ from the total by a few
            # cents; the order counts as paid when the rounded amount is covered.
            order.mark_paid(order.total, user_id=user.id, at=now)
            order.complete(user_id=user.id, at=now)
            session.add(
                m.Payment(
                    order_id=row.id,
                    tender=TenderKind.CASH.value,
                    status="approved",
                    amount_minor=cash.due.minor,
                    given_minor=cash.given.minor,
                    change_minor=cash.change.minor,
                    currency=self._currency,
                    user_id=user.id,
                )
            )
            for line in row.lines:
                if line.serial:
                    sim = _sim(session, line.serial)
                    sim.status = "sold"
            row.receipt_number = next_number(
                session, kind="RCP", store_id=self._store_id, terminal_id=self._terminal_id
            )
            row.completed_at = now
            self._record(session, row, order, user, now)
            if row.customer_id is not None:
                session.add(
                    m.Interaction(
                        customer_id=row.customer_id,
                        kind="sale",
                        summary=f"Bought {', '.join(line.description for line in row.lines)}"
                        f" for {order.total.format()} (order {row.number})",
                        occurred_at=now,
                        user_id=user.id,
                    )
                )
            uow.commit()
            return SaleResult(
                order_id=row.id,
                number=row.number,
                receipt_number=row.receipt_number,
                total=order.total,
                paid=cash.due,
                given=cash.given,
                change=cash.change,
                changes=Changes(basket=True, stock=True, till=True, customer=True, sync=True),
            )

    # -- helpers -------------------------------------------------------------------------
    def _order_row(self, session: Session, order_id: uuid.UUID) -> m.Order:
        row = session.get(m.Order, order_id)
        if row is None:
            raise NotFound("This basket no longer exists.")
        return row

    def _sim_line(self, session: Session, code: str) -> OrderLine:
        iccid = str(parse_iccid(code))
        sim = session.scalars(select(m.SimCard).where(m.SimCard.iccid == iccid)).one_or_none()
        if sim is None or sim.store_id != self._store_id:
            raise ValidationError(f"SIM {iccid} is not in this store's stock.", field="code")
        if sim.status != "in_stock":
            raise ValidationError(f"SIM {iccid} is {sim.status.replace('_', ' ')}.", field="code")
        offering = session.get(m.Offering, sim.offering_id)
        assert offering is not None  # foreign key
        sim.status = "reserved"
        return _line_for(OfferingView.of(offering), serial=iccid)

    def _release_sim(self, session: Session, iccid: str) -> None:
        sim = _sim(session, iccid)
        if sim.status == "reserved":
            sim.status = "in_stock"

    def _record(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime
    ) -> None:
        """Write the order's new status and one event per transition taken."""
        for transition in order.history:
            session.add(
                m.OrderEvent(
                    order_id=row.id,
                    status=transition.status.value,
                    user_id=transition.user_id,
                    occurred_at=transition.at,
                )
            )
        row.status = order.status.value

    def _view(self, session: Session, row: m.Order) -> BasketView:
        currency = row.currency
        lines = tuple(
            BasketLineView(
                id=line.id,
                sku=line.sku,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price(currency),
                total=line.total(currency),
                serial=line.serial or "",
                monthly_fee=line.monthly_fee(currency),
            )
            for line in row.lines
        )
        customer = session.get(m.Customer, row.customer_id) if row.customer_id else None
        monthly = Money.zero(currency)
        for item in lines:
            if item.monthly_fee is not None:
                monthly = monthly + item.monthly_fee * item.quantity
        return BasketView(
            order_id=row.id,
            number=row.number,
            customer_id=row.customer_id,
            customer_name=display_name(customer) if customer else "Walk-in customer",
            status=row.status,
            lines=lines,
            total=Money.from_minor(row.total_minor, currency),
            monthly_total=monthly,
        )


def _sim(session: Session, iccid: str) -> m.SimCard:
    return session.scalars(select(m.SimCard).where(m.SimCard.iccid == iccid)).one()


def _offering_by_code(session: Session, code: str) -> OfferingView:
    row = session.scalars(
        select(m.Offering)
        .where(m.Offering.lifecycle == "launched")
        .where((m.Offering.sku == code) | (m.Offering.barcode == code))
        .limit(1)
    ).first()
    if row is None:
        raise ValidationError(f"Nothing in the catalog has the code {code}.", field="code")
    return OfferingView.of(row)


def _line_for(offering: OfferingView, *, serial: str = "") -> OrderLine:
    return OrderLine(
        offering_id=offering.id,
        sku=offering.sku,
        description=offering.name,
        quantity=1,
        unit_price=offering.price,
        vat_rate=offering.vat_rate,
        monthly_fee=offering.monthly_fee,
        serial=serial,
    )


def _line_row(order: m.Order, line: OrderLine, *, position: int) -> m.OrderLine:
    return m.OrderLine(
        id=line.id,
        order=order,
        position=position,
        offering_id=line.offering_id,
        sku=line.sku,
        description=line.description,
        quantity=line.quantity,
        unit_price_minor=line.unit_price.minor,
        vat_rate_bp=int(line.vat_rate * 100),
        monthly_fee_minor=None if line.monthly_fee is None else line.monthly_fee.minor,
        serial=line.serial or None,
    )


def _to_domain(row: m.Order) -> Order:
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
            )
        )
    return order
