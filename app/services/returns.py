"""Returns and exchanges: find the sale, take goods back, give the money back.

A return is ONE durable transaction: the return and its lines, the goods back into stock
(``returned`` to inspect, or ``damaged``), the refund to the original tender as a
negative payment on the original order, the credit note number, the customer's timeline
entry, and — when the counter cannot finish it — the hand-on to the second line. The
rules are in :mod:`domain.returns`.

An exchange is a return whose money becomes credit on a new basket for the same
customer (:meth:`ReturnService.create_return` with ``exchange=True``): the sale service
counts that credit as paid (tender ``credit_note``); cancelling that basket refunds the
credit to the original tender instead, so no credit is ever lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import models as m
from app.db.counters import next_number
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.errors import NotFound
from app.services import customer_index
from app.services.auth import UserInfo
from app.services.basket_views import ApprovalRequired
from app.services.catalog import CatalogService
from app.services.exchange_credit import refund_payment
from app.services.handoffs import hand_on
from app.services.stock_moves import level, move_quantity, move_unit, unit_by_serial
from app.services.till_session import log_drawer, open_session
from domain.errors import RuleViolation, ValidationError
from domain.ids import new_id
from domain.money import Money
from domain.order import OrderStatus
from domain.returns import Condition, ReturnPolicy, unit_refund, why_not_returnable
from domain.users import Permission, Role, has_permission


@dataclass(frozen=True)
class ReturnableLine:
    line_id: uuid.UUID
    description: str
    sku: str
    kind: str
    serial: str
    sold: int
    returned: int
    paid: Money  # for the whole line
    why_not: str  # empty when it can come back


@dataclass(frozen=True)
class ReturnableOrder:
    order_id: uuid.UUID
    number: str
    receipt_number: str
    customer_id: uuid.UUID | None
    customer_name: str
    sold_on: date
    last_day: date
    window_open: bool
    tender: str
    lines: tuple[ReturnableLine, ...]


@dataclass(frozen=True)
class ReturnItem:
    line_id: uuid.UUID
    quantity: int
    condition: Condition


@dataclass(frozen=True)
class ReturnResult:
    return_id: uuid.UUID
    number: str
    status: str  # completed or awaiting_approval
    refund: Money
    tender: str
    credit_note_number: str | None
    exchange_order_id: uuid.UUID | None
    changes: Changes


class ReturnService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        catalog: CatalogService,
        policy: ReturnPolicy,
        store_id: str,
        terminal_id: str,
        currency: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._policy = policy
        self._store_id = store_id
        self._terminal_id = terminal_id
        self._currency = currency
        self._clock = clock

    def _today(self) -> date:
        return self._clock().astimezone().date()

    # -- finding the sale ----------------------------------------------------------------
    def find(self, text: str) -> ReturnableOrder:
        """The completed sale a receipt or order number (typed or scanned) names."""
        code = text.strip().upper()
        if not code:
            raise ValidationError("Scan the receipt or type its number.", field="receipt")
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(m.Order).where(or_(m.Order.receipt_number == code, m.Order.number == code))
            ).first()
            if row is None:
                raise NotFound(f"No sale has the number {code}.")
            return self._returnable(uow.session, row)

    def orders_of(self, customer_id: uuid.UUID, *, limit: int = 20) -> list[ReturnableOrder]:
        """The customer's latest completed sales, for a return without the receipt."""
        with self._uow(read_only=True) as uow:
            rows = uow.session.scalars(
                select(m.Order)
                .where(
                    m.Order.customer_id == customer_id,
                    m.Order.status == OrderStatus.COMPLETED.value,
                )
                .order_by(m.Order.completed_at.desc())
                .limit(limit)
            ).all()
            return [self._returnable(uow.session, row) for row in rows]

    def _returnable(self, session: Session, row: m.Order) -> ReturnableOrder:
        if row.status != OrderStatus.COMPLETED.value or row.completed_at is None:
            raise RuleViolation(f"Sale {row.number} is {row.status}; only completed sales return.")
        catalog = self._catalog.snapshot().catalog
        returned = self._returned(session, row.id)
        lines = []
        for line in row.lines:
            offering = catalog.get(line.sku)
            kind = offering.kind.value if offering is not None else "service_fee"
            used = kind == "sim" and self._sim_in_use(session, line.serial or "")
            lines.append(
                ReturnableLine(
                    line_id=line.id,
                    description=line.description,
                    sku=line.sku,
                    kind=kind,
                    serial=line.serial or "",
                    sold=line.quantity,
                    returned=returned.get(line.id, 0),
                    paid=line.total(row.currency),
                    why_not=why_not_returnable(
                        kind, financed=line.financed_minor > 0, used_by_line=used
                    ),
                )
            )
        sold_on = row.completed_at.astimezone().date()
        customer = session.get(m.Customer, row.customer_id) if row.customer_id else None
        return ReturnableOrder(
            order_id=row.id,
            number=row.number,
            receipt_number=row.receipt_number or "",
            customer_id=row.customer_id,
            customer_name=(
                f"{customer.first_name} {customer.last_name}".strip() or customer.company_name
                if customer is not None
                else "Walk-in customer"
            ),
            sold_on=sold_on,
            last_day=self._policy.last_day(sold_on),
            window_open=self._today() <= self._policy.last_day(sold_on),
            tender=self._tender(session, row.id),
            lines=tuple(lines),
        )

    # -- the return ----------------------------------------------------------------------
    def create_return(
        self,
        order_id: uuid.UUID,
        items: list[ReturnItem],
        *,
        reason: str,
        user: UserInfo,
        approved_by: uuid.UUID | None = None,
        hand_on_above_limit: bool = False,
        exchange: bool = False,
        store_credit: bool = False,
    ) -> ReturnResult:
        """Take goods back. The money goes back the way it was paid, or onto a new basket
        (``exchange``), or onto a credit note the customer spends later (``store_credit``:
        its number is a tender at any later sale until its value is used up)."""
        reason = " ".join(reason.split())
        if not reason:
            raise ValidationError("Say why the customer returns the goods.", field="reason")
        if len(reason) > 300:
            raise ValidationError("Keep the reason under 300 characters.", field="reason")
        if not items:
            raise ValidationError("Choose what comes back.", field="items")
        if len({item.line_id for item in items}) != len(items):
            raise ValidationError("A line is listed twice.", field="items")
        self._catalog.snapshot()  # read before the write lock is taken
        now, today = self._clock(), self._today()
        with self._uow(durable=True) as uow:
            session = uow.session
            order = session.get(m.Order, order_id)
            if order is None:
                raise NotFound("This sale no longer exists.")
            view = self._returnable(session, order)
            self._policy.check_window(view.sold_on, today)
            by_id = {line.line_id: line for line in view.lines}
            rows = {line.id: line for line in order.lines}
            refund = 0
            planned: list[tuple[ReturnItem, ReturnableLine, int]] = []
            for item in items:
                line = by_id.get(item.line_id)
                if line is None:
                    raise NotFound("This line is not part of the sale.")
                if line.why_not:
                    raise RuleViolation(f"{line.description} cannot be returned: {line.why_not}.")
                self._policy.check_condition(line.kind, item.condition, line.description)
                amount = unit_refund(line.paid.minor, line.sold, line.returned, item.quantity)
                refund += amount
                planned.append((item, line, amount))
            limit = Money(self._policy.approval_above, order.currency)
            above = refund > limit.minor
            approver = self._approver(session, approved_by) if approved_by else None
            manager = user.can(Permission.REFUND)
            if above and approver is None and not manager and not hand_on_above_limit:
                raise ApprovalRequired(
                    f"A refund above {limit.format()} needs a manager's approval, "
                    "or hand it on to the second line."
                )
            waiting = above and approver is None and not manager
            number = next_number(
                session, kind="RET", store_id=self._store_id, terminal_id=self._terminal_id
            )
            tender = "exchange" if exchange else "credit_note" if store_credit else view.tender
            record = m.ReturnRecord(
                id=new_id(),
                number=number,
                order_id=order.id,
                customer_id=order.customer_id,
                status="awaiting_approval" if waiting else "completed",
                reason=reason,
                currency=order.currency,
                refund_minor=refund,
                tender=tender,
                approved_by=approver,
                user_id=user.id,
                completed_at=None if waiting else now,
            )
            session.add(record)
            session.flush()  # the lines refer to it (no ORM relationship orders the inserts)
            for item, line, amount in planned:
                restock = item.condition.restock_as
                session.add(
                    m.ReturnLine(
                        return_id=record.id,
                        order_line_id=line.line_id,
                        quantity=item.quantity,
                        amount_minor=amount,
                        condition=item.condition.value,
                        restock_as=restock,
                    )
                )
                self._restock(session, rows[line.line_id], item, restock, number, user)
            money = Money.from_minor(refund, order.currency)
            if not waiting:
                record.credit_note_number = next_number(
                    session, kind="CRN", store_id=self._store_id, terminal_id=self._terminal_id
                )
                if exchange:
                    record.exchange_order_id = self._exchange_basket(session, order, user)
                elif store_credit:
                    pass  # the credit note number is the customer's voucher
                elif tender == "cash":  # out of this till's drawer, which must be open
                    till = open_session(session, self._store_id, self._terminal_id)
                    refund_payment(
                        session, order, refund, tender, user_id=user.id, session_id=till.id
                    )
                    log_drawer(session, till.id, "cash refund", user.id, reference=number)
                else:
                    refund_payment(session, order, refund, tender, user_id=user.id)
            what = ", ".join(
                f"{item.quantity} × {line.description}" if item.quantity > 1 else line.description
                for item, line, _ in planned
            )
            if waiting:
                hand_on(
                    session, kind="refund", user_id=user.id, customer_id=order.customer_id,
                    order_id=order.id, ref_kind="return", ref_id=record.id, now=now,
                    summary=f"Refund of {money.format()} for {what} (return {number}, "
                    f"sale {order.number}) needs approval: {reason}",
                    details={"refund_minor": refund, "tender": tender},
                )  # fmt: skip
            if order.customer_id is not None:
                verb = "exchanged" if exchange else "returned"
                session.add(
                    m.Interaction(
                        customer_id=order.customer_id,
                        kind="return",
                        summary=f"{what} {verb} ({item_reason(reason)}); "
                        + (
                            f"{money.format()} waits for approval"
                            if waiting
                            else f"{money.format()} "
                            + ("credited to a new sale" if exchange else f"refunded ({tender})")
                        )
                        + f" — return {number}",
                        occurred_at=now,
                        user_id=user.id,
                        ref_kind="return",
                        ref_id=record.id,
                    )
                )
                session.flush()
                customer_index.refresh(session.connection(), order.customer_id)
            result = ReturnResult(
                return_id=record.id,
                number=number,
                status=record.status,
                refund=money,
                tender=tender,
                credit_note_number=record.credit_note_number,
                exchange_order_id=record.exchange_order_id,
                changes=Changes(stock=True, till=True, customer=True, sync=True, basket=exchange),
            )
            uow.commit()
            return result

    # -- helpers -------------------------------------------------------------------------
    def _restock(
        self,
        session: Session,
        line: m.OrderLine,
        item: ReturnItem,
        restock: str,
        number: str,
        user: UserInfo,
    ) -> None:
        reason = f"returned {item.condition.label.lower()}"
        if line.serial:
            unit = unit_by_serial(session, line.serial)
            if unit.store_id != self._store_id:
                unit.store_id = self._store_id  # sold elsewhere, taken back here
            move_unit(
                session, unit, status=restock, kind="return", quantity=1, user_id=user.id,
                reason=reason, reference=number, order_id=line.order_id,
            )  # fmt: skip
            return
        if restock == "returned" and level(session, line.offering_id, self._store_id) is not None:
            move_quantity(
                session, offering_id=line.offering_id, store_id=self._store_id,
                delta=item.quantity, kind="return", user_id=user.id, reason=reason,
                reference=number, order_id=line.order_id,
            )  # fmt: skip
        else:  # damaged goods are written off: recorded, not counted as stock
            session.add(
                m.StockMove(
                    kind="return", offering_id=line.offering_id, quantity=0, status="damaged",
                    reason=f"{reason}, {item.quantity} written off", reference=number,
                    order_id=line.order_id, user_id=user.id,
                )
            )  # fmt: skip

    def _exchange_basket(self, session: Session, order: m.Order, user: UserInfo) -> uuid.UUID:
        """The new sale of the exchange: the customer's open basket here, or a new one."""
        query = select(m.Order).where(
            m.Order.status == OrderStatus.DRAFT.value,
            m.Order.terminal_id == self._terminal_id,
        )
        if order.customer_id is not None:
            query = query.where(m.Order.customer_id == order.customer_id)
            basket = session.scalars(query.order_by(m.Order.created_at.desc()).limit(1)).first()
            if basket is not None:
                basket.held_at = None
                return basket.id
        basket = m.Order(
            number=next_number(
                session, kind="ORD", store_id=self._store_id, terminal_id=self._terminal_id
            ),
            customer_id=order.customer_id,
            status=OrderStatus.DRAFT.value,
            currency=order.currency,
            total_minor=0,
            created_by=user.id,
        )
        session.add(basket)
        session.flush()
        return basket.id

    def _returned(self, session: Session, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
        rows = session.execute(
            select(m.ReturnLine.order_line_id, func.sum(m.ReturnLine.quantity))
            .join(m.ReturnRecord, m.ReturnRecord.id == m.ReturnLine.return_id)
            .where(m.ReturnRecord.order_id == order_id)
            .group_by(m.ReturnLine.order_line_id)
        ).all()
        return {line_id: int(total) for line_id, total in rows}

    def _tender(self, session: Session, order_id: uuid.UUID) -> str:
        """The tender that took most of the money (refunds go back the way money came)."""
        rows = session.execute(
            select(m.Payment.tender, func.sum(m.Payment.amount_minor))
            .where(m.Payment.order_id == order_id, m.Payment.amount_minor > 0)
            .group_by(m.Payment.tender)
            .order_by(func.sum(m.Payment.amount_minor).desc())
        ).all()
        return str(rows[0][0]) if rows else "cash"

    def _sim_in_use(self, session: Session, iccid: str) -> bool:
        used = session.scalar(
            select(func.count())
            .select_from(m.Subscription)
            .where(m.Subscription.iccid == iccid, m.Subscription.status == "active")
        )
        return bool(used)

    def _approver(self, session: Session, approved_by: uuid.UUID) -> uuid.UUID:
        manager = session.get(m.User, approved_by)
        if manager is None or not has_permission(Role(manager.role), Permission.APPROVE):
            raise RuleViolation("The approval is not from a manager.")
        return manager.id


def item_reason(reason: str) -> str:
    return reason if len(reason) <= 80 else reason[:77] + "…"
