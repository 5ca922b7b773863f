"""Tendering: split payments in any order, card payments through intents, pay-later.

Mixed into :class:`~app.services.sales.SaleService`. A basket is paid by one or more
tenders — cash (with change and the cash rounding rule on what cash settles last), card
through the terminal, exchange credit, or the postpaid customer's account. The first
tender submits the basket (its lines are then fixed); while approved tenders cover only
part of the total the order is *awaiting payment* and keeps what was approved; the tender
that covers the rest completes the sale in the same transaction as its payment.

Card payments (intents around the terminal) are in :mod:`app.services.card_intents`,
which builds on this module's helpers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import models as m
from app.db import prepared
from app.db.plain_rows import add_row
from app.db.uow import UnitOfWork
from app.services.auth import UserInfo
from app.services.basket_hooks import BasketHooks
from app.services.basket_rows import to_domain
from app.services.basket_views import SaleResult
from app.services.order_paid import Tender, paid_so_far, pending_tenders
from app.services.till_session import log_drawer, open_session_id
from domain.card import CardSlip
from domain.errors import RuleViolation, ValidationError
from domain.money import Money, parse_amount, round_money
from domain.order import Order, OrderStatus
from domain.payment_intent import UNRESOLVED, IntentKind, IntentStatus
from domain.tender import TenderKind, settle_cash


@dataclass(frozen=True)
class TenderLine:
    tender: str
    amount: Money
    detail: str = ""  # "VISA 411111******1111, auth 123456"


@dataclass(frozen=True)
class PaymentState:
    order_id: uuid.UUID
    number: str
    status: str
    total: Money
    paid: Money
    remaining: Money
    tenders: tuple[TenderLine, ...]
    unresolved_card: bool  # a card payment is pending or needs checking


@dataclass(frozen=True)
class TenderResult:
    """After a tender: the sale if it completed, else what is still due."""

    state: PaymentState
    sale: SaleResult | None = None
    change: Money | None = None


@dataclass(frozen=True)
class CardRequest:
    """What to send to the terminal for an intent committed as pending."""

    intent_id: uuid.UUID
    reference: str
    amount: Money
    kind: IntentKind
    reverses: str = ""  # a reversal: the terminal receipt number of the payment it voids


@dataclass(frozen=True)
class CardOutcome:
    """The terminal's answer, reduced to what StoreDesk may keep (no full card number)."""

    status: IntentStatus  # approved, declined or aborted
    slip: CardSlip = field(default_factory=CardSlip)
    result_code: str = ""
    message: str = ""
    receipt_lines: tuple[str, ...] = ()
    amount_minor: int | None = None  # what the terminal approved, if it says


@dataclass(frozen=True)
class IntentView:
    id: uuid.UUID
    order_number: str
    kind: str
    status: str
    amount: Money
    reference: str
    created_at: datetime
    message: str


# What the payment state shows: an order's approved tenders, and its unclear card payments.
_APPROVED_TENDERS = (
    select(m.Payment.tender, m.Payment.amount_minor, m.Payment.currency, m.Payment.details)
    .where(
        m.Payment.order_id == bindparam("order_id"),
        m.Payment.status == "approved",
        m.Payment.amount_minor > 0,
    )
    .order_by(m.Payment.created_at)
)
_UNRESOLVED_INTENTS = (
    select(func.count())
    .select_from(m.PaymentIntent)
    .where(
        m.PaymentIntent.order_id == bindparam("order_id"),
        or_(*(m.PaymentIntent.status == s.value for s in UNRESOLVED)),  # no IN: prepared
    )
)


def credit_note_used(session: Session, number: str) -> int:
    """How much of a credit note earlier sales have spent (vouchers name it in details)."""
    spent = session.scalars(
        select(m.Payment).where(
            m.Payment.tender == TenderKind.VOUCHER.value, m.Payment.status == "approved"
        )
    ).all()
    return sum(p.amount_minor for p in spent if (p.details or {}).get("credit_note") == number)


def describe_card(details: dict[str, str] | None) -> str:
    if not details:
        return ""
    slip = CardSlip.from_dict(details)
    parts = [p for p in (slip.brand, slip.masked_pan) if p]
    if slip.auth_code:
        parts.append(f"auth {slip.auth_code}")
    return " ".join(parts)


class SaleTendering(BasketHooks):
    pay_later_allowed: bool = True

    # Provided by SaleCompletion.
    def _start_payment(
        self, session: Session, row: m.Order, user: UserInfo, now: datetime
    ) -> Order:
        raise NotImplementedError

    def _complete(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime
    ) -> str:
        raise NotImplementedError

    # -- reading -------------------------------------------------------------------------
    def payment_state(self, order_id: uuid.UUID) -> PaymentState:
        with self._uow(read_only=True) as uow:
            row = self._order_row(uow.session, order_id)
            return self._state(uow.session, row)

    # -- cash, account, credit note -----------------------------------------------------
    def tender_cash(self, order_id: uuid.UUID, given_text: str, *, user: UserInfo) -> TenderResult:
        """Cash: all that is due (change given back) or part of it (the rest by another tender)."""
        given = Money(parse_amount(given_text, field="cash_given"), self._currency)
        if given.amount <= 0:
            raise ValidationError("Enter the cash the customer gave.", field="cash_given")
        with self._tendering(order_id) as (uow, session, row, till):
            now = self._clock()
            order = self._start_payment(session, row, user, now)
            remaining = self._remaining(session, row, order)
            rounded_due = Money(round_money(remaining.amount, self._cash_rounding), self._currency)
            if given < rounded_due:  # part of what is due; the rest comes by another tender
                self._add_payment(
                    session, row, TenderKind.CASH, given.minor, user, till,
                    given_minor=given.minor, change_minor=0,
                )  # fmt: skip
                log_drawer(session, till, "cash sale", user.id, reference=row.number)
                result = self._settle(session, row, order, user, now, paid=given)
                uow.commit()
                return result
            cash = settle_cash(remaining, given, rounding=self._cash_rounding)
            self._add_payment(
                session, row, TenderKind.CASH, cash.due.minor, user, till,
                given_minor=cash.given.minor, change_minor=cash.change.minor,
            )  # fmt: skip
            sale = self._finish(session, row, order, user, now, paid=cash.due, given=cash.given,
                                change=cash.change)  # fmt: skip
            log_drawer(session, till, "cash sale", user.id, reference=sale.receipt_number)
            result = TenderResult(state=self._state(session, row), sale=sale, change=cash.change)
            uow.commit()
            return result

    def tender_account(self, order_id: uuid.UUID, *, user: UserInfo) -> TenderResult:
        """Put what is due on the postpaid customer's account (pay later), where allowed."""
        with self._tendering(order_id) as (uow, session, row, till):
            if not self.pay_later_allowed:
                raise RuleViolation("Paying later on the account is switched off in this store.")
            if row.customer_id is None:
                raise RuleViolation("Pay later needs a registered customer with an account.")
            account = session.scalars(
                select(m.BillingAccount).where(
                    m.BillingAccount.customer_id == row.customer_id,
                    m.BillingAccount.status == "active",
                    m.BillingAccount.pay_later.is_(True),
                )
            ).first()
            if account is None:
                raise RuleViolation(
                    "This customer has no postpaid account that allows paying later."
                )
            now = self._clock()
            order = self._start_payment(session, row, user, now)
            remaining = self._remaining(session, row, order)
            if remaining.minor <= 0:
                raise RuleViolation("Nothing is left to pay.")
            self._add_payment(
                session, row, TenderKind.ACCOUNT, remaining.minor, user, till,
                details={"account_no": account.account_no},
            )  # fmt: skip
            sale = self._finish(session, row, order, user, now, paid=remaining)
            result = TenderResult(state=self._state(session, row), sale=sale)
            uow.commit()
            return result

    def tender_credit_note(
        self, order_id: uuid.UUID, number_text: str, *, user: UserInfo
    ) -> TenderResult:
        """Spend a credit note from an earlier return (store credit) on what is due."""
        number = number_text.strip().upper()
        if not number:
            raise ValidationError("Type or scan the credit note number.", field="amount")
        with self._tendering(order_id) as (uow, session, row, till):
            note = session.scalars(
                select(m.ReturnRecord).where(
                    m.ReturnRecord.credit_note_number == number,
                    m.ReturnRecord.tender == "credit_note",
                    m.ReturnRecord.status == "completed",
                )
            ).first()
            if note is None:
                raise ValidationError(
                    f"{number} is not a credit note that can be spent here.", field="amount"
                )
            if note.currency != row.currency:
                raise ValidationError(
                    f"Credit note {number} is in {note.currency}.", field="amount"
                )
            balance = note.refund_minor - credit_note_used(session, number)
            if balance <= 0:
                raise RuleViolation(f"Credit note {number} has been used up.")
            now = self._clock()
            order = self._start_payment(session, row, user, now)
            remaining = self._remaining(session, row, order)
            if remaining.minor <= 0:
                raise RuleViolation("Nothing is left to pay.")
            used = min(balance, remaining.minor)
            self._add_payment(
                session, row, TenderKind.VOUCHER, used, user, till,
                details={"credit_note": number},
            )  # fmt: skip
            paid = Money.from_minor(used, row.currency)
            result = self._settle(session, row, order, user, now, paid=paid)
            uow.commit()
            return result

    # -- helpers -------------------------------------------------------------------------
    def _no_unresolved(self, session: Session, row: m.Order) -> None:
        unresolved = session.scalar(
            select(func.count()).select_from(m.PaymentIntent).where(
                m.PaymentIntent.order_id == row.id,
                m.PaymentIntent.status.in_([s.value for s in UNRESOLVED]),
            )
        )  # fmt: skip
        if unresolved:
            raise RuleViolation(
                "A card payment of this order is still unclear: the manager checks it first."
            )

    def _add_payment(
        self, session: Session, row: m.Order, tender: TenderKind, amount_minor: int,
        user: UserInfo, till: uuid.UUID | None, *, given_minor: int | None = None,
        change_minor: int | None = None, intent_id: uuid.UUID | None = None,
        details: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        add_row(
            session, m.Payment, order_id=row.id, tender=tender.value, status="approved",
            amount_minor=amount_minor, given_minor=given_minor, change_minor=change_minor,
            currency=row.currency, user_id=user.id, session_id=till,
            intent_id=intent_id, details=details,
        )  # fmt: skip

    @contextmanager
    def _tendering(
        self, order_id: uuid.UUID
    ) -> Iterator[tuple[UnitOfWork, Session, m.Order, uuid.UUID]]:
        """One durable transaction on the order, with the id of this till's open session
        (or refused)."""
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow(durable=True) as uow:
            session = uow.session
            session.autoflush = False
            row = self._order_row(session, order_id)
            yield uow, session, row, open_session_id(session, self._store_id, self._terminal_id)

    def _settle(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime,
        *, paid: Money,
    ) -> TenderResult:  # fmt: skip
        """After a tender was added: complete the sale if the total is covered, else wait."""
        if self._remaining(session, row, order).minor > 0:
            self._await(session, row, order, user, now)
            return TenderResult(state=self._state(session, row))
        sale = self._finish(session, row, order, user, now, paid=paid)
        return TenderResult(state=self._state(session, row), sale=sale)

    def _remaining(self, session: Session, row: m.Order, order: Order) -> Money:
        paid = paid_so_far(session, row)
        return Money.from_minor(max(order.total.minor - paid, 0), row.currency)

    def _await(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime
    ) -> None:
        if order.status is OrderStatus.SUBMITTED:
            order.await_payment(
                Money.from_minor(paid_so_far(session, row), row.currency), user_id=user.id, at=now
            )
        self._record_status(session, row, order, user)

    def _record_status(self, session: Session, row: m.Order, order: Order, user: UserInfo) -> None:
        for transition in order.history:
            add_row(
                session, m.OrderEvent, order_id=row.id, status=transition.status.value,
                user_id=transition.user_id, occurred_at=transition.at,
            )  # fmt: skip
        order.history.clear()
        row.status = order.status.value

    def _finish(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime,
        *, paid: Money, given: Money | None = None, change: Money | None = None,
    ) -> SaleResult:  # fmt: skip
        receipt = self._complete(session, row, order, user, now)
        return SaleResult(
            order_id=row.id, number=row.number, receipt_number=receipt, total=order.total,
            paid=paid, given=given or paid, change=change or Money.zero(row.currency),
            changes=Changes(basket=True, stock=True, till=True, customer=True, sync=True),
        )  # fmt: skip

    def _state(self, session: Session, row: m.Order) -> PaymentState:
        if any(isinstance(o, m.PaymentIntent) for o in (*session.new, *session.dirty)):
            session.flush()  # an intent changed in this transaction: counted as stored below
        conn = session.connection()
        stored = prepared.rows(conn, _APPROVED_TENDERS, {"order_id": row.id})
        # Tendering does not autoflush: what this transaction added comes after the stored.
        payments = [Tender(*p) for p in stored] + pending_tenders(session, row.id)
        total = to_domain(row).total
        paid = sum(p.amount_minor for p in payments)
        unresolved = prepared.scalar(conn, _UNRESOLVED_INTENTS, {"order_id": row.id})
        return PaymentState(
            order_id=row.id, number=row.number, status=row.status, total=total,
            paid=Money.from_minor(paid, row.currency),
            remaining=Money.from_minor(
                0 if row.status == OrderStatus.COMPLETED.value else max(total.minor - paid, 0),
                row.currency,
            ),
            tenders=tuple(
                TenderLine(p.tender, Money.from_minor(p.amount_minor, p.currency),
                           describe_card(p.details) if p.tender == "card"
                           else (p.details or {}).get("credit_note", ""))
                for p in payments
            ),
            unresolved_card=bool(unresolved),
        )  # fmt: skip
