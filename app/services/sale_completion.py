"""Completing a sale: the first tender's checks, everything a paid sale writes, and
giving the tenders back when a part-paid order is cancelled.

Mixed into :class:`~app.services.sales.SaleService` (on top of the tendering and card-intent
mixins, which call :meth:`SaleCompletion._start_payment` and :meth:`SaleCompletion._complete`).
Paying completes the order, writes the payment, marks SIMs and phones sold, creates the
subscriptions and adds the sale to the customer's timeline in ONE durable transaction:
there is never a paid order without its payment, nor a payment without its order.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import models as m
from app.db.counters import next_number
from app.db.plain_rows import add_row
from app.services import customer_index
from app.services.auth import UserInfo
from app.services.basket_rows import needs_serial, to_domain, write_prices
from app.services.basket_views import SaleResult
from app.services.card_intents import SaleCardIntents
from app.services.customer_brief import customer_brief
from app.services.exchange_credit import exchange_credit, pay_with_credit, refund_payment
from app.services.new_lines import check_new_lines, create_subscriptions, record_topups
from app.services.order_paid import paid_so_far
from app.services.stock_moves import record_sale
from app.services.till_session import log_drawer, open_session_id
from domain.catalog import OfferingKind
from domain.errors import RuleViolation
from domain.money import Money, parse_amount
from domain.order import Order, OrderStatus
from domain.tender import TenderKind, settle_cash


class SaleCompletion(SaleCardIntents):
    # -- payment -------------------------------------------------------------------------
    def _give_back_payments(self, session: Session, row: m.Order, user: UserInfo) -> None:
        """A cancelled order that was part paid gives every approved tender back.

        Cash leaves this till's drawer now; an account charge is reversed; a card payment
        becomes a refund waiting for the terminal (``CardPayments.refund_to_card``). An
        unclear card payment stops the cancel: the manager decides it first.
        """
        self._no_unresolved(session, row)
        paid = session.scalars(
            select(m.Payment).where(
                m.Payment.order_id == row.id, m.Payment.status == "approved",
                m.Payment.amount_minor > 0, m.Payment.tender != "credit_note",
            )
        ).all()  # fmt: skip
        if not paid:
            return
        till_id = open_session_id(session, self._store_id, self._terminal_id)
        for payment in paid:
            receipt_no = (payment.details or {}).get("receipt_no", "")
            refund_payment(
                session, row, payment.amount_minor, payment.tender, user_id=user.id,
                session_id=till_id,
                # A card payment of this visit is voided on the terminal (a reversal of its
                # receipt), not refunded: the customer's statement shows neither.
                details={"reverses": receipt_no} if payment.tender == "card" and receipt_no
                else None,
            )  # fmt: skip
            if payment.tender == TenderKind.CASH.value:
                log_drawer(session, till_id, "cash back: order cancelled", user.id,
                           reference=row.number)  # fmt: skip

    def pay_cash(self, order_id: uuid.UUID, given_text: str, *, user: UserInfo) -> SaleResult:
        """Cash for everything still due: completes the sale or refuses with what is short."""
        self._catalog.snapshot()  # read before the write lock is taken
        given = Money(parse_amount(given_text, field="cash_given"), self._currency)
        with self._uow(durable=True) as uow:
            session = uow.session
            # Everything is written in one flush at commit (reads that need earlier writes
            # of this sale flush for themselves): one INSERT per table, one outbox batch.
            session.autoflush = False
            row = self._order_row(session, order_id)
            till_id = open_session_id(session, self._store_id, self._terminal_id)
            now = self._clock()
            order = self._start_payment(session, row, user, now)
            paid = paid_so_far(session, row)
            to_pay = Money.from_minor(max(order.total.minor - paid, 0), self._currency)
            cash = settle_cash(to_pay, given, rounding=self._cash_rounding)
            if to_pay.minor or not paid:
                add_row(
                    session, m.Payment, order_id=row.id, tender=TenderKind.CASH.value,
                    status="approved", amount_minor=cash.due.minor,
                    given_minor=cash.given.minor, change_minor=cash.change.minor,
                    currency=self._currency, user_id=user.id, session_id=till_id,
                )  # fmt: skip
            # Cash rounding may make the amount taken differ from the total by a few
            # cents; the order counts as paid when the rounded amount is covered.
            receipt_number = self._complete(session, row, order, user, now)
            log_drawer(session, till_id, "cash sale", user.id, reference=receipt_number)
            uow.commit()
            return SaleResult(
                order_id=row.id,
                number=row.number,
                receipt_number=receipt_number,
                total=order.total,
                paid=cash.due,
                given=cash.given,
                change=cash.change,
                changes=Changes(basket=True, stock=True, till=True, customer=True, sync=True),
            )

    def _start_payment(
        self, session: Session, row: m.Order, user: UserInfo, now: datetime
    ) -> Order:
        """The order as it stands when a tender is applied; a draft is checked and submitted.

        The first tender on a draft prices it for the last time, checks that it can be
        sold (serials scanned, new lines complete, top-up numbers given), applies any
        exchange credit, and submits it: from then on its lines cannot change.
        """
        if row.status != OrderStatus.DRAFT.value:
            order = to_domain(row)
            if order.status is not OrderStatus.AWAITING_PAYMENT:
                raise RuleViolation(f"Order {order.number} is {order.status.value}.")
            return order
        priced = self._price(session, row)
        write_prices(row, priced)
        order = to_domain(row)
        if not order.can_submit():
            if not order.lines:
                raise RuleViolation("The basket is empty.")
            raise RuleViolation(f"Order {order.number} is {order.status.value}.")
        if priced.problems:
            raise RuleViolation("The basket cannot be paid yet: " + priced.problems[0].message)
        missing = [line.description for line in row.lines if needs_serial(line, self._catalog)]
        if missing:
            raise RuleViolation(f"Scan the IMEI or ICCID of {missing[0]} first.")
        check_new_lines(row, self._offering_by_code)
        for line in row.lines:
            if self._offering_by_code(line.sku).kind is OfferingKind.TOPUP and not line.msisdn:
                raise RuleViolation(f"Type the prepaid number for {line.description} first.")
        credit = exchange_credit(session, row.id)
        if credit:
            pay_with_credit(session, row, credit, order.total.minor, user_id=user.id)
        order.submit(user_id=user.id, at=now)
        return order

    def _complete(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime
    ) -> str:
        """Everything a paid sale writes, in the caller's transaction: stock, receipt
        number, status and events, subscriptions, top-ups, timeline and search index."""
        order.mark_paid(order.total, user_id=user.id, at=now)
        order.complete(user_id=user.id, at=now)
        record_sale(session, row, store_id=self._store_id, user_id=user.id)
        receipt_number = next_number(
            session, kind="RCP", store_id=self._store_id, terminal_id=self._terminal_id,
            flush=False,
        )  # fmt: skip
        row.receipt_number = receipt_number
        row.completed_at = now
        self._record(session, row, order, user, now)
        customer = None if row.customer_id is None else customer_brief(session, row.customer_id)
        subscriptions = create_subscriptions(
            session, row, self._offering_by_code, now=now, user=user,
            store_id=self._store_id, terminal_id=self._terminal_id,
        )  # fmt: skip
        record_topups(session, row, self._offering_by_code, now=now, user=user)
        if customer is not None:
            add_row(
                session,
                m.Interaction,
                customer_id=row.customer_id,
                kind="sale",
                summary=f"Bought {', '.join(line.description for line in row.lines)}"
                f" for {order.total.format()} (order {row.number})",
                occurred_at=now,
                user_id=user.id,
                ref_kind="order",
                ref_id=row.id,
            )
            # The order and receipt numbers, the new lines and the serials sold now lead to
            # the customer in search. A sale changes nothing else the search row holds, so
            # they are added to it rather than the row being rebuilt from the tables.
            found = [row.number, receipt_number, *(line.serial or "" for line in row.lines)]
            found += [v or "" for sub in subscriptions for v in (sub.msisdn, sub.iccid)]
            conn = session.connection()
            if not customer_index.add_identifiers(conn, customer.id, customer.customer_no, found):
                session.flush()  # the rebuild reads this sale's rows from the tables
                customer_index.refresh(conn, customer.id)
        return receipt_number
