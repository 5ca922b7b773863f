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
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.util import identity_key

from app.changes import Changes
from app.db import models as m
from app.db import prepared
from app.db.counters import next_number
from app.db.plain_rows import add_row
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.errors import NotFound
from app.services import numbers
from app.services.auth import UserInfo
from app.services.basket_adds import SaleAdds
from app.services.basket_reads import basket_view, held_baskets
from app.services.basket_rows import (
    manual_from_json,
    to_domain,
    write_prices,
)
from app.services.basket_views import (
    ApprovalRequired,
    BasketLineView,
    BasketView,
    DiscountView,
    HeldBasket,
    SaleResult,
)
from app.services.catalog import CatalogService
from app.services.customer_brief import customer_brief
from app.services.exchange_credit import (
    refund_unused_credit,
)
from app.services.port_in import SalePortIn
from app.services.sale_completion import SaleCompletion
from app.services.sale_numbers import SaleNumbers
from app.services.sale_terms import SaleTerms
from app.services.stock_moves import unit_by_serial
from domain.catalog import Offering
from domain.errors import RuleViolation, ValidationError
from domain.money import Money
from domain.order import Order, OrderStatus
from domain.pricing_types import (
    BasketItem,
    CustomerFacts,
    PricedBasket,
)

__all__ = [
    "ApprovalRequired",
    "BasketLineView",
    "BasketView",
    "DiscountView",
    "SaleResult",
    "SaleService",
]


_WITH_LINES = [joinedload(m.Order.lines)]
# The same read as one statement built once: ``session.get`` with options builds a new
# statement and its cache key on every call.
_ORDER_WITH_LINES = select(m.Order).options(*_WITH_LINES).where(m.Order.id == bindparam("order_id"))

# The plans of the customer's active lines (eligibility, bundles): one prepared statement,
# read on the session's connection (subscriptions are never pending while pricing).
_ACTIVE_PLANS = (
    select(m.Offering.sku)
    .select_from(m.Subscription)
    .outerjoin(m.Offering, m.Offering.id == m.Subscription.plan_offering_id)
    .where(m.Subscription.customer_id == bindparam("customer_id"))
    .where(m.Subscription.status == "active")
)


class SaleService(SaleAdds, SaleNumbers, SaleTerms, SalePortIn, SaleCompletion):
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        catalog: CatalogService,
        store_id: str,
        terminal_id: str,
        currency: str,
        cash_rounding: Decimal,
        clock: Callable[[], datetime] = utcnow,
        region: str = "DE",
    ) -> None:
        self._uow = uow
        self._region = region
        self._catalog = catalog
        self._store_id = store_id
        self._terminal_id = terminal_id
        self._currency = currency
        self._cash_rounding = cash_rounding
        self._clock = clock

    @property
    def currency(self) -> str:
        return self._currency

    def _today(self) -> date:
        return self._clock().astimezone().date()

    # -- basket --------------------------------------------------------------------------
    def start(self, *, customer_id: uuid.UUID | None, user: UserInfo) -> BasketView:
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow() as uow:
            if customer_id is not None and uow.session.get(m.Customer, customer_id) is None:
                raise NotFound("This customer no longer exists.")
            if customer_id is not None:
                # One open basket per customer on this terminal: theirs is taken up again.
                open_row = uow.session.scalars(
                    select(m.Order)
                    .where(
                        m.Order.customer_id == customer_id,
                        m.Order.status == OrderStatus.DRAFT.value,
                        m.Order.terminal_id == self._terminal_id,
                    )
                    .order_by(m.Order.created_at.desc())
                    .limit(1)
                ).first()
                if open_row is not None:
                    open_row.held_at = None
                    view = self._view(uow.session, open_row)
                    uow.commit()
                    return view
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

    def hold(self, order_id: uuid.UUID, *, user: UserInfo) -> None:
        """Put a draft basket aside (its SIMs, phones and numbers stay reserved)."""
        with self._uow() as uow:
            row = self._order_row(uow.session, order_id)
            self._check_can_change(row)
            if not row.lines:
                raise RuleViolation("The basket is empty; there is nothing to hold.")
            row.held_at = self._clock()
            uow.commit()

    def held(self) -> list[HeldBasket]:
        """Baskets on hold at this terminal, oldest first."""
        with self._uow(read_only=True) as uow:
            return held_baskets(uow.session, self._terminal_id)

    def recall(self, order_id: uuid.UUID, *, user: UserInfo) -> BasketView:
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow() as uow:
            row = self._order_row(uow.session, order_id)
            self._check_can_change(row)
            row.held_at = None
            view = self._reprice_and_view(uow.session, row)
            uow.commit()
            return view

    def basket(self, order_id: uuid.UUID) -> BasketView:
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow() as uow:
            return self._view(uow.session, self._order_row(uow.session, order_id))

    def remove_line(self, order_id: uuid.UUID, line_id: uuid.UUID, *, user: UserInfo) -> BasketView:
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            order = to_domain(row)
            order.remove_line(line_id)  # checks the order can still change
            for line in list(row.lines):
                if line.id == line_id:
                    if line.serial:
                        self._release(session, line.serial)
                    if line.msisdn:
                        self._drop_number(session, row, line)
                    row.lines.remove(line)
            view = self._reprice_and_view(session, row)
            uow.commit()
            return view

    def cancel(self, order_id: uuid.UUID, *, user: UserInfo) -> Changes:
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            order = to_domain(row)
            now = self._clock()
            order.cancel(user_id=user.id, at=now)
            self._give_back_payments(session, row, user)
            for line in row.lines:
                if line.serial:
                    self._release(session, line.serial)
                if line.msisdn:
                    numbers.release(session, line.msisdn, row.id)
            refund_unused_credit(session, row, user_id=user.id, now=now)
            self._record(session, row, order, user, now)
            uow.commit()
            return Changes(basket=True, stock=True)

    # -- pricing -------------------------------------------------------------------------
    def _customer_facts(self, session: Session, row: m.Order) -> CustomerFacts:
        if row.customer_id is None:
            return CustomerFacts(has_esim_device=row.esim_device_confirmed)
        customer = customer_brief(session, row.customer_id)
        age = None
        if customer is not None and customer.birth_date is not None:
            today, born = self._today(), customer.birth_date
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        plans = prepared.rows(session.connection(), _ACTIVE_PLANS, {"customer_id": row.customer_id})
        return CustomerFacts(
            age=age,
            active_lines=len(plans),
            plan_codes=frozenset(sku for (sku,) in plans if sku),
            has_esim_device=row.esim_device_confirmed,
        )

    def _price(self, session: Session, row: m.Order) -> PricedBasket:
        snap = self._catalog.snapshot()
        items = [
            BasketItem(
                line_id=str(line.id),
                code=line.sku,
                quantity=line.quantity,
                commitment=line.commitment,
                instalments=line.instalments,
                upfront=None
                if line.chosen_upfront_minor is None
                else Money.from_minor(line.chosen_upfront_minor).amount,
                amount=None
                if line.chosen_amount_minor is None
                else Money.from_minor(line.chosen_amount_minor).amount,
                manual=manual_from_json(line.manual_discount),
            )
            for line in row.lines
        ]
        facts = self._customer_facts(session, row)
        return snap.price(items, facts, day=self._today(), store=self._store_id)

    def _reprice_and_view(
        self, session: Session, row: m.Order, priced: PricedBasket | None = None
    ) -> BasketView:
        priced = priced or self._price(session, row)
        write_prices(row, priced)
        session.flush()
        return self._view(session, row, priced)

    # -- helpers -------------------------------------------------------------------------
    def _order_row(self, session: Session, order_id: uuid.UUID) -> m.Order:
        # Its lines in the same query: every use of a basket reads them.
        if identity_key(m.Order, (order_id,)) in session.identity_map:
            row = session.get(m.Order, order_id, options=_WITH_LINES)  # the one the session holds
        else:
            found = session.execute(_ORDER_WITH_LINES, {"order_id": order_id})
            row = found.unique().scalar_one_or_none()
        if row is None:
            raise NotFound("This basket no longer exists.")
        return row

    def _check_can_change(self, row: m.Order) -> None:
        if not to_domain(row).can_edit():
            raise RuleViolation(f"Order {row.number} is {row.status}.")

    def _catalog_offering(self, code: str) -> Offering:
        offering = self._catalog.snapshot().catalog.get(code)
        if offering is None:
            raise ValidationError(f"Nothing in the catalog has the code {code}.", field="code")
        return offering

    def _offering_by_code(self, code: str) -> Offering:
        offering = self._catalog.find_by_code(code)
        if offering is None or not offering.sellable_on(self._today()):
            raise ValidationError(f"Nothing in the catalog has the code {code}.", field="code")
        return offering

    def _release(self, session: Session, serial: str) -> None:
        unit = unit_by_serial(session, serial)
        if unit.status == "reserved":
            unit.status = "in_stock"

    def _record(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime
    ) -> None:
        """Write the order's new status and one event per transition taken."""
        for transition in order.history:
            add_row(
                session, m.OrderEvent, order_id=row.id, status=transition.status.value,
                user_id=transition.user_id, occurred_at=transition.at,
            )  # fmt: skip
        row.status = order.status.value

    def _view(
        self, session: Session, row: m.Order, priced: PricedBasket | None = None
    ) -> BasketView:
        return basket_view(session, row, priced or self._price(session, row), self._catalog)
